namespace Rce.Infrastructure.Queues;

/// <summary>One delivery of a queue message to a <see cref="QueueFunction"/>.</summary>
/// <param name="Text">The payload, already decoded according to <see cref="QueueTriggerOptions.MessageEncoding"/>.</param>
/// <param name="DequeueCount">Deliveries so far, this one included (1 on the first attempt).</param>
/// <param name="MessageId">The service's message id; stable across deliveries, safe to log.</param>
/// <param name="InsertionTime">When the message was enqueued, when the service reported it.</param>
public sealed record QueueTriggerMessage(string Text, long DequeueCount, string MessageId, DateTimeOffset? InsertionTime);
