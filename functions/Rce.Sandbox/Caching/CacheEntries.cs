using Rce.Sandbox.Execution;

namespace Rce.Sandbox.Caching;

/// <summary>Opening and publishing entries, each under the shared lock of its <c>.inuse</c> file.</summary>
/// <remarks>
/// Holding the shared lock is what keeps an entry alive: evictors need it exclusively. Readers
/// take it before reading the entry and publishers before renaming it into place, so there is no
/// moment at which an entry about to be used is deletable.
/// </remarks>
internal sealed class CacheEntries(CacheLayout layout, TimeProvider time)
{
    /// <summary>Opens a published entry as a hit; null when there is none (or it is unreadable).</summary>
    public async Task<CompileLease?> TryOpenAsync(string key, CancellationToken cancellationToken)
    {
        var inUse = await FileLock.AcquireAsync(layout.InUse(key), exclusive: false, time, cancellationToken).ConfigureAwait(false);
        var entry = layout.Entry(key);

        // Unreadable only if tampered with (a format change changes the key): then compiles are
        // served uncached until eviction removes it, as it is never touched.
        var stored = StoredOutcome.TryRead(CacheLayout.Outcome(entry));
        if (stored is null)
        {
            Release(inUse, key);
            return null;
        }

        Touch(entry);
        return new CompileLease(stored.ToOutcome(), CacheLayout.Artifact(entry), hit: true, inUse, temporary: null);
    }

    /// <summary>Publishes a staged compile (its artefact already in place) as the entry of <paramref name="key"/>.</summary>
    /// <remarks>The caller holds the key's compile lock, so no one else publishes this key meanwhile.</remarks>
    public async Task<CompileLease> PublishAsync(string key, string staging, CompileOutcome outcome, CancellationToken cancellationToken)
    {
        var artifact = CacheLayout.Artifact(staging);
        CacheLayout.FlushFiles(artifact);
        StoredOutcome.From(outcome).Write(CacheLayout.Outcome(staging));
        Touch(staging);

        var inUse = await FileLock.AcquireAsync(layout.InUse(key), exclusive: false, time, cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.Move(staging, layout.Entry(key));
        }
        catch (IOException)
        {
            // An unreadable entry is in the way (see TryOpenAsync): serve this result uncached.
            Release(inUse, key);
            return new CompileLease(outcome, artifact, hit: false, inUse: null, temporary: staging);
        }

        return new CompileLease(outcome, CacheLayout.Artifact(layout.Entry(key)), hit: false, inUse, temporary: null);
    }

    /// <summary>Gives up a shared lock that protects nothing, deleting its file when no one else shares it.</summary>
    private void Release(FileLock inUse, string key)
    {
        if (inUse.TryUpgrade() && !Directory.Exists(layout.Entry(key)))
        {
            inUse.DeleteAndRelease();
        }
        else
        {
            inUse.Dispose();
        }
    }

    /// <summary>Records a use, for least-recently-used eviction.</summary>
    private void Touch(string entry)
    {
        var stamp = CacheLayout.UsedStamp(entry);
        if (!File.Exists(stamp))
        {
            File.WriteAllBytes(stamp, []);
        }

        File.SetLastWriteTimeUtc(stamp, time.GetUtcNow().UtcDateTime);
    }
}
