using Azure.Core;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Rce.Infrastructure.Redis;

/// <summary>
/// Microsoft Entra ID authentication to Azure Cache for Redis without Microsoft.Azure.StackExchangeRedis:
/// the user is the managed identity's object id, the password an access token for
/// <see cref="Scope"/>; before a token expires a new one is fetched, installed for future handshakes
/// (<see cref="EntraTokenOptionsProvider"/>) and sent as <c>AUTH &lt;user&gt; &lt;token&gt;</c> on every
/// connected server; a restored connection is re-AUTHed too.
/// </summary>
/// <remarks>
/// <para>Guarantees (tested against redis-server with ACL passwords rotated like tokens): commands in
/// flight are never failed by a refresh (AUTH is one more pipelined command; a rejected AUTH leaves
/// the connection as it was), reconnects use the newest token, and a refresh failure is retried
/// while the current token is still valid.</para>
/// <para>Only real Azure can confirm: that the scope is <c>https://redis.azure.com/.default</c> for
/// this cache's cloud; that the cache accepts the object id as user name (not the client id); that
/// <c>AUTH</c> with a new token on a live connection extends it past the old token's expiry (Azure
/// closes connections whose token expired); the token lifetime and <c>RefreshOn</c> the managed
/// identity endpoint hands out; TLS with SNI on 6380 through the cache's certificate; and how a
/// geo-replicated or clustered cache treats re-AUTH on each shard (every server of
/// <see cref="IConnectionMultiplexer.GetServers"/> is re-AUTHed).</para>
/// <para>The subscription connection is never opened (<see cref="RedisConfiguration"/>), so there is
/// no second connection per server to re-AUTH.</para>
/// </remarks>
internal sealed class RedisEntraAuthenticator : IAsyncDisposable
{
    /// <summary>The token scope of Azure Cache for Redis data access.</summary>
    public const string Scope = "https://redis.azure.com/.default";

    /// <summary>Bound on one token request (the managed identity endpoint retries internally).</summary>
    private static readonly TimeSpan TokenTimeout = TimeSpan.FromSeconds(30);

    private readonly TokenCredential _credential;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _user;
    private readonly TimeSpan _margin;
    private readonly TimeSpan _authTimeout;
    private readonly EntraTokenOptionsProvider _provider = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationToken _stoppingToken;
    private AccessToken _current;
    private IConnectionMultiplexer? _multiplexer;
    private Task _refreshing = Task.CompletedTask;
    private int _refreshes;

    public RedisEntraAuthenticator(RedisOptions options, TokenCredential credential, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _credential = credential ?? throw new ArgumentNullException(nameof(credential));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _user = options.UserName ?? throw new ArgumentException("Redis__UserName is required with Redis__UseEntraId=true.", nameof(options));
        _margin = TimeSpan.FromSeconds(options.TokenRefreshMarginSeconds);
        // Server-side token validation may take longer than a rate-limit call; AUTH is off the request path.
        _authTimeout = TimeSpan.FromTicks(Math.Max(options.CallTimeout.Ticks, TimeSpan.FromSeconds(2).Ticks));
        // Kept apart from the source: event handlers may still run after it is disposed.
        _stoppingToken = _stopping.Token;
    }

    /// <summary>Number of tokens installed after the first one (for tests and diagnostics).</summary>
    public int Refreshes => Volatile.Read(ref _refreshes);

    /// <summary>Fetches the first token and makes <paramref name="config"/> authenticate with it.</summary>
    /// <param name="config">The configuration the multiplexer will be created with.</param>
    /// <param name="cancellationToken">Cancels the token request.</param>
    /// <returns>A task that completes when the token is installed.</returns>
    public async Task ConfigureAsync(ConfigurationOptions config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        _current = await FetchAsync(cancellationToken).ConfigureAwait(false);
        _provider.SetToken(_current.Token);
        config.User = _user;
        config.Password = null;
        config.Defaults = _provider;
    }

    /// <summary>Starts replacing tokens for <paramref name="multiplexer"/> (once).</summary>
    /// <param name="multiplexer">The connected (or connecting) multiplexer.</param>
    public void Start(IConnectionMultiplexer multiplexer)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        if (_multiplexer is not null)
        {
            throw new InvalidOperationException("The authenticator is already started.");
        }

        _multiplexer = multiplexer;
        multiplexer.ConnectionRestored += OnConnectionRestored;
        // Called directly: the first wait is scheduled before this returns (deterministic on a fake clock).
        _refreshing = RefreshLoopAsync(multiplexer, _stoppingToken);
    }

    /// <summary>Stops the refresh loop.</summary>
    /// <returns>A task that completes when the loop has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null)
        {
            _multiplexer.ConnectionRestored -= OnConnectionRestored;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _refreshing.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _stopping.Dispose();
    }

    private async Task RefreshLoopAsync(IConnectionMultiplexer multiplexer, CancellationToken stopping)
    {
        var delay = TokenRefreshSchedule.NextRefresh(_time.GetUtcNow(), _current.ExpiresOn, _current.RefreshOn, _margin);
        while (!stopping.IsCancellationRequested)
        {
            await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
            AccessToken next;
            try
            {
                next = await FetchAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception error) when (!stopping.IsCancellationRequested)
            {
                delay = TokenRefreshSchedule.Retry(_time.GetUtcNow(), _current.ExpiresOn);
                RedisLog.TokenRefreshFailed(_logger, _user, RedisFailures.Describe(error, TokenTimeout), _current.ExpiresOn, (long)delay.TotalMilliseconds);
                continue;
            }

            if (next.ExpiresOn <= _current.ExpiresOn)
            {
                // A cached token came back: using it would not move the expiry. Ask again soon.
                delay = TokenRefreshSchedule.Retry(_time.GetUtcNow(), _current.ExpiresOn);
                RedisLog.TokenRefreshFailed(_logger, _user, "no newer token yet", _current.ExpiresOn, (long)delay.TotalMilliseconds);
                continue;
            }

            // Order matters: install first, so that a connection restored from now on handshakes
            // with the new token, then AUTH the connections that are already up.
            _current = next;
            _provider.SetToken(next.Token);
            Interlocked.Increment(ref _refreshes);
            var authenticated = await ReauthenticateAsync(multiplexer, next.Token, stopping).ConfigureAwait(false);
            RedisLog.TokenReplaced(_logger, _user, next.ExpiresOn, authenticated);
            delay = TokenRefreshSchedule.NextRefresh(_time.GetUtcNow(), next.ExpiresOn, next.RefreshOn, _margin);
        }
    }

    /// <summary>Sends AUTH with <paramref name="token"/> on every connected server; failures are logged, never thrown.</summary>
    private async Task<int> ReauthenticateAsync(IConnectionMultiplexer multiplexer, string token, CancellationToken stopping)
    {
        var done = 0;
        foreach (var server in multiplexer.GetServers())
        {
            // A server that is not connected will handshake with the provider's (new) token.
            if (server.IsConnected && await AuthenticateAsync(server, token, stopping).ConfigureAwait(false))
            {
                done++;
            }
        }

        return done;
    }

    private async Task<bool> AuthenticateAsync(IServer server, string token, CancellationToken stopping)
    {
        try
        {
            await server.ExecuteAsync("AUTH", _user, token).WaitAsync(_authTimeout, _time, stopping).ConfigureAwait(false);
            return true;
        }
        catch (Exception error) when (!stopping.IsCancellationRequested)
        {
            RedisLog.ReauthenticationFailed(_logger, _user, RedisConnection.Name(server.EndPoint), RedisFailures.Describe(error, _authTimeout));
            return false;
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        // The handshake already used the provider's token; this closes the window in which a
        // token was replaced between that handshake reading it and the connection coming up.
        var multiplexer = _multiplexer;
        if (multiplexer is null || e.EndPoint is null || e.ConnectionType != ConnectionType.Interactive || _stoppingToken.IsCancellationRequested)
        {
            return;
        }

        var server = multiplexer.GetServer(e.EndPoint);
        var token = _provider.Password!;
        _ = Task.Run(() => AuthenticateAsync(server, token, _stoppingToken));
    }

    private async Task<AccessToken> FetchAsync(CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TokenTimeout);
        return await _credential.GetTokenAsync(new TokenRequestContext([Scope]), bound.Token).ConfigureAwait(false);
    }
}
