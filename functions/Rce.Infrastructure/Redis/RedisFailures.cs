using Azure.Identity;
using StackExchange.Redis;

namespace Rce.Infrastructure.Redis;

/// <summary>
/// Helps turn every failure of the store into <see cref="Rce.Core.RateLimiting.RateLimiterUnavailableException"/>, the one
/// exception callers handle (each policy then fails open or closed). Messages name the operation
/// and the kind of failure, never keys (they hold tenant and user ids) or credentials.
/// </summary>
internal static class RedisFailures
{
    /// <summary>
    /// Whether <paramref name="error"/> is a store failure rather than the caller cancelling: any
    /// exception but an <see cref="OperationCanceledException"/> for <paramref name="callerToken"/>.
    /// Deliberately broad: a client-library surprise must reach the caller as "unavailable", which it
    /// knows how to handle, not as an unhandled 500.
    /// </summary>
    public static bool IsStoreFailure(Exception error, CancellationToken callerToken) =>
        !(error is OperationCanceledException && callerToken.IsCancellationRequested);

    /// <summary>Description of a connection refused at authentication.</summary>
    public const string AuthenticationRejected = "authentication failed (Redis rejected the user name and password or token)";

    /// <summary>A short, secret-free description of a failure.</summary>
    public static string Describe(Exception error, TimeSpan bound) => error switch
    {
        RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure } => AuthenticationRejected,
        RedisConnectionException connection => $"no connection ({connection.FailureType})",
        RedisServerException { Kind: RedisErrorKind.WrongPass or RedisErrorKind.NoAuth } server =>
            $"authentication failed ({server.Kind})",
        RedisServerException server => $"the server answered an error ({server.Kind})",
        RedisException redis => $"client error ({redis.GetType().Name})",
        TimeoutException => $"no answer within {bound.TotalMilliseconds:0} ms",
        OperationCanceledException => $"no answer within {bound.TotalMilliseconds:0} ms",
        ObjectDisposedException => "the connection is shut down",
        AuthenticationFailedException => "no Microsoft Entra token for Redis (the managed identity did not answer or refused)",
        _ => $"{error.GetType().Name}",
    };
}
