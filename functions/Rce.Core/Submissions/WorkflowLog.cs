using Microsoft.Extensions.Logging;

namespace Rce.Core.Submissions;

/// <summary>Structured log events of the workflow: ids, statuses and reasons only, never source, stdin or output.</summary>
internal static partial class WorkflowLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Submission {Id} attempt {Attempt} started")]
    public static partial void Started(ILogger logger, string id, int attempt);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Submission {Id} ended {Status} with {Verdict}")]
    public static partial void Ended(ILogger logger, string id, SubmissionStatus status, string? verdict);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Submission {Id} attempt {Attempt} failed ({Reason}); retry in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string id, int attempt, string reason, long delayMs);

    [LoggerMessage(EventId = 303, Level = LogLevel.Debug, Message = "Submission {Id}: message for attempt {Attempt} is stale or lost its race")]
    public static partial void Skipped(ILogger logger, string id, int attempt);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Submission {Id}: reconcile re-enqueued it ({Reason})")]
    public static partial void Reenqueued(ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "Submission {Id}: message for an unknown (purged) submission acknowledged")]
    public static partial void Unknown(ILogger logger, string id);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "Submission {Id}: callback attempt {Attempt} was not seen to finish; re-driven as attempt {Next}")]
    public static partial void CallbackRedriven(ILogger logger, string id, int attempt, int next);

    [LoggerMessage(EventId = 307, Level = LogLevel.Warning, Message = "Submission {Id}: callback abandoned after attempt {Attempt} (give-up time passed)")]
    public static partial void CallbackAbandoned(ILogger logger, string id, int attempt);
}
