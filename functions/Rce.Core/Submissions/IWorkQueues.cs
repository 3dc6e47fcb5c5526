namespace Rce.Core.Submissions;

/// <summary>Enqueues workflow messages (port; Storage queues with base64 encoding in Rce.Infrastructure).</summary>
public interface IWorkQueues
{
    /// <summary>Enqueues one message, visible after <paramref name="delay"/> (the workflow's only timer primitive).</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="message">The message.</param>
    /// <param name="delay">Initial invisibility: zero for now, the back-off for a retry, the check time for a reconcile.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task.</returns>
    Task EnqueueAsync(WorkQueueId queue, WorkMessage message, TimeSpan delay, CancellationToken cancellationToken);
}
