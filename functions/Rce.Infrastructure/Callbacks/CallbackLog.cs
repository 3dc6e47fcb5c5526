using Microsoft.Extensions.Logging;

namespace Rce.Infrastructure.Callbacks;

/// <summary>Source-generated logs of callbacks (event ids 6xx). Hosts only: never URLs (user tokens in queries), bodies or secrets.</summary>
internal static partial class CallbackLog
{
    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Callback to {Host} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string host, string reason);

    [LoggerMessage(EventId = 602, Level = LogLevel.Information, Message = "Callback to {Host} answered {StatusCode}")]
    public static partial void Answered(ILogger logger, string host, int statusCode);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "Callback to {Host} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string host, string reason);
}
