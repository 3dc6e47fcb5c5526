using System.Diagnostics;
using System.Text;
using Rce.Core.Execution;
using Rce.Sandbox.Cgroups;
using Rce.Sandbox.Launch;

namespace Rce.Sandbox.Execution;

/// <summary>
/// Runs one started launcher to its end: feeds stdin, caps outputs, enforces wall and whole-tree
/// CPU time from the parent, kills the tree, waits until its cgroup is empty, and measures.
/// </summary>
internal sealed class BoxRun(BoxSpec spec, IBoxCgroup cgroup, string statusFile, double cpuCores, TimeProvider time)
{
    private static readonly TimeSpan MinCpuPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(1);

    public async Task<ProcessReport> RunAsync(Spawner spawner, ProcessStartInfo info, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var process = await spawner.StartAsync(info).ConfigureAwait(false);
        var stdout = new OutputCollector(process.StandardOutput.BaseStream, spec.Limits.StdoutBytes);
        var stderr = new OutputCollector(process.StandardError.BaseStream, spec.Limits.StderrBytes);
        var readers = Task.WhenAll(stdout.ReadToEndAsync(), stderr.ReadToEndAsync());
        var feeder = FeedStdinAsync(process.StandardInput.BaseStream, spec.Stdin);
        var exited = process.WaitForExitAsync(CancellationToken.None);

        var stop = await MonitorAsync(exited, stdout, stderr, started, cancellationToken).ConfigureAwait(false);
        if (stop != StopReason.None)
        {
            // Kill everything but the outer bwrap: its namespace's init dies, the kernel kills the
            // rest of the namespace, and bwrap reaps its child and exits. Killing bwrap first would
            // orphan that init as a zombie for the host's init to reap (seconds, on some hosts).
            cgroup.KillAll(spare: process.Id);
            if (await Task.WhenAny(exited, Task.Delay(KillGrace, CancellationToken.None)).ConfigureAwait(false) != exited)
            {
                Kill(process);
            }
        }

        // The cgroup is the ground truth: kill what is listed until it is empty.
        if (await Task.WhenAny(exited, Task.Delay(DrainTimeout, CancellationToken.None)).ConfigureAwait(false) != exited)
        {
            Kill(process);
        }

        if (exited.IsCompleted)
        {
            spawner.Forget(process.Id);
        }

        var emptied = await DrainCgroupAsync().ConfigureAwait(false);
        var wall = time.GetElapsedTime(started);
        await Task.WhenAny(Task.WhenAll(readers, feeder), Task.Delay(DrainTimeout, CancellationToken.None)).ConfigureAwait(false);

        var stats = cgroup.ReadStats();
        var status = BoxStatus.Read(statusFile);
        await OrphanReaper.ReapAsync(status.ChildPid).ConfigureAwait(false);
        if (!status.Started || !emptied)
        {
            return Failure(
                emptied ? SetupError(stderr.Bytes, process.ExitCode) : "the box's processes could not be killed",
                stats, wall);
        }

        int? exitCode = status.ExitCode;
        int? signal = null;
        if (exitCode is null)
        {
            signal = 9; // killed by us before bwrap could report
        }
        else if (exitCode > 128 && exitCode <= 128 + 64)
        {
            // bwrap reports a child killed by signal N as exit 128+N.
            signal = exitCode - 128;
            exitCode = null;
        }

        return new ProcessReport
        {
            Stdout = stdout.Bytes,
            Stderr = stderr.Bytes,
            StdoutTruncated = stdout.Truncated,
            StderrTruncated = stderr.Truncated,
            ExitCode = exitCode,
            Signal = signal,
            CpuTime = stats.CpuTime,
            WallTime = wall,
            MemoryBytes = stats.PeakMemoryBytes,
            OomKilled = stats.OomKills > 0,
            ProcessLimitHit = stats.ProcessLimitHits > 0,
            StopReason = stop != StopReason.None ? stop : Reason(stats, signal, exitCode),
        };
    }

    private async Task<StopReason> MonitorAsync(Task exited, OutputCollector stdout, OutputCollector stderr, long started, CancellationToken cancellationToken)
    {
        var wallLimit = spec.Limits.EffectiveWallTime;
        var cpuLimit = spec.Limits.CpuTime;

        // With a quota of c cores the tree cannot use more than c × elapsed CPU time, so there is
        // no point reading the counter before elapsed = limit / c.
        var nextCpuCheck = cpuLimit / Math.Max(cpuCores, 0.01);
        var outputs = Task.WhenAny(stdout.Exceeded, stderr.Exceeded);
        while (true)
        {
            var elapsed = time.GetElapsedTime(started);
            var wait = Min(wallLimit - elapsed, nextCpuCheck - elapsed);
            if (wait > TimeSpan.Zero)
            {
                using var delayCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(wait, time, delayCts.Token);
                var first = await Task.WhenAny(exited, outputs, delay).ConfigureAwait(false);
                await delayCts.CancelAsync().ConfigureAwait(false);
                if (first == exited)
                {
                    return stdout.Truncated || stderr.Truncated ? StopReason.Output : StopReason.None;
                }

                if (first == outputs)
                {
                    return StopReason.Output;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    return StopReason.SandboxFailure;
                }
            }

            elapsed = time.GetElapsedTime(started);
            if (elapsed >= wallLimit)
            {
                return StopReason.WallTime;
            }

            if (elapsed >= nextCpuCheck)
            {
                var used = cgroup.ReadCpuTime();
                if (used >= cpuLimit)
                {
                    return StopReason.CpuTime;
                }

                nextCpuCheck = elapsed + Max(MinCpuPoll, (cpuLimit - used) / Math.Max(cpuCores, 0.01));
            }
        }
    }

    private async Task<bool> DrainCgroupAsync()
    {
        var deadline = time.GetTimestamp() + (long)(DrainTimeout.TotalSeconds * Stopwatch.Frequency);
        for (var round = 0; ; round++)
        {
            if (cgroup.IsEmpty())
            {
                return true;
            }

            if (time.GetTimestamp() > deadline)
            {
                return false;
            }

            // A group is often still populated for a moment after its last task exits; kill only
            // what outlives that moment.
            if (round > 2)
            {
                cgroup.KillAll();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private void Kill(Process process)
    {
        try
        {
            // --die-with-parent takes the pid-namespace init, and with it the whole tree, along.
            process.Kill();
        }
        catch (InvalidOperationException)
        {
        }

        cgroup.KillAll();
    }

    private static async Task FeedStdinAsync(Stream stdin, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            if (!bytes.IsEmpty)
            {
                await stdin.WriteAsync(bytes).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The program exited or closed stdin without reading it all: not an error.
        }
        finally
        {
            try
            {
                stdin.Dispose();
            }
            catch (IOException)
            {
            }
        }
    }

    private static StopReason Reason(CgroupStats stats, int? signal, int? exitCode) => (stats, signal) switch
    {
        ({ OomKills: > 0 }, _) => StopReason.Memory,
        (_, 24) => StopReason.CpuTime,
        (_, 25) => StopReason.Output,
        (_, 31) => StopReason.DeniedSyscall,
        ({ ProcessLimitHits: > 0 }, _) when signal is not null || exitCode is not 0 => StopReason.ProcessLimit,
        _ => StopReason.None,
    };

    private static string SetupError(ReadOnlyMemory<byte> stderr, int launcherExit)
    {
        // The program never started, so stderr holds only the launcher's or bwrap's own message.
        var text = Encoding.UTF8.GetString(stderr.Span).Trim();
        if (text.Length > 500)
        {
            text = text[..500];
        }

        return $"sandbox setup failed (exit {launcherExit}): {text}";
    }

    private static ProcessReport Failure(string detail, CgroupStats stats, TimeSpan wall) => new()
    {
        Stdout = ReadOnlyMemory<byte>.Empty,
        Stderr = ReadOnlyMemory<byte>.Empty,
        StopReason = StopReason.SandboxFailure,
        FailureDetail = detail,
        CpuTime = stats.CpuTime,
        WallTime = wall,
        MemoryBytes = stats.PeakMemoryBytes,
    };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
