using Rce.Core.Submissions;
using Rce.Infrastructure.Queues;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// The link between this process's queue producers and its self-hosted listeners: "a message was
/// just enqueued on this queue, visible now" (the listener polls at once instead of waiting out its
/// back-off), and "is there a local place for a message about to be sent" (the listener runs it
/// without a receive, see <see cref="LocalQueuePlace"/>). Hints only: listeners still poll, since
/// other processes enqueue too. In hosted mode nothing subscribes and both are no-ops.
/// </summary>
public sealed class WorkQueueNotifier
{
    private Func<WorkQueueId, LocalQueuePlace?>? _reserve;
    private Func<WorkQueueId, Func<CancellationToken, Task>, Func<Task>, bool>? _defer;

    /// <summary>Raised after a message with no delay was sent; handlers must be quick and must not throw.</summary>
    public event Action<WorkQueueId>? Enqueued;

    /// <summary>Raises <see cref="Enqueued"/>.</summary>
    /// <param name="q">The queue that received the message.</param>
    public void Raise(WorkQueueId q) => Enqueued?.Invoke(q);

    /// <summary>Sets where local places come from (the self-hosted listeners); once.</summary>
    /// <param name="reserve">Gives a place on the queue's listener, or null.</param>
    /// <exception cref="InvalidOperationException">Already set.</exception>
    public void ServeLocalPlaces(Func<WorkQueueId, LocalQueuePlace?> reserve)
    {
        ArgumentNullException.ThrowIfNull(reserve);
        if (Interlocked.CompareExchange(ref _reserve, reserve, null) is not null)
        {
            throw new InvalidOperationException("Local places are already served.");
        }
    }

    /// <summary>A place on this process's listener of <paramref name="q"/>, or null (none, or full).</summary>
    /// <param name="q">The queue the message is for.</param>
    /// <returns>The place, to be dispatched or disposed.</returns>
    public LocalQueuePlace? TryReserve(WorkQueueId q) => Volatile.Read(ref _reserve)?.Invoke(q);

    /// <summary>Sets where deferred work goes (the self-hosted listeners' backlogs); once.</summary>
    /// <param name="defer">Takes work onto the queue's listener backlog, or refuses.</param>
    /// <exception cref="InvalidOperationException">Already set.</exception>
    public void ServeBacklogs(Func<WorkQueueId, Func<CancellationToken, Task>, Func<Task>, bool> defer)
    {
        ArgumentNullException.ThrowIfNull(defer);
        if (Interlocked.CompareExchange(ref _defer, defer, null) is not null)
        {
            throw new InvalidOperationException("Backlogs are already served.");
        }
    }

    /// <summary>Takes work onto the backlog of this process's listener of <paramref name="q"/>; false when there is none, or it refuses.</summary>
    /// <param name="q">The queue the work's message would go to.</param>
    /// <param name="run">The work.</param>
    /// <param name="handOver">Sends its message instead, if the listener stops first.</param>
    /// <returns>Whether it was taken.</returns>
    public bool TryDefer(WorkQueueId q, Func<CancellationToken, Task> run, Func<Task> handOver) =>
        Volatile.Read(ref _defer)?.Invoke(q, run, handOver) ?? false;
}
