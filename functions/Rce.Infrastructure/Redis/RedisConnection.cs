using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Rce.Infrastructure.Redis;

/// <summary>
/// The app's one Redis connection (a multiplexer shared by every call), created lazily at the first
/// call so that registering and starting the app never touch Redis.
/// </summary>
/// <remarks>
/// <para>Once created, the multiplexer is kept for the app's life and reconnects by itself (backing
/// off from 250 ms to 2 s, see <see cref="RedisConfiguration"/>); while it is disconnected, calls fail
/// at once instead of queueing.</para>
/// <para>Every call is bounded: waiting for the first connection by the connect timeout plus one call
/// timeout (only calls made while it is being set up wait at all), the command by
/// <see cref="RedisOptions.CallTimeoutMs"/>.
/// Every store failure surfaces as <see cref="Core.RateLimiting.RateLimiterUnavailableException"/>.
/// A command that timed out on our side may still run on the server afterwards: a check can then
/// be counted although its caller was told "unavailable" — the error is on the safe side (over-,
/// never under-counting).</para>
/// </remarks>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly RedisOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RedisEntraAuthenticator? _authenticator;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<ConnectionMultiplexer>? _connecting;
    private bool _disposed;
    private int _connectedCount;
    private long _lastAttempt = -1;
    private volatile bool _authenticationRejected;

    /// <summary>Creates the holder; nothing connects until the first call.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="timeProvider">Clock of the call bounds and the token refresh schedule.</param>
    /// <param name="loggerFactory">Logger factory.</param>
    /// <param name="credential">Token source when <see cref="RedisOptions.UseEntraId"/> is set (required then, ignored otherwise).</param>
    public RedisConnection(IOptions<RedisOptions> options, TimeProvider timeProvider, ILoggerFactory loggerFactory, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value;
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = loggerFactory.CreateLogger<RedisConnection>();
        if (_options.UseEntraId)
        {
            ArgumentNullException.ThrowIfNull(credential);
            _authenticator = new RedisEntraAuthenticator(_options, credential, _time, _logger);
        }
    }

    /// <summary>The options the connection was built from.</summary>
    internal RedisOptions Options => _options;

    /// <summary>The Entra authenticator, when <see cref="RedisOptions.UseEntraId"/> is set.</summary>
    internal RedisEntraAuthenticator? Authenticator => _authenticator;

    /// <summary>Whether the multiplexer exists and has a connected server.</summary>
    internal bool IsConnected => _connecting is { IsCompletedSuccessfully: true } task && task.Result.IsConnected;

    /// <summary>
    /// Runs one store call within the bounds, mapping every failure to
    /// <see cref="Core.RateLimiting.RateLimiterUnavailableException"/>.
    /// </summary>
    /// <typeparam name="T">The call's result.</typeparam>
    /// <param name="operation">Name of the operation, for messages and logs.</param>
    /// <param name="call">The call; it must not block.</param>
    /// <param name="cancellationToken">The caller's token; its cancellation propagates as such.</param>
    /// <returns>The call's result.</returns>
    internal async Task<T> RunAsync<T>(string operation, Func<IDatabase, Task<T>> call, CancellationToken cancellationToken)
    {
        ConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = await MultiplexerAsync().WaitAsync(ConnectWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (RedisFailures.IsStoreFailure(error, cancellationToken))
        {
            throw Unavailable(operation, error, ConnectWait, connecting: true);
        }

        try
        {
            var pending = call(multiplexer.GetDatabase());
            ObserveLateFailure(pending);
            return await pending.WaitAsync(_options.CallTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (RedisFailures.IsStoreFailure(error, cancellationToken))
        {
            throw Unavailable(operation, error, _options.CallTimeout, connecting: false);
        }
    }

    /// <summary>Closes the connection and stops the token refresh.</summary>
    /// <returns>A task that completes when everything is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        Task<ConnectionMultiplexer>? connecting;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            connecting = _connecting;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        if (_authenticator is not null)
        {
            await _authenticator.DisposeAsync().ConfigureAwait(false);
        }

        if (connecting is not null)
        {
            try
            {
                var multiplexer = await connecting.ConfigureAwait(false);
                await multiplexer.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                // Setup never succeeded: nothing to close.
            }
        }

        _disposing.Dispose();
    }

    /// <summary>The multiplexer, created at the first call; a failed setup is retried at the next one.</summary>
    private Task<ConnectionMultiplexer> MultiplexerAsync()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled)
            {
                _connecting = ConnectAsync(_disposing.Token);
            }

            return _connecting;
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(CancellationToken disposing)
    {
        try
        {
            var config = RedisConfiguration.Create(_options);
            config.ConnectionAttemptCompleted += OnConnectionAttemptCompleted;
            if (_authenticator is not null)
            {
                await _authenticator.ConfigureAsync(config, disposing).ConfigureAwait(false);
            }

            // With AbortOnConnectFail off this returns after the first attempt even when Redis is
            // down; the multiplexer then keeps reconnecting in the background.
            var multiplexer = await ConnectionMultiplexer.ConnectAsync(config).ConfigureAwait(false);
            multiplexer.ConnectionFailed += OnConnectionFailed;
            multiplexer.ConnectionRestored += OnConnectionRestored;
            if (multiplexer.IsConnected)
            {
                Interlocked.Increment(ref _connectedCount);
            }
            else
            {
                // The attempt's outcome is reported on a worker thread; let it land so that the
                // first calls already say why (for example that authentication failed).
                await Task.WhenAny(_firstAttempt.Task, Task.Delay(_options.CallTimeout, _time, disposing)).ConfigureAwait(false);
                RedisLog.NotReachableYet(_logger, config.ToString(includePassword: false));
            }

            _authenticator?.Start(multiplexer);
            return multiplexer;
        }
        catch (Exception error) when (error is not OperationCanceledException || !disposing.IsCancellationRequested)
        {
            RedisLog.SetupFailed(_logger, RedisFailures.Describe(error, _options.ConnectTimeout));
            throw;
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.FailureType == ConnectionFailureType.AuthenticationFailure)
        {
            // Logged with the connection attempt (OnConnectionAttemptCompleted).
            return;
        }

        if (Interlocked.Exchange(ref _connectedCount, 0) > 0)
        {
            RedisLog.ConnectionLost(_logger, e.ConnectionType, Name(e.EndPoint), e.FailureType);
        }
        else
        {
            RedisLog.StillDown(_logger, e.ConnectionType, Name(e.EndPoint), e.FailureType);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        Interlocked.Increment(ref _connectedCount);
        RedisLog.Connected(_logger, e.ConnectionType, Name(e.EndPoint));
    }

    /// <summary>
    /// Bound on waiting for the initial connection: the client's own connect timeout plus one call,
    /// so that the client's verdict on the attempt (refused, authentication failed, …) arrives first.
    /// </summary>
    private TimeSpan ConnectWait => _options.ConnectTimeout + _options.CallTimeout;

    private Core.RateLimiting.RateLimiterUnavailableException Unavailable(string operation, Exception error, TimeSpan bound, bool connecting)
    {
        // A command failing for want of a connection says little; the last connection attempt says why.
        var cause = _authenticationRejected && error is RedisConnectionException or TimeoutException
            ? RedisFailures.AuthenticationRejected
            : connecting && error is TimeoutException
                ? $"not connected within {bound.TotalMilliseconds:0} ms"
                : RedisFailures.Describe(error, bound);
        RedisLog.CallFailed(_logger, operation, cause);
        return new Core.RateLimiting.RateLimiterUnavailableException($"Redis {operation} failed: {cause}.", error);
    }

    private void OnConnectionAttemptCompleted(object? sender, ConnectionAttemptCompletedEventArgs e)
    {
        var rejected = !e.IsSuccess && e.FailureType == ConnectionFailureType.AuthenticationFailure;
        lock (_lock)
        {
            // Handlers run on worker threads and may arrive out of order: only the latest attempt counts.
            if (e.SequenceNumber < _lastAttempt)
            {
                return;
            }

            _lastAttempt = e.SequenceNumber;
            // Logged before callers can see the state, and once per episode rather than at every
            // reconnect attempt (every 2 s) while the credentials stay wrong.
            if (rejected && !_authenticationRejected)
            {
                RedisLog.AuthenticationRejected(_logger, Name(e.EndPoint), _options.UserName ?? "default");
            }

            // Sticky until an attempt succeeds: the socket closing after a refused AUTH is not news.
            _authenticationRejected = rejected || (_authenticationRejected && !e.IsSuccess);
        }

        _firstAttempt.TrySetResult();
    }

    /// <summary>An endpoint as host:port, for logs.</summary>
    internal static string Name(System.Net.EndPoint? endpoint) => endpoint is null ? "?" : EndPointCollection.ToString(endpoint);

    /// <summary>A call abandoned at its bound may still fail later; observe that so it is not reported as unobserved.</summary>
    private static void ObserveLateFailure(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
