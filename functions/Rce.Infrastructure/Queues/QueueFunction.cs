namespace Rce.Infrastructure.Queues;

/// <summary>
/// A queue-triggered function. Completing normally is success (the message is deleted); throwing is
/// failure (the message is retried after <see cref="QueueTriggerOptions.VisibilityTimeout"/>, then
/// poisoned at <see cref="QueueTriggerOptions.MaxDequeueCount"/>). Delivery is at least once, so the
/// function must be idempotent.
/// </summary>
/// <param name="message">The decoded message.</param>
/// <param name="cancellationToken">
/// Cancelled only when the host gives up waiting during shutdown (or the listener is disposed without a
/// graceful stop); a graceful stop lets the invocation finish.
/// </param>
/// <returns>A task that completes when the message is handled.</returns>
public delegate Task QueueFunction(QueueTriggerMessage message, CancellationToken cancellationToken);
