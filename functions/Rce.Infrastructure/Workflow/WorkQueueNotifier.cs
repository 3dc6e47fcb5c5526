using Rce.Core.Submissions;
using Rce.Infrastructure.Queues;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// The link between this process's queue producers and its self-hosted listeners: "a message was
/// just enqueued on this queue, visible now" (the listener polls at once instead of waiting out its
/// back-off), "is there a local place for a message about to be sent" (the listener runs it
/// without a receive, see <see cref="LocalQueuePlace"/>), and "take this work onto your backlog"
/// (see <see cref="QueueListener.TryDefer"/>). Hints only: listeners still poll, since other
/// processes enqueue too. In hosted mode nothing subscribes and all are no-ops.
/// </summary>
public sealed class WorkQueueNotifier
{
    private Func<WorkQueueId, QueueListener?>? _listenerOf;

    /// <summary>Raised after a message with no delay was sent; handlers must be quick and must not throw.</summary>
    public event Action<WorkQueueId>? Enqueued;

    /// <summary>Raises <see cref="Enqueued"/>.</summary>
    /// <param name="q">The queue that received the message.</param>
    public void Raise(WorkQueueId q) => Enqueued?.Invoke(q);

    /// <summary>Sets where this process's listeners are found (the self-hosted queue host); once.</summary>
    /// <param name="listenerOf">The listener of a queue, or null.</param>
    /// <exception cref="InvalidOperationException">Already set.</exception>
    public void ServeListeners(Func<WorkQueueId, QueueListener?> listenerOf)
    {
        ArgumentNullException.ThrowIfNull(listenerOf);
        if (Interlocked.CompareExchange(ref _listenerOf, listenerOf, null) is not null)
        {
            throw new InvalidOperationException("Listeners are already served.");
        }
    }

    /// <summary>A place on this process's listener of <paramref name="q"/>, or null (none, or full).</summary>
    /// <param name="q">The queue the message is for.</param>
    /// <returns>The place, to be dispatched or disposed.</returns>
    public LocalQueuePlace? TryReserve(WorkQueueId q) => ListenerOf(q)?.TryReserveLocal();

    /// <summary>Takes work onto the backlog of this process's listener of <paramref name="q"/>; false when there is none, or it refuses.</summary>
    /// <param name="q">The queue the work's message would go to.</param>
    /// <param name="run">The work.</param>
    /// <param name="handOver">Sends its message instead, if the listener stops first.</param>
    /// <returns>Whether it was taken.</returns>
    public bool TryDefer(WorkQueueId q, Func<CancellationToken, Task> run, Func<Task> handOver) =>
        ListenerOf(q)?.TryDefer(run, handOver) ?? false;

    private QueueListener? ListenerOf(WorkQueueId q) => Volatile.Read(ref _listenerOf)?.Invoke(q);
}
