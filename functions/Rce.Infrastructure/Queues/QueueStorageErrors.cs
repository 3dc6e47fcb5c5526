using Azure;
using Azure.Storage.Queues.Models;

namespace Rce.Infrastructure.Queues;

/// <summary>Classifies storage failures the way the extension's <c>StorageExceptionExtensions</c> does.</summary>
internal static class QueueStorageErrors
{
    private static readonly string MessageNotFound = QueueErrorCode.MessageNotFound.ToString();
    private static readonly string QueueNotFound = QueueErrorCode.QueueNotFound.ToString();
    private static readonly string PopReceiptMismatch = QueueErrorCode.PopReceiptMismatch.ToString();
    private static readonly string QueueBeingDeleted = QueueErrorCode.QueueBeingDeleted.ToString();
    private static readonly string QueueDisabled = QueueErrorCode.QueueDisabled.ToString();

    /// <summary>404 QueueNotFound.</summary>
    public static bool IsQueueNotFound(RequestFailedException error) =>
        error.Status == 404 && Is(error, QueueNotFound);

    /// <summary>404 MessageNotFound or QueueNotFound (or a 404 without a code: HEAD answers carry none).</summary>
    public static bool IsNotFound(RequestFailedException error) =>
        error.Status == 404 && (error.ErrorCode is null || Is(error, MessageNotFound) || Is(error, QueueNotFound));

    /// <summary>400 PopReceiptMismatch: someone else received the message since, or its receipt was renewed.</summary>
    public static bool IsPopReceiptMismatch(RequestFailedException error) =>
        error.Status == 400 && Is(error, PopReceiptMismatch);

    /// <summary>409 QueueBeingDeleted or QueueDisabled.</summary>
    public static bool IsQueueBeingDeletedOrDisabled(RequestFailedException error) =>
        error.Status == 409 && (Is(error, QueueBeingDeleted) || Is(error, QueueDisabled));

    /// <summary>The message is no longer ours to complete or renew.</summary>
    public static bool IsOwnershipLost(RequestFailedException error) =>
        IsNotFound(error) || IsPopReceiptMismatch(error) || IsQueueBeingDeletedOrDisabled(error);

    /// <summary>
    /// Worth retrying later: a 5xx, or no answer at all (Azure.Core reports transport failures as status
    /// 0, and as an <see cref="AggregateException"/> once its own retries are exhausted).
    /// </summary>
    public static bool IsTransient(Exception error) => error switch
    {
        RequestFailedException storage => storage.Status is 0 or >= 500,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsTransient),
        HttpRequestException or IOException or TimeoutException => true,

        // Azure.Core's network timeout surfaces as a cancellation nobody asked for.
        OperationCanceledException => true,
        _ => false,
    };

    /// <summary>Status and code for logs; never the service's message text (it may echo request data).</summary>
    public static string Describe(Exception error) => error switch
    {
        RequestFailedException storage => $"{storage.Status} {storage.ErrorCode}",
        AggregateException { InnerExceptions.Count: > 0 } aggregate => Describe(aggregate.InnerExceptions[^1]),
        _ => error.GetType().Name,
    };

    private static bool Is(RequestFailedException error, string code) =>
        string.Equals(error.ErrorCode, code, StringComparison.Ordinal);
}
