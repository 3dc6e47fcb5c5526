using System.Diagnostics;
using Rce.Core.RateLimiting;
using Rce.Testing;
using StackExchange.Redis;

namespace Rce.Infrastructure.Tests.Redis;

/// <summary>Sliding windows against a real redis-server: exact limits, sliding, all-or-nothing, batches.</summary>
public sealed class RedisRateLimiterWindowTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    /// <summary>
    /// Allowance between the Redis server's clock (wall time, µs) and the test's stopwatch (monotonic)
    /// when a server time is compared with a bracket: they may tick at slightly different rates.
    /// </summary>
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMilliseconds(20);

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
        // Connected first, so that the first check's bracket holds the check and not the connect.
        Assert.True(await kit.Limiter.PingAsync(ct));

        // An attempt through which the machine stalled for about half the window no longer tells
        // sliding from not sliding, and is run again on a fresh key; three such stalls in a row are
        // not a loaded machine but a broken one.
        var attempt = 1;
        while (!await SlidesEntryByEntryAsync(kit, LimiterHarness.Key($"u:2:sub:{attempt}"), ct))
        {
            Assert.True(++attempt <= 3, "the machine stalled through every attempt: the window's slide could not be observed");
        }
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

    /// <summary>
    /// One run of the sliding scenario (limit 2 in a 3 s window). The script decides on the Redis
    /// server's clock, so each check is bracketed by readings of one stopwatch taken just before and
    /// after it: the server's "now" of that check lies within its bracket, and every expected outcome
    /// and <c>RetryAfter</c> bound is derived from the brackets rather than from how long the waits took.
    /// </summary>
    /// <returns>Whether the brackets decided every outcome; <see langword="false"/> when a stall left one undecided.</returns>
    private static async Task<bool> SlidesEntryByEntryAsync(LimiterHarness kit, string key, CancellationToken ct)
    {
        var window = TimeSpan.FromSeconds(3);
        var rule = new RateLimitRule("user-submissions", key, 2, window);
        var clock = Stopwatch.StartNew();

        var first = await CheckTimedAsync(kit, rule, clock, ct);
        Assert.True(first.Decision.Allowed);
        // Halfway through the first entry's window: half a window on either side of this check is
        // left for the machine to stall before an outcome below becomes undecided.
        await WaitUntilAsync(clock, first.After + window / 2, ct);
        var second = await CheckTimedAsync(kit, rule, clock, ct);
        Assert.True(second.Decision.Allowed);
        var full = await CheckTimedAsync(kit, rule, clock, ct);
        if (full.After - first.Before >= window - ClockSlack)
        {
            return false; // The first entry may have left before this check: admitting it would be right.
        }

        Assert.False(full.Decision.Allowed);
        // The first entry leaves one window after it was counted (within first's bracket), and full
        // was decided within its own bracket.
        Assert.InRange(full.Decision.RetryAfter, first.Before + window - full.After - ClockSlack, first.After + window - full.Before + ClockSlack);

        // Surely past the first entry's expiry, whenever in its bracket it was counted.
        await WaitUntilAsync(clock, first.After + window + ClockSlack, ct);
        var slid = await CheckTimedAsync(kit, rule, clock, ct);
        var still = await CheckTimedAsync(kit, rule, clock, ct);
        if (still.After - second.Before >= window - ClockSlack)
        {
            return false; // The second entry may have left too: admitting both would be right.
        }

        // Only the first entry has left: a fixed window restarting at 3 s would admit both.
        Assert.True(slid.Decision.Allowed);
        Assert.False(still.Decision.Allowed);
        // Now the second entry is the oldest: it leaves one window after second's bracket.
        Assert.InRange(still.Decision.RetryAfter, second.Before + window - still.After - ClockSlack, second.After + window - still.Before + ClockSlack);
        return true;
    }

    /// <summary>A check with the stopwatch readings just before it was sent and just after its answer came.</summary>
    private static async Task<(TimeSpan Before, RateLimitDecision Decision, TimeSpan After)> CheckTimedAsync(
        LimiterHarness kit, RateLimitRule rule, Stopwatch clock, CancellationToken ct)
    {
        var before = clock.Elapsed;
        var decision = await kit.Limiter.CheckAsync([rule], null, ct);
        return (before, decision, clock.Elapsed);
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
