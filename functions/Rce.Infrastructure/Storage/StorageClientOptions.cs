using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Rce.Infrastructure.Storage;

/// <summary>
/// Client options shared by every storage client of the app. Retries are short on purpose: the
/// workflow retries whole steps itself (re-enqueue with a delay), so a client that retried for a
/// minute would only hold a queue lease and a worker while the step's own back-off waits anyway.
/// </summary>
internal static class StorageClientOptions
{
    /// <summary>Retries after the first attempt.</summary>
    internal const int MaxRetries = 3;

    /// <summary>Bound on one table or queue request (they are small).</summary>
    internal static readonly TimeSpan NetworkTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Bound on one blob request: submissions and outputs are up to a few MiB, not a few KiB.</summary>
    internal static readonly TimeSpan BlobNetworkTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Queue options. Invariant: Base64 message encoding, always — the Functions queue trigger
    /// (<c>messageEncoding: base64</c> in host.json) decodes every message, and a producer that
    /// wrote plain text would send its messages straight to the poison queue.
    /// </summary>
    internal static QueueClientOptions Queues() =>
        Configure(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }, NetworkTimeout);

    /// <summary>Table options.</summary>
    internal static TableClientOptions Tables() => Configure(new TableClientOptions(), NetworkTimeout);

    /// <summary>Blob options.</summary>
    internal static BlobClientOptions Blobs() => Configure(new BlobClientOptions(), BlobNetworkTimeout);

    private static T Configure<T>(T options, TimeSpan networkTimeout)
        where T : ClientOptions
    {
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = MaxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        options.Retry.NetworkTimeout = networkTimeout;
        return options;
    }
}
