using Rce.Core.Submissions;

namespace Rce.Core.Tests.Submissions;

public sealed class RetryDelayTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(1, 2_000)]
    [InlineData(2, 4_000)]
    [InlineData(3, 8_000)]
    [InlineData(5, 32_000)]
    public void Compute_NoJitter_DoublesPerAttempt(int attempt, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RetryDelay.Compute(attempt, Base, Cap, new FixedRandom(0.5)));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(30)]
    [InlineData(1_000)]
    [InlineData(int.MaxValue)]
    public void Compute_LargeAttempt_Capped(int attempt)
    {
        Assert.Equal(Cap, RetryDelay.Compute(attempt, Base, Cap, new FixedRandom(0.5)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Compute_AttemptBelowOne_BaseDelay(int attempt)
    {
        Assert.Equal(Base, RetryDelay.Compute(attempt, Base, Cap, new FixedRandom(0.5)));
    }

    [Fact]
    public void Compute_JitterExtremes_EightyToHundredTwentyPercent()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(3_200), RetryDelay.Compute(2, Base, Cap, new FixedRandom(0)));
        Assert.Equal(TimeSpan.FromMilliseconds(4_800), RetryDelay.Compute(2, Base, Cap, new FixedRandom(1)));
        Assert.Equal(TimeSpan.FromSeconds(72), RetryDelay.Compute(20, Base, Cap, new FixedRandom(1)));
    }

    [Fact]
    public void Compute_RealRandom_WithinRangeAndSpread()
    {
        var random = new Random(1234);
        var samples = Enumerable.Range(0, 1_000).Select(_ => RetryDelay.Compute(3, Base, Cap, random)).ToList();

        Assert.All(samples, d => Assert.InRange(d, TimeSpan.FromMilliseconds(6_400), TimeSpan.FromMilliseconds(9_600)));
        Assert.True(samples.Min() < TimeSpan.FromMilliseconds(6_800), $"min {samples.Min()}");
        Assert.True(samples.Max() > TimeSpan.FromMilliseconds(9_200), $"max {samples.Max()}");
    }

    [Fact]
    public void Compute_HugeDelay_ClampedToSevenDays()
    {
        var tenDays = TimeSpan.FromDays(10);

        Assert.Equal(TimeSpan.FromDays(7), RetryDelay.Compute(1, tenDays, tenDays, new FixedRandom(0.5)));
    }

    [Fact]
    public void Compute_ZeroBase_Zero()
    {
        Assert.Equal(TimeSpan.Zero, RetryDelay.Compute(4, TimeSpan.Zero, Cap, new FixedRandom(1)));
    }

    [Fact]
    public void Compute_NullRandom_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => RetryDelay.Compute(1, Base, Cap, null!));
    }

    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }
}
