namespace Rce.Sandbox.Caching;

/// <summary>Removes what crashed processes left under the cache root.</summary>
/// <remarks>
/// Normal operation leaves nothing behind: staging directories are published or deleted, lock
/// files are unlinked by their last exclusive holder. A crash can leave a staging directory, an
/// unlocked lock file or an <c>.inuse</c> file of an entry that was never published.
/// </remarks>
internal static class CacheSweep
{
    /// <summary>
    /// Staging directories untouched for this long belong to dead processes: a compile takes
    /// seconds and an uncached artefact lives for one grading job.
    /// </summary>
    private static readonly TimeSpan StagingLifetime = TimeSpan.FromDays(1);

    public static void Run(CacheLayout layout, TimeProvider time)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - StagingLifetime;
        foreach (var dir in new DirectoryInfo(layout.Temporary).EnumerateDirectories())
        {
            if (dir.LastWriteTimeUtc < cutoff)
            {
                CacheLayout.DeleteTree(dir.FullName);
            }
        }

        foreach (var file in Directory.EnumerateFiles(layout.Locks, "*.lock"))
        {
            // Held means alive: leave it to its holder.
            FileLock.TryAcquire(file, exclusive: true)?.DeleteAndRelease();
        }

        foreach (var file in Directory.EnumerateFiles(layout.Entries, "*.inuse"))
        {
            var key = Path.GetFileNameWithoutExtension(file);
            if (Directory.Exists(layout.Entry(key)))
            {
                continue;
            }

            var held = FileLock.TryAcquire(file, exclusive: true);
            if (held is null)
            {
                continue;
            }

            if (Directory.Exists(layout.Entry(key)))
            {
                held.Dispose();
            }
            else
            {
                held.DeleteAndRelease();
            }
        }
    }
}
