using System.Diagnostics;
using Azure.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rce.Infrastructure.Redis;
using StackExchange.Redis;

namespace Rce.Infrastructure.Tests.Redis;

/// <summary>The token refresh schedule on a fake clock: when tokens are fetched, installed and retried.</summary>
public sealed class RedisEntraAuthenticatorTests
{
    [Fact]
    public async Task RefreshLoop_FakeClock_ReplacesTheConfigurationPasswordAndRetriesAfterAFailure()
    {
        var clock = new TimerCountingClock(new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        var credential = new ScriptedCredential(clock, fail: call => call == 3);
        var options = new RedisOptions { ConnectionString = "127.0.0.1:1", UseEntraId = true, UserName = "object-id", TokenRefreshMarginSeconds = 300 };
        await using var authenticator = new RedisEntraAuthenticator(options, credential, clock, NullLogger.Instance);
        // Nothing listens on port 1: the multiplexer stays disconnected, so no AUTH is sent anywhere.
        var config = ConfigurationOptions.Parse("127.0.0.1:1,abortConnect=false,connectTimeout=100");
        await authenticator.ConfigureAsync(config, TestContext.Current.CancellationToken);
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(config);

        authenticator.Start(multiplexer);

        Assert.Equal("object-id", config.User);
        Assert.Equal("token-1", config.Password);
        // Start schedules the first wait before it returns.
        Assert.Equal(1, clock.Timers);
        // Hour-long tokens are replaced 5 min before they expire.
        clock.Advance(TimeSpan.FromMinutes(54));
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.Equal(1, credential.Calls);
        clock.Advance(TimeSpan.FromMinutes(1));
        // Each advance waits for the loop's next timer: one registered after an advance would be due
        // from the advanced time, and the next advance would then not reach it.
        await WaitForAsync(() => clock.Timers == 2);
        Assert.Equal(2, credential.Calls);
        Assert.Equal("token-2", config.Password);
        Assert.Equal(1, authenticator.Refreshes);

        // The next attempt fails: token-2 stays, and the attempt is repeated 30 s later.
        clock.Advance(TimeSpan.FromMinutes(55));
        await WaitForAsync(() => clock.Timers == 3);
        Assert.Equal(3, credential.Calls);
        Assert.Equal("token-2", config.Password);
        clock.Advance(TimeSpan.FromSeconds(30));
        await WaitForAsync(() => clock.Timers == 4);
        Assert.Equal(4, credential.Calls);
        Assert.Equal("token-4", config.Password);
        Assert.Equal(2, authenticator.Refreshes);
        Assert.All(credential.Scopes, scopes => Assert.Equal(["https://redis.azure.com/.default"], scopes));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        // After an advance the loop may go on on the thread pool (whenever a token request or an AUTH
        // completes later): give it real time to react to the fake clock, generously for a loaded
        // machine; only a loop that never reacts takes that long.
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), "the refresh loop did not react");
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// The fake clock, counting the timers created on it: the loop's next wait is registered (and
    /// its due time fixed) once its timer exists, which is when the clock may be advanced again.
    /// </summary>
    private sealed class TimerCountingClock(FakeTimeProvider fake) : TimeProvider
    {
        private int _timers;

        public int Timers => Volatile.Read(ref _timers);

        public override TimeZoneInfo LocalTimeZone => fake.LocalTimeZone;

        public override long TimestampFrequency => fake.TimestampFrequency;

        public void Advance(TimeSpan delta) => fake.Advance(delta);

        public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

        public override long GetTimestamp() => fake.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            // Counted once created, so a count seen by the test means a timer the next advance reaches.
            var timer = fake.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _timers);
            return timer;
        }
    }

    /// <summary>Hour-long tokens named by call number, on the fake clock; chosen calls fail.</summary>
    private sealed class ScriptedCredential(TimeProvider clock, Func<int, bool> fail) : TokenCredential
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public List<string[]> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            lock (Scopes)
            {
                Scopes.Add(requestContext.Scopes);
            }

            return fail(call)
                ? throw new Azure.Identity.CredentialUnavailableException("identity endpoint down")
                : new AccessToken($"token-{call}", clock.GetUtcNow().AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
