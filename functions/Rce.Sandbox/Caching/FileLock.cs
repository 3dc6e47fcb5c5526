namespace Rce.Sandbox.Caching;

/// <summary>
/// A shared or exclusive flock on a lock file, held through an open descriptor, so that a crashed
/// holder releases it with its last descriptor. flock is per open file, so two opens in one
/// process exclude each other just as two processes do.
/// </summary>
/// <remarks>
/// Lock files are unlinked by exclusive holders (so that they do not pile up, one per key ever
/// seen). A waiter may have opened the file just before it was unlinked and then lock an inode no
/// longer reachable by its path, which guards nothing; so a lock only counts once the locked file
/// still has a link, else the path is opened afresh. Invariant: a lock file is only ever unlinked
/// by a holder of its exclusive lock, never renamed or linked.
/// </remarks>
internal sealed class FileLock : IDisposable
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(50);

    private readonly FileStream _stream;

    private FileLock(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>Takes the lock without waiting; null while a conflicting lock is held.</summary>
    public static FileLock? TryAcquire(string path, bool exclusive)
    {
        while (true)
        {
            FileStream stream;
            try
            {
                // .NET takes its own non-blocking flock at open (exclusive for FileShare.None,
                // shared otherwise) and reports a conflict as EWOULDBLOCK.
                stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, exclusive ? FileShare.None : FileShare.ReadWrite, 1, FileOptions.None);
            }
            catch (IOException ex) when (ex.HResult == CacheNative.EWouldBlock)
            {
                return null;
            }

            // Explicit as well: .NET's own lock is skipped when file locking is disabled by configuration.
            if (!CacheNative.TryLock(stream.SafeFileHandle, exclusive))
            {
                stream.Dispose();
                return null;
            }

            if (CacheNative.LinkCount(stream.SafeFileHandle) > 0)
            {
                return new FileLock(path, stream);
            }

            stream.Dispose();
        }
    }

    /// <summary>Waits for the lock, polling: holders are short-lived or in another process.</summary>
    public static async Task<FileLock> AcquireAsync(string path, bool exclusive, TimeProvider time, CancellationToken cancellationToken)
    {
        var delay = FirstPoll;
        while (true)
        {
            var held = TryAcquire(path, exclusive);
            if (held is not null)
            {
                return held;
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestPoll.Ticks));
        }
    }

    /// <summary>Converts a shared lock to exclusive without waiting.</summary>
    /// <returns>False when others share it; then no lock is held at all (conversion is not atomic).</returns>
    public bool TryUpgrade() => CacheNative.TryLock(_stream.SafeFileHandle, exclusive: true);

    /// <summary>Unlinks the lock file, then releases it. Only for a holder of the exclusive lock.</summary>
    public void DeleteAndRelease()
    {
        try
        {
            File.Delete(Path);
        }
        finally
        {
            Dispose();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();
}
