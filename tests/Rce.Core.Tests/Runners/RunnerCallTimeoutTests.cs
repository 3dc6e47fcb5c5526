using Rce.Core.Runners;

namespace Rce.Core.Tests.Runners;

public sealed class RunnerCallTimeoutTests
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(10, 2_000, 3_000, 4, 3_000 + (3 * 2_000) + 10_000)]
    [InlineData(8, 2_000, 0, 4, 0 + (2 * 2_000) + 10_000)]
    [InlineData(1, 2_000, 0, 8, 2_000 + 10_000)]
    [InlineData(1, 2_000, 500, 1, 500 + 2_000 + 10_000)]
    [InlineData(0, 2_000, 500, 1, 500 + 10_000)]
    public void Compute_FromLimits_IsCompilePlusWavesPlusMargin(int tests, int testWallMs, int compileWallMs, int slots, int expectedMs)
    {
        var request = Request(tests, testWallMs, compileWallMs);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RunnerCallTimeout.Compute(request, slots, Margin));
    }

    [Fact]
    public void Compute_MoreSlots_NeverLongerThanFewer()
    {
        var request = Request(100, 3_000, 10_000);
        var previous = TimeSpan.MaxValue;
        for (var slots = 1; slots <= 16; slots++)
        {
            var timeout = RunnerCallTimeout.Compute(request, slots, Margin);
            Assert.True(timeout <= previous, $"slots {slots}");
            previous = timeout;
        }
    }

    [Fact]
    public void Compute_OneTestOnManySlots_GetsItsFullWallTime() =>
        Assert.True(RunnerCallTimeout.Compute(Request(1, 5_000, 0), 64, TimeSpan.Zero) >= TimeSpan.FromSeconds(5));

    [Fact]
    public void Compute_Huge_IsMaxValueNotOverflow()
    {
        var request = new RunnerRequest(ReadOnlyMemory<byte>.Empty, int.MaxValue, TimeSpan.FromDays(1_000_000), TimeSpan.Zero);
        Assert.Equal(TimeSpan.MaxValue, RunnerCallTimeout.Compute(request, 1, Margin));
    }

    [Fact]
    public void Compute_ZeroSlots_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RunnerCallTimeout.Compute(Request(1, 1, 1), 0, Margin));

    [Fact]
    public void Compute_NegativeMargin_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RunnerCallTimeout.Compute(Request(1, 1, 1), 1, TimeSpan.FromMilliseconds(-1)));

    [Fact]
    public void RunnerRequest_NegativeValues_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RunnerRequest(ReadOnlyMemory<byte>.Empty, -1, TimeSpan.Zero, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RunnerRequest(ReadOnlyMemory<byte>.Empty, 1, TimeSpan.FromTicks(-1), TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RunnerRequest(ReadOnlyMemory<byte>.Empty, 1, TimeSpan.Zero, TimeSpan.FromTicks(-1)));
    }

    private static RunnerRequest Request(int tests, int testWallMs, int compileWallMs) =>
        new(ReadOnlyMemory<byte>.Empty, tests, TimeSpan.FromMilliseconds(testWallMs), TimeSpan.FromMilliseconds(compileWallMs));
}
