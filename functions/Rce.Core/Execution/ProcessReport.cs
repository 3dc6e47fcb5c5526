namespace Rce.Core.Execution;

/// <summary>What one sandboxed process tree did: its outputs and the kernel's measurements.</summary>
/// <remarks>
/// Outputs are the bytes the parent read, already capped; <see cref="StdoutTruncated"/> tells
/// whether the cap was hit. <see cref="MemoryBytes"/> is memory <em>charged</em> to the cgroup
/// (shared page cache already charged elsewhere is not counted), not RSS.
/// </remarks>
public sealed record ProcessReport
{
    /// <summary>Bytes written to stdout, at most the cap.</summary>
    public required ReadOnlyMemory<byte> Stdout { get; init; }

    /// <summary>Bytes written to stderr, at most the cap.</summary>
    public required ReadOnlyMemory<byte> Stderr { get; init; }

    /// <summary>Whether stdout exceeded its cap.</summary>
    public bool StdoutTruncated { get; init; }

    /// <summary>Whether stderr exceeded its cap.</summary>
    public bool StderrTruncated { get; init; }

    /// <summary>Exit status when the program exited by itself; null when a signal ended it.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The number of the signal that ended the program, else null.</summary>
    public int? Signal { get; init; }

    /// <summary>CPU time of the whole tree (user + system).</summary>
    public TimeSpan CpuTime { get; init; }

    /// <summary>Wall-clock time from start to the end of the tree.</summary>
    public TimeSpan WallTime { get; init; }

    /// <summary>Peak memory charged to the box's cgroup, in bytes.</summary>
    public long MemoryBytes { get; init; }

    /// <summary>Whether the memory cgroup's OOM killer killed a process of the tree.</summary>
    public bool OomKilled { get; init; }

    /// <summary>Whether a fork or thread creation was refused by the pids limit.</summary>
    public bool ProcessLimitHit { get; init; }

    /// <summary>Why the tree was stopped.</summary>
    public StopReason StopReason { get; init; }

    /// <summary>For <see cref="StopReason.SandboxFailure"/>: what failed (never program data).</summary>
    public string? FailureDetail { get; init; }
}
