using System.Runtime.InteropServices;

namespace Rce.Benchmarks;

/// <summary>CPU time (user + system) from getrusage(2): of this process, and of its reaped descendants.</summary>
/// <remarks>
/// <c>RUSAGE_CHILDREN</c> covers every terminated child this process waited for, and what those
/// children waited for in turn: the whole bare run. (Not the sandboxed run: bwrap exits as soon as
/// its pid 1 reports the status, so pid 1 and the program are reaped by the host's init; the box's
/// cgroup measures that side.) Unlike wall time, CPU time does not grow when other work on the
/// machine delays the runs.
/// </remarks>
internal static partial class CpuClock
{
    private const int RusageSelf = 0;
    private const int RusageChildren = -1;

    /// <summary>CPU time of every reaped descendant so far.</summary>
    public static TimeSpan Children() => Read(RusageChildren);

    /// <summary>CPU time of this process (all its threads) so far.</summary>
    public static TimeSpan Self() => Read(RusageSelf);

    private static unsafe TimeSpan Read(int who)
    {
        // struct rusage on x86_64: ru_utime and ru_stime (timeval: long sec, long usec), then 14 longs.
        var usage = stackalloc long[18];
        if (getrusage(who, usage) != 0)
        {
            throw new BenchmarkException($"getrusage failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return TimeSpan.FromSeconds(usage[0] + usage[2]) + TimeSpan.FromMicroseconds(usage[1] + usage[3]);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int getrusage(int who, long* usage);
}
