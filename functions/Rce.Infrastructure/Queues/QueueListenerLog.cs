using Microsoft.Extensions.Logging;

namespace Rce.Infrastructure.Queues;

/// <summary>
/// Source-generated logs of the queue listener (event ids 7xx). Queue names, message ids, counts and
/// storage status codes only: never message bodies (they carry user data) nor storage error texts.
/// </summary>
internal static partial class QueueListenerLog
{
    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Listening on queue {Queue} (batch {BatchSize}, new batch at {Threshold} in flight, lease {Lease})")]
    public static partial void Started(ILogger logger, string queue, int batchSize, int threshold, TimeSpan lease);

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "Stopping the listener of queue {Queue}; waiting for {InFlight} in-flight messages")]
    public static partial void Stopping(ILogger logger, string queue, int inFlight);

    [LoggerMessage(EventId = 703, Level = LogLevel.Information, Message = "Listener of queue {Queue} stopped")]
    public static partial void Stopped(ILogger logger, string queue);

    [LoggerMessage(EventId = 704, Level = LogLevel.Debug, Message = "Queue {Queue} does not exist yet; backing off")]
    public static partial void QueueMissing(ILogger logger, string queue);

    [LoggerMessage(EventId = 705, Level = LogLevel.Warning, Message = "Polling queue {Queue} failed ({Failure}); backing off")]
    public static partial void PollFailed(ILogger logger, string queue, string failure);

    [LoggerMessage(EventId = 706, Level = LogLevel.Critical, Message = "Listener of queue {Queue} stopped on a storage error ({Failure})")]
    public static partial void ListenerFailed(ILogger logger, string queue, string failure, Exception error);

    [LoggerMessage(EventId = 707, Level = LogLevel.Warning, Message = "Function of queue {Queue} failed on message {MessageId} (attempt {DequeueCount} of {MaxDequeueCount})")]
    public static partial void FunctionFailed(ILogger logger, string queue, string messageId, long dequeueCount, int maxDequeueCount, Exception error);

    [LoggerMessage(EventId = 708, Level = LogLevel.Warning, Message = "Message {MessageId} of queue {Queue} moved to {PoisonQueue}: {Reason}")]
    public static partial void MovedToPoison(ILogger logger, string messageId, string queue, string poisonQueue, string reason);

    [LoggerMessage(EventId = 709, Level = LogLevel.Warning, Message = "Message {MessageId} of queue {Queue}: {Reason}, and the queue has no poison queue; it stays invisible until its lease ends")]
    public static partial void NoPoisonQueue(ILogger logger, string messageId, string queue, string reason);

    [LoggerMessage(EventId = 710, Level = LogLevel.Warning, Message = "Lease of message {MessageId} on queue {Queue} lost ({Failure}); renewal stopped")]
    public static partial void LeaseLost(ILogger logger, string messageId, string queue, string failure);

    [LoggerMessage(EventId = 711, Level = LogLevel.Warning, Message = "Renewing the lease of message {MessageId} on queue {Queue} failed ({Failure}); retrying in {DelayMs} ms")]
    public static partial void RenewalFailed(ILogger logger, string messageId, string queue, string failure, long delayMs);

    [LoggerMessage(EventId = 712, Level = LogLevel.Error, Message = "Completing message {MessageId} of queue {Queue} ({Action}) failed ({Failure}); it reappears when its lease ends")]
    public static partial void CompletionFailed(ILogger logger, string messageId, string queue, string action, string failure, Exception error);

    [LoggerMessage(EventId = 713, Level = LogLevel.Debug, Message = "Lease of message {MessageId} on queue {Queue} renewed")]
    public static partial void Renewed(ILogger logger, string messageId, string queue);

    [LoggerMessage(EventId = 714, Level = LogLevel.Warning, Message = "Work run in place of a message of queue {Queue} failed")]
    public static partial void LocalWorkFailed(ILogger logger, string queue, Exception error);

    [LoggerMessage(EventId = 715, Level = LogLevel.Warning, Message = "Handing over backlog work of queue {Queue} failed; its reconcile check recovers it")]
    public static partial void HandOverFailed(ILogger logger, string queue, Exception error);
}
