using Rce.Core.Submissions;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// In-process signal "a message was just enqueued on this queue, visible now": the self-hosted
/// listener subscribes and polls at once instead of waiting out its back-off. A hint only; the
/// listener still polls, since other processes enqueue too.
/// </summary>
public sealed class WorkQueueNotifier
{
    /// <summary>Raised after a message with no delay was sent; handlers must be quick and must not throw.</summary>
    public event Action<WorkQueueId>? Enqueued;

    /// <summary>Raises <see cref="Enqueued"/>.</summary>
    /// <param name="q">The queue that received the message.</param>
    public void Raise(WorkQueueId q) => Enqueued?.Invoke(q);
}
