using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace Rce.Infrastructure.Queues;

/// <summary>
/// Processes one received message (the extension's <c>QueueProcessor</c>): decode, poison check,
/// invoke under lease renewal, then delete, release or poison. Storage calls here are never cancelled:
/// an interrupted delete or update would leave the message's fate to chance.
/// </summary>
internal sealed class QueueMessageHandler
{
    private readonly QueueClient _queue;
    private readonly QueueClient? _poison;
    private readonly QueueTriggerOptions _options;
    private readonly QueueFunction _function;
    private readonly QueueLeaseRenewer _renewer;
    private readonly ILogger _logger;

    public QueueMessageHandler(QueueClient queue, QueueClient? poison, QueueTriggerOptions options, QueueFunction function, TimeProvider time, ILogger logger)
    {
        _queue = queue;
        _poison = poison;
        _options = options;
        _function = function;
        _logger = logger;
        _renewer = new QueueLeaseRenewer(queue, options, time, logger);
    }

    /// <summary>Handles <paramref name="message"/> to the end. Never throws: a failed completion leaves the message to its lease.</summary>
    /// <param name="message">A message received with visibility <see cref="QueueTriggerOptions.Lease"/>.</param>
    /// <param name="invocationToken">Passed to the function only.</param>
    public async Task ProcessAsync(QueueMessage message, CancellationToken invocationToken)
    {
        var lease = new MessageLease(message.MessageId, message.PopReceipt);
        var raw = message.Body.ToString();
        try
        {
            if (!QueueMessageDecoder.TryDecode(raw, _options.MessageEncoding, out var text))
            {
                // As the extension's MessageDecodingFailed handler: no invocation, the raw text goes to poison.
                await PoisonAsync(lease, raw, "not base64 of UTF-8 text").ConfigureAwait(false);
                return;
            }

            if (message.DequeueCount > _options.MaxDequeueCount)
            {
                // Over the limit already (e.g. a crash after the last attempt): never invoke again.
                await PoisonAsync(lease, raw, $"dequeued {message.DequeueCount} times, more than {_options.MaxDequeueCount}").ConfigureAwait(false);
                return;
            }

            var failure = await InvokeAsync(message, text, lease, invocationToken).ConfigureAwait(false);
            if (failure is null)
            {
                await DeleteAsync(lease).ConfigureAwait(false);
            }
            else if (message.DequeueCount >= _options.MaxDequeueCount)
            {
                await PoisonAsync(lease, raw, $"failed on attempt {message.DequeueCount} of {_options.MaxDequeueCount}").ConfigureAwait(false);
            }
            else if (_poison is null)
            {
                // Releasing at once would spin a hot retry loop with no poison queue to end it.
                QueueListenerLog.NoPoisonQueue(_logger, lease.MessageId, _queue.Name, "the function failed");
            }
            else
            {
                await ReleaseAsync(lease).ConfigureAwait(false);
            }
        }
        catch (Exception error)
        {
            QueueListenerLog.CompletionFailed(_logger, lease.MessageId, _queue.Name, "complete", QueueStorageErrors.Describe(error), error);
        }
    }

    private async Task<Exception?> InvokeAsync(QueueMessage message, string text, MessageLease lease, CancellationToken invocationToken)
    {
        using var renewalStop = new CancellationTokenSource();
        var renewal = _renewer.RunAsync(lease, renewalStop.Token);
        try
        {
            await _function(new QueueTriggerMessage(text, message.DequeueCount, message.MessageId, message.InsertedOn), invocationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception error)
        {
            QueueListenerLog.FunctionFailed(_logger, _queue.Name, message.MessageId, message.DequeueCount, _options.MaxDequeueCount, error);
            return error;
        }
        finally
        {
            await renewalStop.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(false);
        }
    }

    private async Task DeleteAsync(MessageLease lease)
    {
        try
        {
            await _queue.DeleteMessageAsync(lease.MessageId, lease.PopReceipt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (QueueStorageErrors.IsNotFound(error) || QueueStorageErrors.IsPopReceiptMismatch(error))
        {
            // Already gone, or redelivered to someone else after a lost lease: at-least-once, nothing to undo.
        }
    }

    private async Task ReleaseAsync(MessageLease lease)
    {
        try
        {
            await _queue.UpdateMessageAsync(lease.MessageId, lease.PopReceipt, messageText: null, _options.VisibilityTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (QueueStorageErrors.IsOwnershipLost(error))
        {
            // No longer ours: whoever holds it now decides.
        }
    }

    private async Task PoisonAsync(MessageLease lease, string raw, string reason)
    {
        if (_poison is null)
        {
            QueueListenerLog.NoPoisonQueue(_logger, lease.MessageId, _queue.Name, reason);
            return;
        }

        // Raw text both ways (the clients have no encoding), so the poison copy is byte-identical.
        try
        {
            await _poison.SendMessageAsync(raw, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (QueueStorageErrors.IsQueueNotFound(error))
        {
            await _poison.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            await _poison.SendMessageAsync(raw, CancellationToken.None).ConfigureAwait(false);
        }

        // Copy first, delete second: a crash in between duplicates the message, never loses it.
        await DeleteAsync(lease).ConfigureAwait(false);
        QueueListenerLog.MovedToPoison(_logger, lease.MessageId, _queue.Name, _poison.Name, reason);
    }
}
