using StackExchange.Redis;
using StackExchange.Redis.Availability;

namespace Rce.Infrastructure.Redis;

/// <summary>
/// The StackExchange.Redis configuration of the rate-limit store: short timeouts, no command
/// retries, fail-fast while disconnected, quick reconnects, no pub/sub connection.
/// </summary>
internal static class RedisConfiguration
{
    /// <summary>How often the client checks its connections (timeouts, reconnects, keep-alives).</summary>
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Pub/sub commands removed from the client's command map. The limiter never subscribes, so
    /// this drops the second (subscription) connection per server that the client would otherwise
    /// open for its configuration channel: half the sockets, and nothing there to re-AUTH when an
    /// Entra token is replaced.
    /// </summary>
    private static readonly HashSet<string> PubSubCommands =
        ["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "PUBLISH", "SPUBLISH"];

    /// <summary>Builds the configuration (without credentials for Entra: <see cref="RedisEntraAuthenticator"/> adds them).</summary>
    /// <param name="options">Validated options.</param>
    /// <returns>A new configuration, owned by one multiplexer.</returns>
    public static ConfigurationOptions Create(RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConfigurationOptions config;
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            config = ConfigurationOptions.Parse(options.ConnectionString);
        }
        else
        {
            var host = options.HostName!.Trim();
            config = new ConfigurationOptions { Ssl = true, SslHost = host };
            config.EndPoints.Add(host, options.Port);
        }

        var callMs = options.CallTimeoutMs;
        // The app must start, and keep serving (fail-open or fail-closed as each policy says),
        // while Redis is down: never throw from connect, keep retrying in the background.
        config.AbortOnConnectFail = false;
        // One initial attempt (bounded by the connect timeout): calls made meanwhile wait for it, and
        // the background reconnects take over after it instead of further blocking rounds.
        config.ConnectRetry = 1;
        config.ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
        config.SyncTimeout = callMs;
        config.AsyncTimeout = callMs;
        // A command never waits in a backlog for a reconnect (that would turn an outage into
        // requests hanging for the whole timeout): no connection means an immediate failure.
        config.BacklogPolicy = BacklogPolicy.FailFast;
        // No command retries: a check is not idempotent (a retried check that had reached the
        // server would count twice), and the 250 ms budget leaves no room for a second attempt.
        config.RetryPolicy = RetryPolicy.None;
        // Reconnect attempts start after 250 ms and back off (randomised, so that many Functions
        // instances do not reconnect in step) to at most 2 s: a restarted server is picked up
        // within about 2 s of accepting connections.
        config.ReconnectRetryPolicy = new ExponentialRetry(250, 2_000);
        config.HeartbeatInterval = HeartbeatInterval;
        // An idle socket is pinged every 5 s, so that a silently dropped connection (a NAT or load
        // balancer forgetting it) is found before a request needs it.
        config.KeepAlive = 5;
        config.CommandMap = CommandMap.Create(PubSubCommands, available: false);
        config.ConfigurationChannel = "";
        // Exception messages must not carry key names: keys hold tenant and user ids.
        config.IncludeDetailInExceptions = false;
        return config;
    }
}
