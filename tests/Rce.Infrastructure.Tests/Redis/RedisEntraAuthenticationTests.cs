using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Rce.Core.RateLimiting;
using Rce.Infrastructure.Redis;
using Rce.Testing;
using StackExchange.Redis;

namespace Rce.Infrastructure.Tests.Redis;

/// <summary>
/// Entra-style authentication against redis-server ACL users: short-lived tokens whose value is the
/// user's current password, rotated as they are issued (see <see cref="RotatingTokenCredential"/>).
/// </summary>
public sealed class RedisEntraAuthenticationTests
{
    private const string AdminPassword = "admin-pw";
    private const string WrongToken = "not-the-password-7f3a";
    private static readonly RateLimitRule Rule = new("tenant-requests", LimiterHarness.Key("req"), 1_000_000, TimeSpan.FromMinutes(1));

    [Fact]
    public async Task CheckAsync_TokensReplacedEveryTwoSeconds_NoCallFailsAndConnectionsAreReauthenticated()
    {
        RedisFixture.RequireInstalled();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RedisServer.StartAsync(["default off", "alice on ~* +@all", $"admin on >{AdminPassword} ~* &* +@all"], ct);
        await using var admin = await LimiterHarness.ConnectAsync(server.ConnectionString, "admin", AdminPassword);
        var credential = new RotatingTokenCredential(admin, "alice", TimeSpan.FromSeconds(3));
        // A generous call bound: this test is about authentication, not latency on a busy machine.
        using var logs = new CapturedLogs();
        await using var kit = new LimiterHarness(server.ConnectionString, o => Entra(o, callTimeoutMs: 1_000), credential, logs);
        Assert.True((await kit.Limiter.CheckAsync([Rule], null, ct)).Allowed);
        var connectionsBefore = await AliceConnectionsAsync(admin);
        var authBefore = await AuthCallsAsync(admin);

        var failures = new List<string>();
        var calls = 0;
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                calls++;
                Assert.True((await kit.Limiter.CheckAsync([Rule], null, ct)).Allowed);
            }
            catch (RateLimiterUnavailableException error)
            {
                failures.Add($"{stopwatch.Elapsed.TotalSeconds:0.00} s: {error.Message}");
            }

            await Task.Delay(20, ct);
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(calls > 100, $"only {calls} calls");
        var refreshes = kit.Connection.Authenticator!.Refreshes;
        Assert.InRange(refreshes, 2, 10);
        Assert.Equal([RedisEntraAuthenticator.Scope], credential.Scopes);
        // Same connection throughout (never dropped and re-established), AUTHed again at each refresh.
        Assert.Equal(connectionsBefore, await AliceConnectionsAsync(admin));
        Assert.True(await AuthCallsAsync(admin) - authBefore >= refreshes, "fewer AUTH commands than refreshes");
        var denied = (RedisResult[])(await admin.GetServers()[0].ExecuteAsync("ACL", "LOG"))!;
        Assert.True(denied.Length == 0, string.Join("\n", denied.Select(e => string.Join(' ', ((RedisResult[])e!).Select(f => f.ToString())))));
        // The first token's password is gone, as an expired token would be refused.
        var stale = await LimiterHarness.ConnectAsync(server.ConnectionString + ",abortConnect=false,connectTimeout=500", "alice", credential.FirstToken);
        Assert.False(stale.IsConnected);
        await stale.DisposeAsync();

        // A reconnect must use the newest token: force one.
        await admin.GetServers()[0].ExecuteAsync("CLIENT", "KILL", "USER", "alice");
        Assert.True(await CheckSucceedsWithinAsync(kit, TimeSpan.FromSeconds(3), ct), "no successful check within 3 s of the reconnect");
        Assert.NotEqual(connectionsBefore, await AliceConnectionsAsync(admin));
        // Each replacement is logged, with the user and the expiry but never a token.
        Assert.True(logs.Entries.Count(e => e.Id.Id == 1006) >= refreshes);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("tok-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckAsync_WrongToken_FailsWithAuthenticationFailure()
    {
        RedisFixture.RequireInstalled();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RedisServer.StartAsync(["default off", "alice on >right ~* +@all"], ct);
        using var logs = new CapturedLogs();
        await using var kit = new LimiterHarness(server.ConnectionString, o => Entra(o), new FixedTokenCredential(WrongToken), logs);

        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RateLimiterUnavailableException>(() => kit.Limiter.CheckAsync([Rule], null, ct));

        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        Assert.Contains("authentication failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongToken, error.Message, StringComparison.Ordinal);
        Assert.False(await kit.Limiter.PingAsync(ct));
        Assert.Contains(logs.Entries, e => e.Id.Id == 1004 && e.Level == LogLevel.Error && e.Message.Contains("user alice", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains(WrongToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckAsync_NoToken_UnavailableNamingEntra()
    {
        RedisFixture.RequireInstalled();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RedisServer.StartAsync(["default off", "alice on >right ~* +@all"], ct);
        await using var kit = new LimiterHarness(server.ConnectionString, o => Entra(o), new FixedTokenCredential(null));

        var error = await Assert.ThrowsAsync<RateLimiterUnavailableException>(() => kit.Limiter.CheckAsync([Rule], null, ct));

        Assert.Contains("Entra token", error.Message, StringComparison.Ordinal);
    }

    private static void Entra(RedisOptions options, int callTimeoutMs = 250)
    {
        options.UseEntraId = true;
        options.UserName = "alice";
        options.TokenRefreshMarginSeconds = 1;
        options.CallTimeoutMs = callTimeoutMs;
    }

    /// <summary>Ids of the connections authenticated as alice.</summary>
    private static async Task<string> AliceConnectionsAsync(ConnectionMultiplexer admin)
    {
        var list = (string)(await admin.GetServers()[0].ExecuteAsync("CLIENT", "LIST"))!;
        return string.Join(',', list.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.Contains(" user=alice ", StringComparison.Ordinal))
            .Select(line => line.Split(' ')[0])
            .Order(StringComparer.Ordinal));
    }

    private static async Task<long> AuthCallsAsync(ConnectionMultiplexer admin)
    {
        var stats = (await admin.GetServers()[0].InfoAsync("commandstats")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
        return stats.TryGetValue("cmdstat_auth", out var value)
            ? long.Parse(value.Split(',')[0]["calls=".Length..], CultureInfo.InvariantCulture)
            : 0;
    }

    private static async Task<bool> CheckSucceedsWithinAsync(LimiterHarness kit, TimeSpan bound, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < bound)
        {
            try
            {
                if ((await kit.Limiter.CheckAsync([Rule], null, ct)).Allowed)
                {
                    return true;
                }
            }
            catch (RateLimiterUnavailableException)
            {
                // Reconnecting.
            }

            await Task.Delay(50, ct);
        }

        return false;
    }
}
