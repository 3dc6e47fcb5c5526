using System.Globalization;
using System.Text;
using static Rce.Benchmarks.MarkdownReport;

namespace Rce.Benchmarks;

/// <summary>The grading suite's sections of the markdown report.</summary>
internal static class GradingReport
{
    public static void Render(StringBuilder s, GradingResults r)
    {
        var g = r.Grading;
        Line(s, $"### Grading {g.Tests} tests: one compile against a compile per test");
        Line(s);
        Line(s, "| Mode | Gradings | Compiles per grading | Wall per grading (mean) | Range | Box CPU per grading (mean) |");
        Line(s, "|---|---:|---:|---:|---:|---:|");
        Row(s, "One compile (Grader + SandboxGradingBackend)", g.OneCompile);
        Row(s, "Compile per test (the Judge0 way, no cache)", g.PerTest);
        Line(s, $"| **Compile per test / one compile** | | | **{g.WallRatio:0.0}×** | | **{g.CpuRatio:0.0}×** |");
        Line(s);
        Line(s, $"Program: {g.Program}, {g.Tests} tests, checker `lines`. Both modes run {g.Parallelism} boxes at once (the slot count): " +
                "the grader runs the tests of its one grading in parallel; the compile-per-test mode runs that many one-test gradings " +
                "(compile, run, delete the artefact) at once. The compile step in the box took " +
                $"{Seconds(g.CompileWall.Median)} (median; p90 {Seconds(g.CompileWall.P90)}; {g.CompileWall.Count} compiles). Every grading measured ran all {g.Tests} tests. " +
                "Box CPU is what the boxes' cgroups charged (compiler or program, plus launcher and bwrap), summed over the grading.");
        Line(s);

        Line(s, "### Compile cache: miss against hit (`CompileCache.GetOrCompileAsync`)");
        Line(s);
        Line(s, "| Language | Miss median | Miss p90 | of which the compile box (median) | Hit median | Hit p90 | Miss / hit |");
        Line(s, "|---|---:|---:|---:|---:|---:|---:|");
        foreach (var c in r.Cache)
        {
            Line(s, $"| {c.Language} | {Ms(c.Miss.Median)} | {Ms(c.Miss.P90)} | {Ms(c.CompilerBox.Median)} | {Ms(c.Hit.Median)} | {Ms(c.Hit.P90)} | {Ratio(c.Ratio)} |");
        }

        Line(s);
        Line(s, $"{(r.Cache.Count > 0 ? r.Cache[0].Miss.Count : 0)} misses per language (a fresh key each: the same program with a unique comment), " +
                $"each followed by {GradingBench.HitsPerMiss} hits on its key, after one unmeasured warm-up miss. A miss takes the key's lock, compiles in a box, " +
                "publishes the entry (fsync, rename) and evicts if over the bound; a hit takes the entry's shared lock and reads its outcome.");
        Line(s);

        Line(s, $"### Runner against the bare sandbox: tests per second at concurrency {r.Concurrency}");
        Line(s);
        Line(s, "| Workload | Tests per mode | Bare sandbox tests/s | Runner, one request of N tests: tests/s | Runner / bare | Runner, one request per test: tests/s | Runner / bare |");
        Line(s, "|---|---:|---:|---:|---:|---:|---:|");
        foreach (var t in r.Runner)
        {
            Line(s, $"| {t.Workload} | {t.RunsPerMode} | {Rate(t.BareRate)} | {Rate(t.BatchRate)} (N = {t.TestsPerRequest}) | {t.BatchRatio:0.00}× | {Rate(t.SingleRate)} | {t.SingleRatio:0.00}× |");
        }

        Line(s);
        Line(s, $"Bare sandbox: `ProgramExecutor.RunAsync` in this process, {r.Concurrency} at once. Runner: the real service (`Rce.Runner.dll`, a child process, " +
                $"{r.RunnerSlots} slots) over HTTP on loopback; a request compiles once (for C: a compile cache hit after the warm-up) and runs its tests up to its slot count at once; " +
                $"the one-request-per-test mode keeps {r.Concurrency} requests in flight. Both sides check every answer. The runner started in " +
                $"{Seconds(r.RunnerStartup.TotalMilliseconds)} (until `/health` was 200, the self-tests of every language included; not part of the rates).");
    }

    private static void Row(StringBuilder s, string mode, IReadOnlyList<GradingRound> rounds)
    {
        var walls = rounds.Select(x => x.Wall.TotalMilliseconds).ToArray();
        Line(s, $"| {mode} | {rounds.Count} | {rounds[0].Compiles} | {Seconds(walls.Average())} | {Seconds(walls.Min())}–{Seconds(walls.Max())} | " +
                $"{Seconds(rounds.Average(x => x.BoxCpu.TotalMilliseconds))} |");
    }

    private static string Seconds(double ms) => (ms / 1000).ToString(ms < 10_000 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " s";

    private static string Rate(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Ratio(double value) => value.ToString(value >= 100 ? "#,0" : "0.0", CultureInfo.InvariantCulture) + "×";
}
