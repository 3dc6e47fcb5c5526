using Azure.Storage.Queues.Models;
using Rce.Core.Submissions;

namespace Rce.Infrastructure.Queues;

/// <summary>
/// A worker place reserved on this process's listener for one message the process is about to send
/// (<see cref="QueueListener.TryReserveLocal"/>). The sender sends the message invisible for
/// <see cref="Lease"/> and hands the sent message (id and pop receipt) to <see cref="Dispatch"/>:
/// the listener then runs it exactly as a received one (lease renewal, delete, release, poison)
/// without the receive round trip. Or the sender sends nothing and runs its work on the place
/// (<see cref="Run"/>, the <see cref="ILocalWorker"/> of the workflow). Disposing a place that was
/// never used gives it back.
/// </summary>
/// <remarks>
/// Why this is as safe as a receive: the message is stored before it runs and stays invisible only
/// for the lease, as a received message does; if this process dies, the message becomes visible
/// when the lease ends and any listener receives it (at-least-once, as before). The one difference
/// is the dequeue count: a message run here was never dequeued, so it is invoked with a count of 1
/// and, should that attempt fail, the service counts its next delivery as 1 again (one extra
/// attempt before the poison queue).
/// </remarks>
public sealed class LocalQueuePlace : ILocalWorker
{
    private readonly QueueListener _listener;
    private int _used;

    internal LocalQueuePlace(QueueListener listener, TimeSpan lease)
    {
        _listener = listener;
        Lease = lease;
    }

    /// <summary>How long the message must be sent invisible: the listener's processing lease.</summary>
    public TimeSpan Lease { get; }

    /// <summary>Runs the sent message on the reserved place.</summary>
    /// <param name="message">The message as sent: id, pop receipt, and the body as stored (encoded).</param>
    /// <exception cref="InvalidOperationException">The place was already used or given back.</exception>
    public void Dispatch(QueueMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Use();
        _listener.RunLocal(message);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The place was already used or given back.</exception>
    public void Run(Func<CancellationToken, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Use();
        _listener.RunLocalWork(work);
    }

    private void Use()
    {
        if (Interlocked.Exchange(ref _used, 1) != 0)
        {
            throw new InvalidOperationException("This place was already used or given back.");
        }
    }

    /// <summary>Gives the place back unless it was used.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _used, 1) == 0)
        {
            _listener.ReleaseLocal();
        }
    }
}
