using System.Diagnostics;
using Rce.Core.Limits;
using Rce.Core.Verdicts;
using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Containment;

/// <summary>
/// Runs one hostile program with a well-behaved neighbour started at the same time, then checks
/// the verdict, the wall-time bound (limit × 1.5 + 2 s), the neighbour's result and that nothing
/// is left behind.
/// </summary>
public abstract class ContainmentHarness(SandboxFixture fixture)
{
    protected static readonly ResourceLimits Tight = ResourceLimits.RunDefaults with
    {
        CpuTime = TimeSpan.FromSeconds(1),
        WallTime = TimeSpan.FromSeconds(3),
        MemoryBytes = 64L << 20,
        StdoutBytes = 1L << 20,
    };

    private const string NeighbourSource = "import sys\nn = sum(range(3_000_000))\nprint(sum(int(x) for x in sys.stdin.read().split()), n)\n";

    protected SandboxFixture Fixture => fixture;

    protected async Task<ProgramResult> ContainAsync(string language, string source, ResourceLimits limits, params Verdict[] expected)
    {
        var ct = TestContext.Current.CancellationToken;
        var neighbourLimits = ResourceLimits.RunDefaults with { CpuTime = TimeSpan.FromSeconds(20), WallTime = TimeSpan.FromSeconds(60) };
        var neighbour = fixture.RunAsync("python", NeighbourSource, "1 2 3 4", neighbourLimits, cancellationToken: ct);
        var watch = Stopwatch.StartNew();
        var result = await fixture.RunAsync(language, source, limits: limits, cancellationToken: ct);
        watch.Stop();

        Assert.True(expected.Contains(result.Verdict), $"expected {string.Join('/', expected)}: {result}");
        var bound = (limits.EffectiveWallTime * 1.5) + TimeSpan.FromSeconds(2);
        Assert.True(result.Run is null || result.Run.Report.WallTime <= bound, $"run took {result.Run?.Report.WallTime} > {bound}");
        var compileWall = result.Compile?.Report.WallTime ?? TimeSpan.Zero;
        Assert.True(watch.Elapsed <= bound + compileWall + TimeSpan.FromSeconds(1), $"whole call took {watch.Elapsed}");

        var n = await neighbour;
        Assert.True(n.Verdict == Verdict.Accepted && n.Stdout == "10 4499998500000\n", "neighbour: " + n);
        var left = await Leftovers.SettleAsync(fixture.Sandbox);
        Assert.True(left.Count == 0, "left behind: " + string.Join("; ", left));
        return result;
    }
}
