using System.Net.Sockets;
using Azure;
using Rce.Infrastructure.Workflow;

namespace Rce.Infrastructure.Storage;

/// <summary>
/// Tells a storage service that did not answer (down, timing out, throttling, failing on its side)
/// from a storage answer that is an outcome or a bug of ours (404, 409, 412, 400). The storage
/// clients have already retried (<see cref="StorageClientOptions"/>) when one of these reaches a caller.
/// </summary>
public static class StorageOutage
{
    /// <summary>Whether <paramref name="error"/> is storage not answering, rather than an answer.</summary>
    /// <param name="error">What a storage call threw.</param>
    /// <returns>True for a transport failure, a timeout, 408, 429 or a 5xx; for an aggregate, when every inner one is.</returns>
    public static bool Is(Exception error) => error switch
    {
        // Status 0: no answer at all (refused, reset, DNS); the SDK wraps the transport's exception.
        RequestFailedException storage => storage.Status is 0 or 408 or 429 or >= 500,
        // The SDK's retry policy gives up with every attempt's exception.
        AggregateException { InnerExceptions.Count: > 0 } aggregate => aggregate.InnerExceptions.All(Is),
        // The SDK's network timeout surfaces as a cancellation caused by a TimeoutException.
        OperationCanceledException { InnerException: TimeoutException } => true,
        TimeoutException or HttpRequestException or SocketException => true,
        _ => false,
    };

    /// <summary>Status and code for logs; never the service's message text (it may echo request data).</summary>
    /// <param name="error">What a storage call threw.</param>
    /// <returns>For example <c>503 ServerBusy</c>, or the exception's type name.</returns>
    public static string Describe(Exception error) => StorageErrors.Describe(error);
}
