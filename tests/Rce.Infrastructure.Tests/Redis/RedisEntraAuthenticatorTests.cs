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
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
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
        // Hour-long tokens are replaced 5 min before they expire.
        clock.Advance(TimeSpan.FromMinutes(54));
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.Equal(1, credential.Calls);
        clock.Advance(TimeSpan.FromMinutes(1));
        await WaitForAsync(() => credential.Calls == 2 && config.Password == "token-2");
        Assert.Equal(1, authenticator.Refreshes);

        // The next attempt fails: token-2 stays, and the attempt is repeated 30 s later.
        clock.Advance(TimeSpan.FromMinutes(55));
        await WaitForAsync(() => credential.Calls == 3);
        Assert.Equal("token-2", config.Password);
        clock.Advance(TimeSpan.FromSeconds(30));
        await WaitForAsync(() => credential.Calls == 4 && config.Password == "token-4");
        Assert.Equal(2, authenticator.Refreshes);
        Assert.All(credential.Scopes, scopes => Assert.Equal(["https://redis.azure.com/.default"], scopes));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        // The loop runs on the thread pool: give it real time to react to the fake clock.
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), "the refresh loop did not react");
            await Task.Delay(10);
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
