namespace Rce.Core.Limits;

/// <summary>
/// Limits for one sandboxed process tree (one compile or one run). Every limit is enforced by the
/// kernel (cgroups, rlimits, tmpfs sizes) or by the parent (wall clock, output caps).
/// </summary>
/// <remarks>Immutable; use <c>with</c> to derive per-language or per-request variants.</remarks>
public sealed record ResourceLimits
{
    /// <summary>CPU time of the whole process tree. The default value is 2 s.</summary>
    public TimeSpan CpuTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Wall-clock time. The default value is 3 × <see cref="CpuTime"/> + 1 s.</summary>
    public TimeSpan? WallTime { get; init; }

    /// <summary>Memory charged to the box's cgroup, in bytes, no swap. The default value is 256 MiB.</summary>
    public long MemoryBytes { get; init; } = 256L << 20;

    /// <summary>Processes and threads of the tree (pids cgroup). The default value is 64.</summary>
    public int Processes { get; init; } = 64;

    /// <summary>Bytes of stdout kept before the run is stopped as OLE. The default value is 16 MiB.</summary>
    public long StdoutBytes { get; init; } = 16L << 20;

    /// <summary>Bytes of stderr kept before the run is stopped as OLE. The default value is 1 MiB.</summary>
    public long StderrBytes { get; init; } = 1L << 20;

    /// <summary>Largest single file (RLIMIT_FSIZE). The default value is 64 MiB.</summary>
    public long FileSizeBytes { get; init; } = 64L << 20;

    /// <summary>Size of the box tmpfs (the working directory). The default value is 64 MiB.</summary>
    public long BoxBytes { get; init; } = 64L << 20;

    /// <summary>Size of the <c>/tmp</c> tmpfs (shared with <c>/dev/shm</c>). The default value is 64 MiB.</summary>
    public long TmpBytes { get; init; } = 64L << 20;

    /// <summary>Inodes of each tmpfs. The default value is 4096.</summary>
    public int Inodes { get; init; } = 4096;

    /// <summary>Open files (RLIMIT_NOFILE). The default value is 256.</summary>
    public int OpenFiles { get; init; } = 256;

    /// <summary>Stack size (RLIMIT_STACK). The default value is 64 MiB.</summary>
    public long StackBytes { get; init; } = 64L << 20;

    /// <summary>The wall-clock limit in force: explicit, else 3 × CPU + 1 s.</summary>
    public TimeSpan EffectiveWallTime => WallTime ?? (CpuTime * 3) + TimeSpan.FromSeconds(1);

    /// <summary>The run defaults of the product.</summary>
    public static ResourceLimits RunDefaults { get; } = new();

    /// <summary>
    /// Compilation limits, never the run's: CPU 10 s, wall 20 s, memory 1 GiB, 128 processes,
    /// 64 KiB of diagnostics per stream.
    /// </summary>
    public static ResourceLimits CompileDefaults { get; } = new()
    {
        CpuTime = TimeSpan.FromSeconds(10),
        WallTime = TimeSpan.FromSeconds(20),
        MemoryBytes = 1L << 30,
        Processes = 128,
        StdoutBytes = 64L << 10,
        StderrBytes = 64L << 10,
        FileSizeBytes = 256L << 20,
        BoxBytes = 512L << 20,
        TmpBytes = 512L << 20,
        Inodes = 65536,
        OpenFiles = 1024,
    };
}
