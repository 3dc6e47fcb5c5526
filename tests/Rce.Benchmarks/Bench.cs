using System.Diagnostics;
using Rce.Sandbox;
using SandboxEngine = Rce.Sandbox.Sandbox;

namespace Rce.Benchmarks;

/// <summary>Sequential latency of one workload: bare, sandboxed, and their per-iteration difference (ms).</summary>
internal sealed record LatencyResult(Workload Workload, Stats Bare, Stats Sandbox, Stats Overhead, Stats EngineWall, CpuResult Cpu);

/// <summary>CPU time per sequential run (ms): of the program's tree (bare: reaped children; sandbox: the box's cgroup), and of this process (the runner).</summary>
internal sealed record CpuResult(Stats BareChildren, Stats SandboxChildren, Stats BareRunner, Stats SandboxRunner);

/// <summary>Runs per second of one workload at a given concurrency.</summary>
internal sealed record ThroughputResult(Workload Workload, int RunsPerMode, double BareRate, double SandboxRate)
{
    public double Ratio => SandboxRate / BareRate;
}

/// <summary>Everything one benchmark run measured; a suite that did not run has empty lists or null.</summary>
internal sealed record BenchResults(
    BenchOptions Options,
    MachineInfo Machine,
    string LoadBefore,
    string LoadAfter,
    int SlotCount,
    string? CgroupVersion,
    TimeSpan Duration,
    TimeSpan SandboxDuration,
    IReadOnlyList<LatencyResult> Latency,
    IReadOnlyList<ThroughputResult> Throughput,
    GradingResults? Grading,
    PipelineResults? Pipeline);

/// <summary>
/// The benchmark. Sandbox suite: sequential latency pairs, then concurrent throughput rounds, bare
/// and sandboxed interleaved. Grading suite: see <see cref="GradingBench"/>. Pipeline suite: see
/// <see cref="PipelineBench"/>.
/// </summary>
internal static class Bench
{
    private const string WorkRoot = "/run/rce-bench";

    public static async Task<string> RunAsync(BenchOptions options, TextWriter progress)
    {
        var began = Stopwatch.GetTimestamp();
        var sandboxOptions = new SandboxOptions();
        SandboxEngine sandbox;
        try
        {
            sandbox = SandboxEngine.Create(sandboxOptions);
        }
        catch (SandboxUnavailableException ex)
        {
            throw new BenchmarkException($"the sandbox is unavailable on this host: {ex.Message}", ex);
        }

        using (sandbox)
        {
            var machine = MachineInfo.Read(sandboxOptions.EffectiveBwrapPath);
            var loadBefore = MachineInfo.LoadAverage();
            var latency = new List<LatencyResult>();
            var throughput = new List<ThroughputResult>();
            var sandboxDuration = TimeSpan.Zero;
            if (options.RunsSandbox)
            {
                var sandboxBegan = Stopwatch.GetTimestamp();
                await RunSandboxSuiteAsync(sandbox, options, progress, latency, throughput);
                sandboxDuration = Stopwatch.GetElapsedTime(sandboxBegan);
            }

            var grading = options.RunsGrading ? await GradingBench.RunAsync(sandbox, options, progress) : null;
            var pipeline = options.RunsPipeline ? await PipelineBench.RunAsync(sandbox, options, progress) : null;
            var rateLimits = options.RunsRateLimits ? await RateLimitBench.RunAsync(options.Quick ? 2_000 : 20_000, progress, CancellationToken.None) : string.Empty;
            if (!options.RunsSandbox && !options.RunsGrading && !options.RunsPipeline)
            {
                return rateLimits; // the rate-limit section stands alone (it names its machine load itself)
            }

            return MarkdownReport.Render(new BenchResults(
                options, machine, loadBefore, MachineInfo.LoadAverage(), sandbox.SlotCount, sandbox.Capabilities.CgroupVersion,
                Stopwatch.GetElapsedTime(began), sandboxDuration, latency, throughput, grading, pipeline)) + rateLimits;
        }
    }

    private static async Task RunSandboxSuiteAsync(SandboxEngine sandbox, BenchOptions options, TextWriter progress, List<LatencyResult> latency, List<ThroughputResult> throughput)
    {
        var workDir = ScratchDirectory.Create(WorkRoot);
        try
        {
            await CompileHelloAsync(workDir);
            await File.WriteAllBytesAsync(Path.Combine(workDir, "main.py"), Workload.PythonSource.ToArray());
            Workload[] workloads = [Workload.StaticC(workDir), Workload.Python(workDir)];
            foreach (var workload in workloads)
            {
                latency.Add(await MeasureLatencyAsync(workload, sandbox, options, progress));
            }

            foreach (var workload in workloads)
            {
                throughput.Add(await MeasureThroughputAsync(workload, sandbox, options, progress));
            }
        }
        finally
        {
            ScratchDirectory.Delete(workDir);
        }
    }

    /// <summary>
    /// Sequential pairs: each iteration runs the program once bare and once sandboxed, the order
    /// alternating, so that drift and bursts of machine noise hit both sides alike.
    /// </summary>
    private static async Task<LatencyResult> MeasureLatencyAsync(Workload workload, SandboxEngine sandbox, BenchOptions options, TextWriter progress)
    {
        var bare = new List<double>(options.Iterations);
        var boxed = new List<double>(options.Iterations);
        var engine = new List<double>(options.Iterations);
        var overhead = new List<double>(options.Iterations);
        var cpu = new[] { new List<double>(), new List<double>(), new List<double>(), new List<double>() };
        var step = Math.Max(1, options.Iterations / 4);
        for (var i = -options.WarmupPairs; i < options.Iterations; i++)
        {
            TimeSpan b = default;
            (TimeSpan Total, TimeSpan Engine, TimeSpan Cpu) s = default;
            (TimeSpan Children, TimeSpan Runner) bareCpu = default, boxedCpu = default;
            for (var half = 0; half < 2; half++)
            {
                var children = CpuClock.Children();
                var runner = CpuClock.Self();
                if ((half ^ (i & 1)) == 0)
                {
                    b = await workload.RunBareAsync(CancellationToken.None);
                    bareCpu = (CpuClock.Children() - children, CpuClock.Self() - runner);
                }
                else
                {
                    s = await workload.RunSandboxedAsync(sandbox, CancellationToken.None);
                    // Not RUSAGE_CHILDREN: bwrap exits as soon as its pid 1 reports the program's
                    // status, so pid 1 and the program are reaped by the host's init, not by us.
                    boxedCpu = (s.Cpu, CpuClock.Self() - runner);
                }
            }

            if (i < 0)
            {
                continue; // warm-up: JIT, page cache, first cgroup and mount of the run
            }

            bare.Add(b.TotalMilliseconds);
            boxed.Add(s.Total.TotalMilliseconds);
            engine.Add(s.Engine.TotalMilliseconds);
            overhead.Add((s.Total - b).TotalMilliseconds);
            cpu[0].Add(bareCpu.Children.TotalMilliseconds);
            cpu[1].Add(boxedCpu.Children.TotalMilliseconds);
            cpu[2].Add(bareCpu.Runner.TotalMilliseconds);
            cpu[3].Add(boxedCpu.Runner.TotalMilliseconds);
            if ((i + 1) % step == 0)
            {
                await progress.WriteLineAsync($"rce bench: latency    {workload.Key,-6} {i + 1,5}/{options.Iterations}");
            }
        }

        return new LatencyResult(workload, Stats.Of(bare), Stats.Of(boxed), Stats.Of(overhead), Stats.Of(engine),
            new CpuResult(Stats.Of(cpu[0]), Stats.Of(cpu[1]), Stats.Of(cpu[2]), Stats.Of(cpu[3])));
    }

    /// <summary>
    /// Rounds of a fixed number of runs at the given concurrency, bare and sandboxed rounds
    /// alternating (and which goes first alternating too); rate = runs / summed round time.
    /// </summary>
    private static async Task<ThroughputResult> MeasureThroughputAsync(Workload workload, SandboxEngine sandbox, BenchOptions options, TextWriter progress)
    {
        var perRound = Math.Max(options.Concurrency, options.Iterations / options.ThroughputRounds);
        var bareTime = TimeSpan.Zero;
        var boxedTime = TimeSpan.Zero;
        for (var round = 0; round < options.ThroughputRounds; round++)
        {
            if ((round & 1) == 0)
            {
                bareTime += await RunConcurrentAsync(perRound, options.Concurrency, () => workload.RunBareAsync(CancellationToken.None));
                boxedTime += await RunConcurrentAsync(perRound, options.Concurrency, () => workload.RunSandboxedAsync(sandbox, CancellationToken.None));
            }
            else
            {
                boxedTime += await RunConcurrentAsync(perRound, options.Concurrency, () => workload.RunSandboxedAsync(sandbox, CancellationToken.None));
                bareTime += await RunConcurrentAsync(perRound, options.Concurrency, () => workload.RunBareAsync(CancellationToken.None));
            }

            await progress.WriteLineAsync($"rce bench: throughput {workload.Key,-6} round {round + 1}/{options.ThroughputRounds}");
        }

        var runs = perRound * options.ThroughputRounds;
        return new ThroughputResult(workload, runs, runs / bareTime.TotalSeconds, runs / boxedTime.TotalSeconds);
    }

    /// <summary>Runs <paramref name="count"/> calls of <paramref name="run"/>, at most <paramref name="concurrency"/> at once; returns the elapsed time.</summary>
    public static async Task<TimeSpan> RunConcurrentAsync(int count, int concurrency, Func<Task> run)
    {
        var next = 0;
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                await run();
            }
        }));
        await Task.WhenAll(workers);
        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task CompileHelloAsync(string dir)
    {
        var source = Path.Combine(dir, "hello.c");
        await File.WriteAllTextAsync(source, Workload.CSource);
        var info = new ProcessStartInfo("gcc") { RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        foreach (var argument in new[] { "-O2", "-static", "-o", "hello", "hello.c" })
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using var gcc = Process.Start(info) ?? throw new BenchmarkException("gcc did not start");
            var errors = await gcc.StandardError.ReadToEndAsync();
            await gcc.WaitForExitAsync();
            if (gcc.ExitCode != 0)
            {
                throw new BenchmarkException($"gcc -static failed (is the static libc installed?): {errors.Trim()}");
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new BenchmarkException("gcc is required to build the static C hello", ex);
        }
    }
}
