using System.Globalization;
using System.Text;

namespace Rce.Benchmarks;

/// <summary>Renders the results as markdown, ready to paste into docs/performance.md.</summary>
internal static class MarkdownReport
{
    public const double OverheadGoalMs = 15;
    public const double OverheadStretchMs = 10;
    public const double PythonThroughputGoal = 0.7;

    public static string Render(BenchResults r)
    {
        var o = r.Options;
        var s = new StringBuilder();
        var suites = new List<string>();
        if (r.Latency.Count > 0)
        {
            suites.Add("Sandbox");
        }

        if (r.Grading is not null)
        {
            suites.Add("grading and runner");
        }

        if (r.Pipeline is not null)
        {
            suites.Add("pipeline");
        }

        var title = suites.Count switch
        {
            1 => suites[0],
            2 => suites[0] + (suites[0].Contains(" and ", StringComparison.Ordinal) ? ", and " : " and ") + suites[1],
            _ => string.Join(", ", suites.Take(suites.Count - 1)) + ", and " + suites[^1],
        };
        Line(s, "## " + char.ToUpperInvariant(title[0]) + title[1..] + " benchmark");
        Line(s);
        Line(s, "| Machine | |");
        Line(s, "|---|---|");
        Line(s, $"| CPU | {r.Machine.Cpu} ({r.Machine.LogicalCpus} logical CPUs, `nproc` = {r.Machine.LogicalCpus}) |");
        Line(s, $"| Memory | {r.Machine.Memory} |");
        Line(s, $"| Kernel | {r.Machine.Kernel} |");
        Line(s, $"| OS | {r.Machine.Os} |");
        Line(s, $"| Sandbox | {r.Machine.Bwrap}, cgroup {r.CgroupVersion ?? "?"}, {r.SlotCount} machine-wide slots |");
        Line(s, $"| Runtime | {r.Machine.Runtime} |");
        if (r.Grading is { } g)
        {
            Line(s, $"| Toolchains | {g.Toolchains} |");
        }
        else if (r.Pipeline is { } pipelineTools)
        {
            Line(s, $"| Toolchains | {pipelineTools.Python} |");
        }

        Line(s, $"| Load average (1/5/15 min) | before {r.LoadBefore}; after {r.LoadAfter} |");
        var quick = o.Quick ? "--quick (smoke test; numbers are indicative only), " : "";
        if (r.Latency.Count > 0)
        {
            Line(s, $"| Run | {quick}{o.Iterations} sequential pairs per workload after {o.WarmupPairs} warm-up; " +
                    $"throughput {(r.Throughput.Count > 0 ? r.Throughput[0].RunsPerMode : 0)} runs per mode in {o.ThroughputRounds} alternating rounds at concurrency {o.Concurrency}; took {r.SandboxDuration.TotalSeconds:0} s |");
        }

        if (r.Grading is { } grading)
        {
            Line(s, $"| Grading run | {quick}{grading.Grading.Tests} tests, {grading.Grading.OneCompile.Count} one-compile and {grading.Grading.PerTest.Count} compile-per-test gradings; " +
                    $"{o.CacheIterations} cache misses per language, {GradingBench.HitsPerMiss} hits each; runner {(grading.Runner.Count > 0 ? grading.Runner[0].RunsPerMode : 0)} tests per mode " +
                    $"in {grading.ThroughputRounds} rotating rounds; load before {grading.LoadBefore}, after {grading.LoadAfter}; took {grading.Duration.TotalSeconds:0} s |");
        }

        if (r.Pipeline is { } pipeline)
        {
            PipelineReport.RunLine(s, o, pipeline);
        }

        if (suites.Count > 1)
        {
            Line(s, $"| Total | took {r.Duration.TotalSeconds:0} s |");
        }

        Line(s);
        if (r.Latency.Count == 0)
        {
            if (r.Grading is not null)
            {
                GradingReport.Render(s, r.Grading);
                Line(s);
            }

            if (r.Pipeline is not null)
            {
                PipelineReport.Render(s, r.Pipeline);
            }

            return s.ToString();
        }

        Line(s, "### Latency per run (sequential, bare and sandboxed interleaved)");
        Line(s);
        Line(s, "| Workload | Bare median | Bare p90 | Sandbox median | Sandbox p90 | Overhead median | Overhead p90 | Sandbox / bare |");
        Line(s, "|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var l in r.Latency)
        {
            Line(s, $"| {l.Workload.Name} | {Ms(l.Bare.Median)} | {Ms(l.Bare.P90)} | {Ms(l.Sandbox.Median)} | {Ms(l.Sandbox.P90)} | " +
                    $"{Ms(l.Overhead.Median)} | {Ms(l.Overhead.P90)} | {l.Sandbox.Median / l.Bare.Median:0.0}× |");
        }

        Line(s);
        Line(s, "Overhead = sandboxed − bare wall time of the same iteration (median and p90 of those differences). " +
                "Wall time is measured by the caller around `Process.Start` … exit (bare) and around `Sandbox.RunAsync` (sandboxed).");
        Line(s);

        Line(s, "### Where the sandboxed time goes (medians)");
        Line(s);
        Line(s, "| Workload | `RunAsync` total | launcher start → tree gone | slot, box, cgroup setup and teardown |");
        Line(s, "|---|---:|---:|---:|");
        foreach (var l in r.Latency)
        {
            Line(s, $"| {l.Workload.Name} | {Ms(l.Sandbox.Median)} | {Ms(l.EngineWall.Median)} | {Ms(l.Sandbox.Median - l.EngineWall.Median)} |");
        }

        Line(s);
        Line(s, "The middle column is the engine's own `ProcessReport.WallTime`: from starting `rce-launch` (→ bwrap → rce-init → program) " +
                "until the box's cgroup is empty. The last column is the rest: claiming the slot, mounting the two tmpfs, writing files, " +
                "creating and removing the cgroups, unmounting.");
        Line(s);

        Line(s, "### CPU time per run (medians, same sequential runs)");
        Line(s);
        Line(s, "| Workload | Bare: program | Sandbox: launcher + bwrap + rce-init + program (box cgroup) | Runner (.NET), bare | Runner (.NET), sandbox |");
        Line(s, "|---|---:|---:|---:|---:|");
        foreach (var l in r.Latency)
        {
            Line(s, $"| {l.Workload.Name} | {Ms(l.Cpu.BareChildren.Median)} | {Ms(l.Cpu.SandboxChildren.Median)} | {Ms(l.Cpu.BareRunner.Median)} | {Ms(l.Cpu.SandboxRunner.Median)} |");
        }

        Line(s);
        Line(s, "CPU time (user + system; bare: `getrusage` of the reaped child; sandbox: the box's cgroup, which the launcher joins right after its own exec) does not grow when other work on the machine delays a run, so it is the steadier " +
                "measure of the sandbox's cost on a shared machine. The runner columns are this process's own CPU during the run " +
                "(starting the process, pipes, and for the sandbox: slot, mounts, cgroups), with some background runtime noise.");
        Line(s);

        Line(s, $"### Throughput at concurrency {o.Concurrency}");
        Line(s);
        Line(s, "| Workload | Bare runs/s | Sandbox runs/s | Sandbox / bare |");
        Line(s, "|---|---:|---:|---:|");
        foreach (var t in r.Throughput)
        {
            Line(s, $"| {t.Workload.Name} | {t.BareRate:0.0} | {t.SandboxRate:0.0} | {t.Ratio:0.00}× |");
        }

        Line(s);

        Line(s, "### Goals");
        Line(s);
        Line(s, "| Goal | Target | Measured | Met |");
        Line(s, "|---|---|---:|---|");
        var c = r.Latency.FirstOrDefault(l => l.Workload.Key == "c");
        if (c is not null)
        {
            var m = c.Overhead.Median;
            Line(s, $"| Static C hello: median sandbox overhead over bare | ≤ {OverheadGoalMs:0} ms (stretch ≤ {OverheadStretchMs:0} ms) | {Ms(m)} | " +
                    $"{(m <= OverheadStretchMs ? "yes, stretch too" : m <= OverheadGoalMs ? "yes (stretch: no)" : "**no**")} |");
        }

        var py = r.Throughput.FirstOrDefault(t => t.Workload.Key == "python");
        if (py is not null)
        {
            Line(s, $"| Python hello: throughput at concurrency {o.Concurrency}, sandbox / bare | ≥ {PythonThroughputGoal:0.0}× | {py.Ratio:0.00}× | " +
                    $"{(py.Ratio >= PythonThroughputGoal ? "yes" : "**no**")} |");
        }

        if (r.Grading is not null)
        {
            Line(s);
            GradingReport.Render(s, r.Grading);
        }

        if (r.Pipeline is not null)
        {
            Line(s);
            PipelineReport.Render(s, r.Pipeline);
        }

        return s.ToString();
    }

    public static string Ms(double value) => value.ToString(Math.Abs(value) < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";

    public static void Line(StringBuilder s, string text = "") => s.Append(text).Append('\n');
}
