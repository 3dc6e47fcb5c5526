using Rce.Sandbox.Execution;

namespace Rce.Sandbox.Caching;

/// <summary>
/// One use of a compile result: the outcome and, when it compiled, the artefact directory to run
/// from. Dispose when the runs are done.
/// </summary>
/// <remarks>
/// A cached result is protected by a shared lock on its entry for the lease's lifetime, so that
/// eviction (by any process) never deletes an artefact under a running program. An uncached
/// result lives in a private temporary directory that disposing deletes.
/// </remarks>
public sealed class CompileLease : IDisposable
{
    private readonly FileLock? _inUse;
    private readonly string? _temporary;
    private bool _disposed;

    internal CompileLease(CompileOutcome outcome, string artifactDirectory, bool hit, FileLock? inUse, string? temporary)
    {
        Outcome = outcome;
        ArtifactDirectory = outcome.Succeeded ? artifactDirectory : null;
        Hit = hit;
        _inUse = inUse;
        _temporary = temporary;
    }

    /// <summary>The compile's outcome (for a hit, as stored when it was compiled).</summary>
    public CompileOutcome Outcome { get; }

    /// <summary>The artefact directory (pass it to <see cref="ProgramExecutor.RunAsync"/>); null unless the compile succeeded. Valid until disposed; read-only.</summary>
    public string? ArtifactDirectory { get; }

    /// <summary>Whether the outcome came from the cache without compiling.</summary>
    public bool Hit { get; }

    /// <summary>Whether the outcome is in the cache (a hit, or a miss just stored); false for limit hits and internal errors.</summary>
    public bool Cached => _inUse is not null;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _inUse?.Dispose();
        if (_temporary is not null)
        {
            CacheLayout.DeleteTree(_temporary);
        }
    }
}
