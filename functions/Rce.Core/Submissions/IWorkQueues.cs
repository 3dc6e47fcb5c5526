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

    /// <summary>
    /// A free worker of this process for work that would otherwise be a message of
    /// <paramref name="queue"/> with no delay: the caller runs it there and sends no message. Only
    /// where this process also runs the queue's trigger (self-hosted mode), within the trigger's
    /// concurrency; null otherwise (hosted mode, full, stopping, disabled), and then the caller
    /// sends the message.
    /// </summary>
    /// <param name="queue">The queue whose worker capacity it takes.</param>
    /// <returns>The reserved worker, to be run or disposed; or null.</returns>
    /// <remarks>
    /// Invariant for callers: work run this way has no message to redeliver it if the process dies,
    /// so it must be covered by a reconcile check that already exists (a submission's own, or its
    /// batch's).
    /// </remarks>
    ILocalWorker? TryReserveWorker(WorkQueueId queue) => null;

    /// <summary>
    /// Takes work that would otherwise be a message of <paramref name="queue"/> with no delay onto
    /// this process's backlog for that queue: it runs when one of the queue's workers here is free,
    /// in order, with no message. Only in the self-hosted mode, within a bounded backlog; false
    /// otherwise, and then the caller sends the message.
    /// </summary>
    /// <param name="queue">The queue whose workers run it.</param>
    /// <param name="run">The work; it must hand itself over if it fails.</param>
    /// <param name="handOver">Sends the message, called instead of <paramref name="run"/> if this process stops first.</param>
    /// <returns>Whether the work was taken.</returns>
    /// <remarks>
    /// Invariant for callers: as for <see cref="TryReserveWorker"/>, the work is lost if the process
    /// dies, so it must be covered by a reconcile check that already exists.
    /// </remarks>
    bool TryDefer(WorkQueueId queue, Func<CancellationToken, Task> run, Func<Task> handOver) => false;
}

/// <summary>A worker reserved by <see cref="IWorkQueues.TryReserveWorker"/>. Disposing it without running gives it back.</summary>
public interface ILocalWorker : IDisposable
{
    /// <summary>
    /// Runs <paramref name="work"/> in the background on the reserved worker, which is freed when the
    /// work ends. A graceful stop waits for it, then cancels its token; a failure is logged.
    /// </summary>
    /// <param name="work">The work; its token is cancelled when the process stops without grace.</param>
    void Run(Func<CancellationToken, Task> work);
}
