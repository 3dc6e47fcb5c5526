using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Rce.Infrastructure.Redis;

/// <summary>
/// Source-generated logs of the Redis store (event ids 10xx). Endpoints, user names (object ids)
/// and failure kinds only: never keys (they hold tenant and user ids), tokens or passwords.
/// </summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Redis {ConnectionType} connection to {Endpoint} established")]
    public static partial void Connected(ILogger logger, ConnectionType connectionType, string endpoint);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Redis {ConnectionType} connection to {Endpoint} lost ({FailureType}); reconnecting in the background")]
    public static partial void ConnectionLost(ILogger logger, ConnectionType connectionType, string endpoint, ConnectionFailureType failureType);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Redis {ConnectionType} connection to {Endpoint} still down ({FailureType})")]
    public static partial void StillDown(ILogger logger, ConnectionType connectionType, string endpoint, ConnectionFailureType failureType);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Redis {Endpoint} rejected the credentials of user {User} (wrong password or token, or no access policy for this identity)")]
    public static partial void AuthenticationRejected(ILogger logger, string endpoint, string user);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Redis client could not be set up: {Failure}; retrying at the next call")]
    public static partial void SetupFailed(ILogger logger, string failure);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Entra token of Redis user {User} replaced (expires {ExpiresOn:o}); {Connections} connection(s) re-authenticated")]
    public static partial void TokenReplaced(ILogger logger, string user, DateTimeOffset expiresOn, int connections);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Entra token of Redis user {User} not replaced ({Failure}); current one expires {ExpiresOn:o}, next attempt in {DelayMs} ms")]
    public static partial void TokenRefreshFailed(ILogger logger, string user, string failure, DateTimeOffset expiresOn, long delayMs);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Re-AUTH of Redis user {User} on {Endpoint} failed ({Failure}); the connection keeps its previous token until it reconnects")]
    public static partial void ReauthenticationFailed(ILogger logger, string user, string endpoint, string failure);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Debug, Message = "Redis {Operation} failed: {Failure}")]
    public static partial void CallFailed(ILogger logger, string operation, string failure);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Redis is not reachable yet ({Configuration}); calls fail as unavailable while the client reconnects in the background")]
    public static partial void NotReachableYet(ILogger logger, string configuration);
}
