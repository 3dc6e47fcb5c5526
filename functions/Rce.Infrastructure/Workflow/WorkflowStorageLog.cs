using Microsoft.Extensions.Logging;

namespace Rce.Infrastructure.Workflow;

/// <summary>Log events of the workflow stores: ids, event types and storage status codes only, never payloads.</summary>
internal static partial class WorkflowStorageLog
{
    [LoggerMessage(EventId = 901, Level = LogLevel.Warning, Message = "Submission {Id}: history event {EventType} not recorded ({Error})")]
    public static partial void HistoryNotRecorded(ILogger logger, string id, string eventType, string error);

    [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "{What}: {Count} written behind not written ({Error}); {Kept} wait to be tried again, the others are written by their reconcile check")]
    public static partial void BulkNotWritten(ILogger logger, string what, int count, int kept, string error);
}
