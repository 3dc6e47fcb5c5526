using Microsoft.Extensions.Logging;

namespace Rce.Infrastructure.Runners;

/// <summary>Source-generated logs of the runner client (event ids 5xx). Runner URLs only: never bodies or tokens.</summary>
internal static partial class RunnerClientLog
{
    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Runner {Runner} attempt {Attempt} failed ({Failure}); retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, Uri runner, int attempt, string failure, long delayMs);

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "Runner {Runner} circuit opened for {BreakMs} ms")]
    public static partial void CircuitOpened(ILogger logger, Uri runner, long breakMs);

    [LoggerMessage(EventId = 503, Level = LogLevel.Information, Message = "Runner {Runner} circuit closed")]
    public static partial void CircuitClosed(ILogger logger, Uri runner);

    [LoggerMessage(EventId = 504, Level = LogLevel.Error, Message = "No runner answered after {Attempts} attempts (last {Runner}: {Failure})")]
    public static partial void Unavailable(ILogger logger, int attempts, Uri runner, string failure);
}
