namespace Rce.Core.Submissions;

/// <summary>
/// One append-only history entry of an instance, shaped like Durable's <c>historyEvents</c>
/// (<c>ExecutionStarted</c>, <c>TaskScheduled</c>, <c>TaskCompleted</c>, <c>TaskFailed</c>,
/// <c>ExecutionCompleted</c>, <c>ExecutionTerminated</c>, …).
/// </summary>
/// <param name="EventType">The Durable event type name.</param>
/// <param name="Timestamp">When it happened.</param>
/// <param name="Name">Function or step name, when the event has one.</param>
/// <param name="Detail">Reason or result summary; never source, stdin or output.</param>
public sealed record HistoryEvent(string EventType, DateTimeOffset Timestamp, string? Name = null, string? Detail = null);
