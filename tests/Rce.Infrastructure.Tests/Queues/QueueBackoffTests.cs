using Rce.Infrastructure.Queues;

namespace Rce.Infrastructure.Tests.Queues;

public sealed class QueueBackoffTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>Always the same draw: 0 gives r = 0.8, just under 1 gives r ≈ 1.2.</summary>
    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }

    [Fact]
    public void Next_Idle_FollowsTheDocumentedSequenceWithinJitterBounds()
    {
        var low = Sequence(new QueueBackoff(Minute, new FixedRandom(0)), 14);
        var high = Sequence(new QueueBackoff(Minute, new FixedRandom(0.999999)), 14);
        var mid = Sequence(new QueueBackoff(Minute, new FixedRandom(0.5)), 14);

        // r = 1: 100, 200, 300, 500, 900, 1700, 3300, 6500, 12900, 25700, 51300, then the cap.
        double[] expectedMid = [100, 200, 300, 500, 900, 1700, 3300, 6500, 12900, 25700, 51300, 60000, 60000, 60000];
        Assert.Equal(expectedMid, mid.Select(d => Math.Round(d.TotalMilliseconds)));
        for (var i = 1; i < 10; i++)
        {
            var increment = Math.Pow(2, i - 1) * 100;
            Assert.Equal(100 + (0.8 * increment), low[i].TotalMilliseconds, 3);
            Assert.Equal(100 + (1.2 * increment), high[i].TotalMilliseconds, 1);
        }

        // Step 10: 100 + 0.8 × 51 200 = 41 060 ms fits under the cap; 100 + 1.2 × 51 200 does not.
        Assert.Equal(41_060, low[10].TotalMilliseconds, 3);
        Assert.Equal(Minute, high[10]);

        Assert.All(low.Concat(high), d => Assert.InRange(d, TimeSpan.FromMilliseconds(100), Minute));
        Assert.Equal(Minute, high[^1]);
        Assert.Equal(Minute, low[^1]);
    }

    [Fact]
    public void Next_RealRandom_StaysWithinBoundsAndReachesTheCap()
    {
        var backoff = new QueueBackoff(TimeSpan.FromSeconds(2), new Random(1234));
        var delays = Sequence(backoff, 20);

        Assert.Equal(TimeSpan.FromMilliseconds(100), delays[0]);
        for (var i = 1; i < delays.Count && delays[i] < TimeSpan.FromSeconds(2); i++)
        {
            var increment = Math.Pow(2, i - 1) * 100;
            Assert.InRange(delays[i].TotalMilliseconds, 100 + (0.8 * increment), 100 + (1.2 * increment));
        }

        Assert.Equal(TimeSpan.FromSeconds(2), delays[^1]);
    }

    [Fact]
    public void Next_FoundMessage_ResetsToMinimumThenGrowsAgain()
    {
        var backoff = new QueueBackoff(Minute, new FixedRandom(0.5));
        Sequence(backoff, 8);
        Assert.True(backoff.Current > TimeSpan.FromSeconds(5));

        Assert.Equal(TimeSpan.FromMilliseconds(100), backoff.Next(foundMessage: true));
        Assert.Equal(TimeSpan.FromMilliseconds(200), backoff.Next(foundMessage: false));
        Assert.Equal(TimeSpan.FromMilliseconds(300), backoff.Next(foundMessage: false));
    }

    [Fact]
    public void Next_MaximumAtTheMinimum_AlwaysMinimum()
    {
        var backoff = new QueueBackoff(TimeSpan.FromMilliseconds(100), new FixedRandom(0.5));

        Assert.All(Sequence(backoff, 5), d => Assert.Equal(TimeSpan.FromMilliseconds(100), d));
    }

    [Fact]
    public void Ctor_MaximumBelowMinimum_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new QueueBackoff(TimeSpan.FromMilliseconds(99)));

    private static List<TimeSpan> Sequence(QueueBackoff backoff, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => backoff.Next(foundMessage: false))];
}
