using System.Diagnostics;
using Rce.Core.RateLimiting;
using Rce.Testing;

namespace Rce.Infrastructure.Tests.Redis;

/// <summary>
/// Redis going away and coming back (each test owns its server, since it kills it): calls fail fast
/// as unavailable, never hang, and the limiter recovers by itself.
/// </summary>
public sealed class RedisOutageTests
{
    private static readonly RateLimitRule Rule = new("tenant-requests", LimiterHarness.Key("req"), 1_000, TimeSpan.FromMinutes(1));

    [Fact]
    public async Task CheckAsync_RedisKilledThenRestarted_FailsFastThenRecoversByItself()
    {
        RedisFixture.RequireInstalled();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RedisServer.StartAsync(cancellationToken: ct);
        await using var kit = new LimiterHarness(server.ConnectionString);
        Assert.True((await kit.Limiter.CheckAsync([Rule], null, ct)).Allowed);

        await server.KillAsync();

        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RateLimiterUnavailableException>(() => kit.Limiter.CheckAsync([Rule], null, ct));
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.StartsWith("Redis rate-limit check failed", error.Message, StringComparison.Ordinal);
        stopwatch.Restart();
        Assert.False(await kit.Limiter.PingAsync(ct));
        await Assert.ThrowsAsync<RateLimiterUnavailableException>(() => kit.Limiter.ReleaseAsync(LimiterHarness.Key("inflight"), "s1", ct));
        await Assert.ThrowsAsync<RateLimiterUnavailableException>(() => kit.Limiter.InFlightAsync(LimiterHarness.Key("inflight"), ct));
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));

        await server.RestartAsync(ct);

        var recovered = await WaitForRecoveryAsync(kit, TimeSpan.FromSeconds(5), ct);
        Assert.True(recovered < TimeSpan.FromSeconds(5), $"not recovered within 5 s of the restart");
        // The restarted server has no data and no scripts: the check works again all the same (EVAL after NOSCRIPT).
        var decision = await kit.Limiter.CheckAsync([Rule], null, ct);
        Assert.True(decision.Allowed);
        Assert.Equal(999, decision.Remaining);
    }

    [Fact]
    public async Task CheckAsync_RedisDownFromTheStart_UnavailableThenConnectsWhenItComes()
    {
        RedisFixture.RequireInstalled();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RedisServer.StartAsync(cancellationToken: ct);
        await server.KillAsync();
        // A call timeout far above what a failing call takes even on a loaded machine: a call that
        // waited for a reconnect (or retried) instead of failing at once ends at that timeout, never
        // before, so "at once" can be told apart from "timed out" with room for a slow exception path.
        await using var kit = new LimiterHarness(server.ConnectionString, o => o.CallTimeoutMs = 2_000);
        var callTimeout = kit.Options.CallTimeout;

        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<RateLimiterUnavailableException>(() => kit.Limiter.CheckAsync([Rule], null, ct));
        // Calls made while the initial attempt runs wait for it: at most the connect timeout plus one call.
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, kit.Options.ConnectTimeout + callTimeout + TimeSpan.FromSeconds(1));
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        stopwatch.Restart();
        await Assert.ThrowsAsync<RateLimiterUnavailableException>(() => kit.Limiter.CheckAsync([Rule], null, ct));
        // Once it is over, calls fail at once while the client reconnects in the background: well
        // within the call timeout (half of it is left for a loaded machine).
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, callTimeout / 2);

        await server.RestartAsync(ct);

        Assert.True(await WaitForRecoveryAsync(kit, TimeSpan.FromSeconds(5), ct) < TimeSpan.FromSeconds(5), "not connected within 5 s of the start");
        Assert.True((await kit.Limiter.CheckAsync([Rule], null, ct)).Allowed);
    }

    [Fact]
    public async Task CheckAsync_CallerCancels_OperationCanceledNotUnavailable()
    {
        RedisFixture.RequireInstalled();
        await using var server = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using var kit = new LimiterHarness(server.ConnectionString);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => kit.Limiter.CheckAsync([Rule], null, cancelled.Token));
    }

    private static async Task<TimeSpan> WaitForRecoveryAsync(LimiterHarness kit, TimeSpan bound, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < bound && !await kit.Limiter.PingAsync(ct))
        {
            await Task.Delay(50, ct);
        }

        return stopwatch.Elapsed;
    }
}
