using Rce.Core.RateLimiting;
using Rce.Infrastructure.Redis;

namespace Rce.Infrastructure.Tests.Redis;

public sealed class RateLimitRequestTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Create_RulesAndClaim_KeysPrefixedAndArgumentsInScriptOrder()
    {
        var request = RateLimitRequest.Create(
            "rce:",
            [new("a", "{t:x}:req", 10, TimeSpan.FromSeconds(1.5)), new("b", "{t:x}:q:hour", 100, TimeSpan.FromHours(1), 7)],
            new InFlightClaim("c", "{t:x}:inflight", 5, ["s1", "s2"], Now.AddSeconds(90)),
            Now);

        Assert.Equal(["rce:{t:x}:req", "rce:{t:x}:q:hour", "rce:{t:x}:inflight"], request.Keys.Select(k => k.ToString()));
        Assert.Equal(["a", "b", "c"], request.Policies);
        var values = request.Values.Select(v => v.ToString()).ToArray();
        Assert.Equal("2", values[0]);
        Assert.Matches("^[0-9a-f]{24}$", values[1]);
        Assert.Equal(["10", "1500", "1", "100", "3600000", "7", "5", "90000", "2", "s1", "s2"], values[2..]);
    }

    [Fact]
    public void Create_TwoCalls_DistinctCallIds()
    {
        RateLimitRule[] rules = [new("a", "k", 1, TimeSpan.FromSeconds(1))];

        Assert.NotEqual(RateLimitRequest.Create("", rules, null, Now).Values[1], RateLimitRequest.Create("", rules, null, Now).Values[1]);
    }

    [Fact]
    public void Create_DeadlinePassed_LivesOneMillisecond()
    {
        var request = RateLimitRequest.Create("", [], new InFlightClaim("c", "k", 1, ["s"], Now.AddSeconds(-5)), Now);

        Assert.Equal("1", request.Values[3].ToString());
    }

    public static TheoryData<RateLimitRule> BadRules() =>
    [
        new RateLimitRule("a", "k", 0, TimeSpan.FromSeconds(1)),
        new RateLimitRule("a", "k", 1, TimeSpan.Zero),
        new RateLimitRule("a", "k", 1, TimeSpan.FromDays(400)),
        new RateLimitRule("a", "k", 1, TimeSpan.FromSeconds(1), -1),
        new RateLimitRule("a", "k", 1, TimeSpan.FromSeconds(1), RateLimitRequest.MaxCost + 1),
        new RateLimitRule("", "k", 1, TimeSpan.FromSeconds(1)),
        new RateLimitRule("a", " ", 1, TimeSpan.FromSeconds(1)),
    ];

    [Theory]
    [MemberData(nameof(BadRules))]
    public void Create_BadRule_ThrowsArgumentException(RateLimitRule rule)
    {
        Assert.ThrowsAny<ArgumentException>(() => RateLimitRequest.Create("", [rule], null, Now));
    }

    [Fact]
    public void Create_NothingToCheck_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => RateLimitRequest.Create("", [], null, Now));
    }

    [Fact]
    public void Create_EmptySubmissionId_ThrowsArgumentException()
    {
        Assert.ThrowsAny<ArgumentException>(() => RateLimitRequest.Create("", [], new InFlightClaim("c", "k", 1, ["s", ""], Now), Now));
    }

    [Theory]
    [InlineData("{t:a}:x", "{t:a}:y", true)]
    [InlineData("{t:a}:x", "{t:b}:x", false)]
    [InlineData("pre{t:a}x", "{t:a}", true)]
    [InlineData("plain", "plain", true)]
    [InlineData("plain", "other", false)]
    // An empty tag does not count: the whole key decides.
    [InlineData("{}:x", "{}:y", false)]
    // Only the first {...} is the tag.
    [InlineData("{a}{b}", "{a}{c}", true)]
    public void RequireSameSlot_Keys_AsRedisClusterHashesThem(string first, string second, bool sameSlot)
    {
        var call = () => HashTags.RequireSameSlot([first, second]);

        if (sameSlot)
        {
            call();
        }
        else
        {
            Assert.Throws<ArgumentException>(call);
        }
    }
}
