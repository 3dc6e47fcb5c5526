using Rce.Core.RateLimiting;
using Rce.Testing;

namespace Rce.Infrastructure.Tests.Redis;

/// <summary>In-flight sets against a real redis-server: the cap, release, deadlines, all-or-nothing with windows.</summary>
public sealed class RedisRateLimiterInFlightTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly string Key = LimiterHarness.Key("inflight");

    [Fact]
    public async Task CheckAsync_ClaimsBeyondMax_RefusedWithRetryAfterAtLeastOneSecond()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        var deadline = TimeProvider.System.GetUtcNow().AddMinutes(10);

        var first = await kit.Limiter.CheckAsync([], Claim(3, deadline, "s1", "s2"), ct);
        var second = await kit.Limiter.CheckAsync([], Claim(3, deadline, "s3", "s4"), ct);
        var third = await kit.Limiter.CheckAsync([], Claim(3, deadline, "s3"), ct);

        Assert.True(first.Allowed);
        Assert.Equal("tenant-in-flight", first.Policy);
        Assert.Equal(1, first.Remaining);
        Assert.InRange(first.Reset, TimeSpan.FromMinutes(9.9), TimeSpan.FromMinutes(10));
        Assert.False(second.Allowed);
        Assert.Equal(0, second.Remaining);
        Assert.InRange(second.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Assert.True(third.Allowed);
        Assert.Equal(0, third.Remaining);
        Assert.Equal(3, await kit.Limiter.InFlightAsync(Key, ct));
    }

    [Fact]
    public async Task CheckAsync_SameIdClaimedAgain_CountedOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        var deadline = TimeProvider.System.GetUtcNow().AddMinutes(10);

        Assert.True((await kit.Limiter.CheckAsync([], Claim(2, deadline, "s1", "s1"), ct)).Allowed);
        var again = await kit.Limiter.CheckAsync([], Claim(2, deadline, "s1", "s2"), ct);

        Assert.True(again.Allowed);
        Assert.Equal(0, again.Remaining);
        Assert.Equal(2, await kit.Limiter.InFlightAsync(Key, ct));
    }

    [Fact]
    public async Task ReleaseAsync_FinishedSubmission_FreesItsPlace()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        var deadline = TimeProvider.System.GetUtcNow().AddMinutes(10);
        Assert.True((await kit.Limiter.CheckAsync([], Claim(2, deadline, "s1", "s2"), ct)).Allowed);
        Assert.False((await kit.Limiter.CheckAsync([], Claim(2, deadline, "s3"), ct)).Allowed);

        await kit.Limiter.ReleaseAsync(Key, "s1", ct);
        await kit.Limiter.ReleaseAsync(Key, "s1", ct); // idempotent

        Assert.Equal(1, await kit.Limiter.InFlightAsync(Key, ct));
        Assert.True((await kit.Limiter.CheckAsync([], Claim(2, deadline, "s3"), ct)).Allowed);
    }

    [Fact]
    public async Task CheckAsync_EntriesPastDeadline_StopCounting()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        Assert.True((await kit.Limiter.CheckAsync([], Claim(2, TimeProvider.System.GetUtcNow().AddSeconds(1), "s1", "s2"), ct)).Allowed);
        Assert.Equal(2, await kit.Limiter.InFlightAsync(Key, ct));

        await Task.Delay(TimeSpan.FromMilliseconds(1_300), ct);

        // Nobody released them (a crashed worker): they stop counting at their deadline all the same.
        Assert.Equal(0, await kit.Limiter.InFlightAsync(Key, ct));
        Assert.True((await kit.Limiter.CheckAsync([], Claim(2, TimeProvider.System.GetUtcNow().AddMinutes(1), "s3", "s4"), ct)).Allowed);
    }

    [Fact]
    public async Task CheckAsync_InFlightFull_WindowsCountNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        var deadline = TimeProvider.System.GetUtcNow().AddMinutes(10);
        var hourly = new RateLimitRule("tenant-submissions-hour", LimiterHarness.Key("q:hour"), 100, TimeSpan.FromHours(1), 2);
        Assert.True((await kit.Limiter.CheckAsync([hourly], Claim(2, deadline, "s1", "s2"), ct)).Allowed);

        var refused = await kit.Limiter.CheckAsync([hourly], Claim(2, deadline, "s3", "s4"), ct);

        Assert.False(refused.Allowed);
        Assert.Equal("tenant-in-flight", refused.Policy);
        Assert.Equal(2, await kit.CountAsync(hourly.Key));
        Assert.Equal(2, await kit.Limiter.InFlightAsync(Key, ct));
    }

    [Fact]
    public async Task CheckAsync_WindowRefuses_ClaimNotAdded()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kit = new LimiterHarness(redis.Server.ConnectionString);
        var deadline = TimeProvider.System.GetUtcNow().AddMinutes(10);
        var hourly = new RateLimitRule("tenant-submissions-hour", LimiterHarness.Key("q:hour"), 3, TimeSpan.FromHours(1), 2);
        Assert.True((await kit.Limiter.CheckAsync([hourly], Claim(10, deadline, "s1", "s2"), ct)).Allowed);

        var refused = await kit.Limiter.CheckAsync([hourly], Claim(10, deadline, "s3", "s4"), ct);

        Assert.False(refused.Allowed);
        Assert.Equal("tenant-submissions-hour", refused.Policy);
        Assert.Equal(2, await kit.Limiter.InFlightAsync(Key, ct));
    }

    private static InFlightClaim Claim(int max, DateTimeOffset deadline, params string[] ids) =>
        new("tenant-in-flight", Key, max, ids, deadline);
}
