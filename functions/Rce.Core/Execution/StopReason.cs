namespace Rce.Core.Execution;

/// <summary>Why a sandboxed process tree ended, when it did not simply exit by itself.</summary>
public enum StopReason
{
    /// <summary>It exited (or was killed by a signal it provoked) without hitting a limit.</summary>
    None = 0,

    /// <summary>The parent stopped it at the wall-clock limit.</summary>
    WallTime = 1,

    /// <summary>The tree's CPU time (cgroup accounting, or RLIMIT_CPU as a backstop) reached its limit.</summary>
    CpuTime = 2,

    /// <summary>The memory cgroup's OOM killer fired, or the runtime reported its own out-of-memory.</summary>
    Memory = 3,

    /// <summary>stdout or stderr exceeded its cap, or a file reached RLIMIT_FSIZE.</summary>
    Output = 4,

    /// <summary>A fork or thread creation was refused by the pids cgroup.</summary>
    ProcessLimit = 5,

    /// <summary>The seccomp filter killed it (a forbidden ABI or syscall).</summary>
    DeniedSyscall = 6,

    /// <summary>The sandbox could not be built or torn down: our failure, not the program's.</summary>
    SandboxFailure = 7,
}
