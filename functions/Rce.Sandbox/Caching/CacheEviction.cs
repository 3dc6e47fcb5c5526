namespace Rce.Sandbox.Caching;

/// <summary>Measures the published entries and evicts the least recently used ones over the bound.</summary>
/// <remarks>
/// Any process may evict, and several may at once: an entry is only deleted under the exclusive
/// lock of its <c>.inuse</c> file, which no lease (nor a publisher) shares at that moment, so no
/// artefact is ever deleted under a running program. Entries in use are skipped, so the cache may
/// stay over its bound while they are. Two evictors may together delete a little more than needed.
/// </remarks>
internal static class CacheEviction
{
    /// <summary>One published entry.</summary>
    public sealed record EntryInfo(string Key, long Bytes, DateTime LastUsedUtc);

    /// <summary>Lists the published entries with their sizes and last use.</summary>
    public static List<EntryInfo> Scan(CacheLayout layout)
    {
        var found = new List<EntryInfo>();
        foreach (var dir in new DirectoryInfo(layout.Entries).EnumerateDirectories())
        {
            if (!CompileCacheKey.IsWellFormed(dir.Name))
            {
                continue;
            }

            try
            {
                var bytes = dir.EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

                // A missing stamp reads as 1601: such an entry goes first.
                found.Add(new EntryInfo(dir.Name, bytes, File.GetLastWriteTimeUtc(CacheLayout.UsedStamp(dir.FullName))));
            }
            catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException)
            {
                // Evicted by another process while we looked.
            }
        }

        return found;
    }

    /// <summary>Deletes least recently used entries not in use until the total is at most <paramref name="maxBytes"/>.</summary>
    /// <returns>The keys deleted.</returns>
    public static List<string> Evict(CacheLayout layout, long maxBytes)
    {
        var evicted = new List<string>();
        var entries = Scan(layout);
        var total = entries.Sum(e => e.Bytes);
        foreach (var entry in entries.OrderBy(e => e.LastUsedUtc).ThenBy(e => e.Key, StringComparer.Ordinal))
        {
            if (total <= maxBytes)
            {
                break;
            }

            // Without waiting: a lease (or a publisher) holds it shared while the entry is in use.
            var inUse = FileLock.TryAcquire(layout.InUse(entry.Key), exclusive: true);
            if (inUse is null)
            {
                continue;
            }

            try
            {
                if (layout.RemoveEntry(entry.Key))
                {
                    evicted.Add(entry.Key);
                }

                total -= entry.Bytes;
            }
            finally
            {
                // Holding it exclusively with the entry gone: the lock file may go too.
                inUse.DeleteAndRelease();
            }
        }

        return evicted;
    }
}
