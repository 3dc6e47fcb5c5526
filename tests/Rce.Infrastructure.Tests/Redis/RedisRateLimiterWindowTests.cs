using System.Diagnostics;
using Rce.Core.RateLimiting;
using Rce.Testing;
using StackExchange.Redis;

namespace Rce.Infrastructure.Tests.Redis;

/// <summary>Sliding windows against a real redis-server: exact limits, sliding, all-or-nothing, batches.</summary>
public sealed class RedisRateLimiterWindowTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task CheckAsync_LimitReached_AdmitsExactlyLimitThenRefusesWithSaneHeaders()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        var window = TimeSpan.FromSeconds(10);
        var rule = new RateLimitRule("user-submissions", LimiterHarness.Key("u:1:sub"), 5, window);

        for (var i = 1; i <= 5; i++)
        {
            var admitted = await kit.Limiter.CheckAsync([rule], null, ct);
            Assert.True(admitted.Allowed);
            Assert.Equal("user-submissions", admitted.Policy);
            Assert.Equal(5, admitted.Limit);
            Assert.Equal(5 - i, admitted.Remaining);
            // Just counted: the budget is whole again one full window from now.
            Assert.Equal(window, admitted.Reset);
            Assert.Equal(TimeSpan.Zero, admitted.RetryAfter);
        }

        var refused = await kit.Limiter.CheckAsync([rule], null, ct);

        Assert.False(refused.Allowed);
        Assert.Equal("user-submissions", refused.Policy);
        Assert.Equal(5, refused.Limit);
        Assert.Equal(0, refused.Remaining);
        // The oldest unit leaves the window a little under 10 s from now; the newest a little later.
        Assert.InRange(refused.RetryAfter, window - TimeSpan.FromSeconds(2), window);
        Assert.InRange(refused.Reset, refused.RetryAfter, window);
        Assert.Equal(5, await kit.CountAsync(rule.Key));
    }

    [Fact]
    public async Task CheckAsync_HundredConcurrentChecks_AdmitExactlyTheBudget()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        var rule = new RateLimitRule("tenant-requests", LimiterHarness.Key("req"), 37, TimeSpan.FromMinutes(1));
        await kit.Limiter.PingAsync(ct); // connected first, so no check fails on the initial connect

        var decisions = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => kit.Limiter.CheckAsync([rule], null, ct), ct)));

        Assert.Equal(37, decisions.Count(d => d.Allowed));
        Assert.Equal(63, decisions.Count(d => !d.Allowed));
        Assert.Equal(Enumerable.Range(0, 37).ToHashSet(), decisions.Where(d => d.Allowed).Select(d => d.Remaining).ToHashSet());
        Assert.Equal(37, await kit.CountAsync(rule.Key));
    }

    [Fact]
    public async Task CheckAsync_TimePasses_WindowSlidesEntryByEntry()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        var window = TimeSpan.FromSeconds(2);
        var rule = new RateLimitRule("user-submissions", LimiterHarness.Key("u:2:sub"), 2, window);

        Assert.True((await kit.Limiter.CheckAsync([rule], null, ct)).Allowed);
        // Taken after the first check returned, so the first entry is at most this old.
        var clock = Stopwatch.StartNew();
        await WaitUntilAsync(clock, window * 0.6, ct);
        Assert.True((await kit.Limiter.CheckAsync([rule], null, ct)).Allowed);
        var full = await kit.Limiter.CheckAsync([rule], null, ct);
        Assert.False(full.Allowed);
        // The first entry leaves at 2.0 s, about 0.8 s from now.
        Assert.InRange(full.RetryAfter, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(850));

        await WaitUntilAsync(clock, window * 1.05, ct);
        var slid = await kit.Limiter.CheckAsync([rule], null, ct);
        var still = await kit.Limiter.CheckAsync([rule], null, ct);

        // Only the first entry has left: a fixed window restarting at 2 s would admit both.
        Assert.True(slid.Allowed);
        Assert.False(still.Allowed);
        // The second entry (counted at about 1.2 s) leaves at about 3.2 s.
        Assert.InRange(still.RetryAfter, TimeSpan.FromMilliseconds(700), TimeSpan.FromMilliseconds(1_150));
    }

    [Fact]
    public async Task CheckAsync_SecondRuleRefuses_FirstRuleCountsNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        var tenant = new RateLimitRule("tenant-requests", LimiterHarness.Key("req"), 10, TimeSpan.FromMinutes(1));
        var user = new RateLimitRule("user-submissions", LimiterHarness.Key("u:3:sub"), 1, TimeSpan.FromMinutes(1));
        Assert.True((await kit.Limiter.CheckAsync([tenant, user], null, ct)).Allowed);

        var refused = await kit.Limiter.CheckAsync([tenant, user], null, ct);

        Assert.False(refused.Allowed);
        Assert.Equal("user-submissions", refused.Policy);
        Assert.Equal(1, await kit.CountAsync(tenant.Key));
        Assert.Equal(1, await kit.CountAsync(user.Key));
        var tenantOnly = await kit.Limiter.CheckAsync([tenant], null, ct);
        Assert.Equal(8, tenantOnly.Remaining);
    }

    [Fact]
    public async Task CheckAsync_Allowed_NamesThePolicyWithLeastRemaining()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        var hourly = new RateLimitRule("tenant-submissions-hour", LimiterHarness.Key("q:hour"), 100, TimeSpan.FromHours(1), 10);
        var daily = new RateLimitRule("tenant-submissions-day", LimiterHarness.Key("q:day"), 15, TimeSpan.FromDays(1), 10);

        var decision = await kit.Limiter.CheckAsync([hourly, daily], null, ct);

        Assert.True(decision.Allowed);
        Assert.Equal("tenant-submissions-day", decision.Policy);
        Assert.Equal(15, decision.Limit);
        Assert.Equal(5, decision.Remaining);
        Assert.Equal(TimeSpan.FromDays(1), decision.Reset);
    }

    [Fact]
    public async Task CheckAsync_BatchDoesNotFit_RefusedWholeThenTheRestFits()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        var quota = new RateLimitRule("tenant-submissions-hour", LimiterHarness.Key("q:hour"), 10, TimeSpan.FromHours(1), 7);
        Assert.True((await kit.Limiter.CheckAsync([quota], null, ct)).Allowed);

        var tooBig = await kit.Limiter.CheckAsync([quota with { Cost = 4 }], null, ct);
        var rest = await kit.Limiter.CheckAsync([quota with { Cost = 3 }], null, ct);

        Assert.False(tooBig.Allowed);
        Assert.Equal(0, tooBig.Remaining);
        Assert.InRange(tooBig.RetryAfter, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        Assert.True(rest.Allowed);
        Assert.Equal(0, rest.Remaining);
        Assert.Equal(10, await kit.CountAsync(quota.Key));
    }

    [Fact]
    public async Task CheckAsync_BatchOfThousand_CountedUnitByUnit()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        var quota = new RateLimitRule("tenant-submissions-day", LimiterHarness.Key("q:day"), 2_500, TimeSpan.FromDays(1), 1_000);

        Assert.True((await kit.Limiter.CheckAsync([quota], null, ct)).Allowed);
        var second = await kit.Limiter.CheckAsync([quota], null, ct);
        var third = await kit.Limiter.CheckAsync([quota], null, ct);

        Assert.True(second.Allowed);
        Assert.Equal(500, second.Remaining);
        Assert.False(third.Allowed);
        Assert.Equal(2_000, await kit.CountAsync(quota.Key));
    }

    [Fact]
    public async Task CheckAsync_CostAboveLimit_NeverFitsRetryAfterIsOneWindow()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        var rule = new RateLimitRule("user-batches", LimiterHarness.Key("u:4:bat"), 5, TimeSpan.FromMinutes(2), 6);

        var refused = await kit.Limiter.CheckAsync([rule], null, ct);

        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromMinutes(2), refused.RetryAfter);
        Assert.Equal(TimeSpan.Zero, refused.Reset);
        Assert.Equal(0, await kit.CountAsync(rule.Key));
    }

    [Fact]
    public async Task CheckAsync_Counted_KeyIsPrefixedAndExpiresWithTheWindow()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        var rule = new RateLimitRule("user-submissions", LimiterHarness.Key("u:5:sub"), 3, TimeSpan.FromSeconds(30), 2);

        await kit.Limiter.CheckAsync([rule], null, ct);

        var database = (await kit.InspectAsync()).GetDatabase();
        var key = kit.Options.KeyPrefix + rule.Key;
        Assert.Equal(RedisType.SortedSet, await database.KeyTypeAsync(key));
        Assert.InRange((await database.KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromSeconds(28), TimeSpan.FromSeconds(30));
        var members = await database.SortedSetRangeByRankAsync(key);
        Assert.Equal(2, members.Distinct().Count());
        Assert.All(members, m => Assert.Matches("^[0-9a-f]{24}:1:[12]$", m.ToString()));
    }

    [Fact]
    public async Task CheckAsync_RepeatedChecks_ScriptRunsBySha()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        var rule = new RateLimitRule("tenant-requests", LimiterHarness.Key("req"), 100, TimeSpan.FromMinutes(1));
        await kit.Limiter.CheckAsync([rule], null, ct);
        var server = (await kit.InspectAsync()).GetServers()[0];
        var before = await CommandCallsAsync(server);

        for (var i = 0; i < 20; i++)
        {
            await kit.Limiter.CheckAsync([rule], null, ct);
        }

        var after = await CommandCallsAsync(server);
        Assert.Equal(20, after.EvalSha - before.EvalSha);
        Assert.Equal(0, after.Eval - before.Eval);
    }

    [Fact]
    public async Task CheckAsync_KeysInDifferentSlots_ThrowsBeforeCallingRedis()
    {
        // No server needed: the request is refused before any connection is made.
        await using var kit = new LimiterHarness("127.0.0.1:1");
        var a = new RateLimitRule("a", "{t:acme}:req", 1, TimeSpan.FromSeconds(1));
        var b = new RateLimitRule("b", "{t:other}:req", 1, TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => kit.Limiter.CheckAsync([a, b], null, TestContext.Current.CancellationToken));

        Assert.Contains("hash tag", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("acme", error.Message, StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Stopwatch clock, TimeSpan at, CancellationToken ct)
    {
        var left = at - clock.Elapsed;
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, ct);
        }
    }

    private static async Task<(long Eval, long EvalSha)> CommandCallsAsync(IServer server)
    {
        var stats = (await server.InfoAsync("commandstats")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
        return (Calls(stats, "cmdstat_eval"), Calls(stats, "cmdstat_evalsha"));

        static long Calls(Dictionary<string, string> stats, string name) =>
            stats.TryGetValue(name, out var value) ? long.Parse(value.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
