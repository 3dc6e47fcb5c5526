using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;

namespace Rce.Infrastructure.Queues;

/// <summary>
/// Keeps a message invisible while its function runs (the extension's <c>UpdateQueueMessageVisibilityCommand</c>):
/// every <see cref="QueueTriggerOptions.EffectiveLeaseRenewal"/> it extends the visibility by
/// <see cref="QueueTriggerOptions.Lease"/> and keeps the new pop receipt.
/// </summary>
internal sealed class QueueLeaseRenewer(QueueClient queue, QueueTriggerOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>Renews until <paramref name="stop"/> fires or ownership is lost. Never throws.</summary>
    /// <remarks>
    /// <paramref name="stop"/> only ends the wait between renewals: an update already sent is awaited,
    /// so that its new pop receipt is known before the caller deletes or releases the message.
    /// </remarks>
    public async Task RunAsync(MessageLease lease, CancellationToken stop)
    {
        var normal = options.EffectiveLeaseRenewal;

        // The extension retries a failed renewal sooner (linear speed-up by half the interval) but never
        // faster than 1 min; shortened leases (tests) keep the same 5:1 ratio.
        var floor = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, normal.Ticks / 5));
        var interval = normal;
        while (true)
        {
            try
            {
                await Task.Delay(interval, time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                var receipt = await queue.UpdateMessageAsync(lease.MessageId, lease.PopReceipt, messageText: null, options.Lease, CancellationToken.None).ConfigureAwait(false);
                lease.PopReceipt = receipt.Value.PopReceipt;
                interval = normal;
                QueueListenerLog.Renewed(logger, lease.MessageId, queue.Name);
            }
            catch (Azure.RequestFailedException error) when (QueueStorageErrors.IsOwnershipLost(error))
            {
                // Someone else may now hold the message: renewing with a stale receipt cannot succeed.
                QueueListenerLog.LeaseLost(logger, lease.MessageId, queue.Name, QueueStorageErrors.Describe(error));
                return;
            }
            catch (Exception error) when (QueueStorageErrors.IsTransient(error))
            {
                interval = interval - (normal / 2) < floor ? floor : interval - (normal / 2);
                QueueListenerLog.RenewalFailed(logger, lease.MessageId, queue.Name, QueueStorageErrors.Describe(error), (long)interval.TotalMilliseconds);
            }
            catch (Exception error)
            {
                // The extension would crash the host here; losing only this lease is the smaller harm.
                QueueListenerLog.LeaseLost(logger, lease.MessageId, queue.Name, QueueStorageErrors.Describe(error));
                return;
            }
        }
    }
}
