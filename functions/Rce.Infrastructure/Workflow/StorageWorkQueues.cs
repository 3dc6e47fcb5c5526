using Azure;
using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Rce.Core.Submissions;
using Rce.Infrastructure.Queues;
using Rce.Infrastructure.Storage;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// <see cref="IWorkQueues"/> over Storage queues (Base64 encoding, from <see cref="StorageAccount"/>,
/// as the Functions trigger expects). Queues are created when first sent to, once per process.
/// </summary>
public sealed class StorageWorkQueues : IWorkQueues
{
    /// <summary>Longest initial invisibility: the service allows 7 days; a minute less leaves room for clock differences.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);

    // -1 s = never expires. The default TTL (7 days) would let a long-delayed retry or reconcile
    // message vanish unhandled, and a submission would stay Queued forever.
    private static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    private readonly Dictionary<WorkQueueId, (QueueClient Client, CreateOnce Created)> _queues = [];
    private readonly QueueServiceClient _service;
    private readonly Action<WorkQueueId>? _onEnqueued;
    private readonly Func<WorkQueueId, LocalQueuePlace?>? _reserveLocal;
    private readonly Func<WorkQueueId, Func<CancellationToken, Task>, Func<Task>, bool>? _defer;

    /// <summary>Creates the queues adapter.</summary>
    /// <param name="account">The storage account.</param>
    /// <param name="onEnqueued">Called after a message was sent with no delay (a wake-up for a local listener); must not block.</param>
    /// <param name="reserveLocal">Gives a place on a local listener for a message with no delay, or null (see <see cref="LocalQueuePlace"/>); must not block.</param>
    /// <param name="defer">Takes work onto a local listener's backlog, or refuses (see <see cref="IWorkQueues.TryDefer"/>); must not block.</param>
    public StorageWorkQueues(StorageAccount account, Action<WorkQueueId>? onEnqueued = null, Func<WorkQueueId, LocalQueuePlace?>? reserveLocal = null, Func<WorkQueueId, Func<CancellationToken, Task>, Func<Task>, bool>? defer = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        _service = account.Queues;
        _onEnqueued = onEnqueued;
        _reserveLocal = reserveLocal;
        _defer = defer;
        foreach (var queue in WorkQueues.All)
        {
            var client = _service.GetQueueClient(queue.Name());
            _queues[queue] = (client, new CreateOnce(async ct => await client.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false)));
        }
    }

    /// <inheritdoc/>
    /// <remarks>A negative delay counts as zero; a delay over <see cref="MaxDelay"/> is cut to it.</remarks>
    public async Task EnqueueAsync(WorkQueueId queue, WorkMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!_queues.TryGetValue(queue, out var target))
        {
            throw new ArgumentOutOfRangeException(nameof(queue), queue, "Not a workflow queue.");
        }

        var text = message.ToJson();
        TimeSpan? visibility = delay > TimeSpan.Zero ? (delay > MaxDelay ? MaxDelay : delay) : null;
        using var place = visibility is null ? _reserveLocal?.Invoke(queue) : null;
        if (place is not null)
        {
            // Ours to run: sent invisible for the listener's lease, as a receive would have made it,
            // then handed over with its pop receipt. A failed send gives the place back (dispose).
            var receipt = await SendAsync(target, text, place.Lease, cancellationToken).ConfigureAwait(false);
            place.Dispatch(QueuesModelFactory.QueueMessage(
                receipt.MessageId,
                receipt.PopReceipt,
                BinaryData.FromString(Convert.ToBase64String(Encoding.UTF8.GetBytes(text))),
                dequeueCount: 1,
                receipt.TimeNextVisible,
                receipt.InsertionTime,
                receipt.ExpirationTime));
            return;
        }

        await SendAsync(target, text, visibility, cancellationToken).ConfigureAwait(false);
        if (visibility is null)
        {
            Notify(queue);
        }
    }

    private static async Task<SendReceipt> SendAsync((QueueClient Client, CreateOnce Created) target, string text, TimeSpan? visibility, CancellationToken cancellationToken)
    {
        await target.Created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return (await target.Client.SendMessageAsync(text, visibility, NeverExpires, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException error) when (StorageErrors.IsQueueNotFound(error))
        {
            // Deleted since this process created it: create again and send once more (nothing was sent).
            target.Created.Reset();
            await target.Created.EnsureAsync(cancellationToken).ConfigureAwait(false);
            return (await target.Client.SendMessageAsync(text, visibility, NeverExpires, cancellationToken).ConfigureAwait(false)).Value;
        }
    }

    /// <inheritdoc/>
    public ILocalWorker? TryReserveWorker(WorkQueueId queue) => _reserveLocal?.Invoke(queue);

    /// <inheritdoc/>
    public bool TryDefer(WorkQueueId queue, Func<CancellationToken, Task> run, Func<Task> handOver) => _defer?.Invoke(queue, run, handOver) ?? false;

    /// <summary>Approximate message counts of every workflow queue and its poison queue, for a stats endpoint.</summary>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>Queue name to count; a queue that does not exist counts 0.</returns>
    public async Task<IReadOnlyDictionary<string, int>> GetDepthsAsync(CancellationToken cancellationToken)
    {
        var names = WorkQueues.All.SelectMany(queue => new[] { queue.Name(), queue.Name() + WorkQueues.PoisonSuffix });
        var depths = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            try
            {
                var properties = await _service.GetQueueClient(name).GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
                depths[name] = properties.Value.ApproximateMessagesCount;
            }
            catch (RequestFailedException error) when (StorageErrors.IsNotFound(error))
            {
                depths[name] = 0;
            }
        }

        return depths;
    }

    private void Notify(WorkQueueId queue)
    {
        try
        {
            _onEnqueued?.Invoke(queue);
        }
#pragma warning disable CA1031 // The message is sent: a failing wake-up must not turn that into a failed send, which the caller would retry (a duplicate). The listener polls anyway.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
