using Rce.Core.Execution;
using Rce.Core.Verdicts;
using Rce.Sandbox.Execution;

namespace Rce.Sandbox.Caching;

/// <summary>
/// A machine-wide, size-bounded cache of compile results (outcome and artefact), keyed by
/// <see cref="CompileCacheKey"/>, shared by every process that opens the same root.
/// </summary>
/// <remarks>
/// <para>Only genuine results are stored: AC, and CE where the compiler refused the code within
/// its limits. A compile that hit a limit, or failed for our reasons (IE), may well succeed next
/// time, so it is returned uncached and compiled again on the next request.</para>
/// <para>A miss compiles once per key on the machine: under an exclusive lock file, re-checking
/// after taking it. The result is staged under <c>tmp/</c>, flushed to disk and published by an
/// atomic rename, so an entry is complete or absent, even after a crash or power loss (a torn
/// artefact would be served to every later submission of that source).</para>
/// <para>The root holds nothing but what the cache wrote; callers default it to
/// <see cref="DefaultRoot"/>, never a checkout or a user's directory.</para>
/// </remarks>
public sealed class CompileCache
{
    /// <summary>The root used by services and the CLI unless configured otherwise.</summary>
    public const string DefaultRoot = "/var/cache/rce/compile";

    private readonly CacheLayout _layout;
    private readonly CacheEntries _entries;
    private readonly TimeProvider _time;

    /// <summary>Opens (creating if needed) the cache at <paramref name="root"/> and sweeps what crashed processes left.</summary>
    /// <param name="root">Root directory, owned by the cache.</param>
    /// <param name="maxBytes">Bound on the total size of entries; entries in use may exceed it for a while.</param>
    /// <param name="time">Clock of the last-use stamps and of lock polling.</param>
    public CompileCache(string root, long maxBytes, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentNullException.ThrowIfNull(time);
        _layout = new CacheLayout(root);
        _time = time;
        _entries = new CacheEntries(_layout, time);
        MaxBytes = maxBytes;
        CacheSweep.Run(_layout, time);
    }

    /// <summary>The absolute root directory.</summary>
    public string Root => _layout.Root;

    /// <summary>Bound on the total size of entries, in bytes.</summary>
    public long MaxBytes { get; }

    /// <summary>Returns the cached result for <paramref name="key"/>, or compiles it (once on the machine) and caches it if genuine.</summary>
    /// <param name="key">From <see cref="CompileCacheKey.Compute"/>.</param>
    /// <param name="compile">Compiles into the given (existing, empty) artefact directory, for example with <see cref="ProgramExecutor.CompileAsync"/>.</param>
    /// <param name="cancellationToken">Cancels waiting and the compile.</param>
    /// <returns>A lease to dispose once the artefact is no longer needed.</returns>
    public async Task<CompileLease> GetOrCompileAsync(string key, Func<string, CancellationToken, Task<CompileOutcome>> compile, CancellationToken cancellationToken = default)
    {
        if (!CompileCacheKey.IsWellFormed(key))
        {
            // It names files under the root: nothing else may get that far.
            throw new ArgumentException("not a compile cache key", nameof(key));
        }

        ArgumentNullException.ThrowIfNull(compile);
        if (Directory.Exists(_layout.Entry(key)))
        {
            var hit = await _entries.TryOpenAsync(key, cancellationToken).ConfigureAwait(false);
            if (hit is not null)
            {
                return hit;
            }
        }

        CompileLease lease;
        var compileLock = await FileLock.AcquireAsync(_layout.KeyLock(key), exclusive: true, _time, cancellationToken).ConfigureAwait(false);
        try
        {
            // Whoever held the lock before us may have just published it.
            lease = await _entries.TryOpenAsync(key, cancellationToken).ConfigureAwait(false)
                ?? await CompileAsync(key, compile, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            compileLock.DeleteAndRelease();
        }

        if (lease.Cached && !lease.Hit)
        {
            try
            {
                CacheEviction.Evict(_layout, MaxBytes);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The bound is kept on a best-effort basis: the next publish evicts again, and
                // this result is good whatever eviction did.
            }
        }

        return lease;
    }

    /// <summary>Counts the entries and their bytes (walks the cache: for health checks, not hot paths).</summary>
    public CompileCacheStats Measure()
    {
        var entries = CacheEviction.Scan(_layout);
        return new CompileCacheStats(entries.Count, entries.Sum(e => e.Bytes));
    }

    /// <summary>Whether an outcome is the same every time the same inputs are compiled.</summary>
    private static bool IsGenuine(CompileOutcome outcome) =>
        outcome.Report.StopReason == StopReason.None && outcome.Verdict is Verdict.Accepted or Verdict.CompileError;

    private async Task<CompileLease> CompileAsync(string key, Func<string, CancellationToken, Task<CompileOutcome>> compile, CancellationToken cancellationToken)
    {
        var staging = _layout.NewStaging("compile-");
        var artifact = CacheLayout.Artifact(staging);
        try
        {
            var outcome = await compile(artifact, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("the compile delegate returned no outcome");
            return IsGenuine(outcome)
                ? await _entries.PublishAsync(key, staging, outcome, cancellationToken).ConfigureAwait(false)
                : new CompileLease(outcome, artifact, hit: false, inUse: null, temporary: staging);
        }
        catch
        {
            CacheLayout.DeleteTree(staging);
            throw;
        }
    }
}
