using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Rce.Infrastructure.Storage;

/// <summary>
/// The storage account of the app: one client per service, built once (the clients are thread-safe
/// and share their HTTP pipeline). Queue clients always encode messages as Base64 (see
/// <see cref="StorageClientOptions"/>).
/// </summary>
public sealed class StorageAccount
{
    private StorageAccount(TableServiceClient tables, QueueServiceClient queues, BlobServiceClient blobs, QueueServiceClient rawQueues)
    {
        Tables = tables;
        Queues = queues;
        Blobs = blobs;
        RawQueues = rawQueues;
    }

    /// <summary>
    /// Queues without message encoding, for the self-hosted queue listener only: it decodes base64
    /// itself so that it can move an undecodable message to the poison queue unchanged.
    /// </summary>
    public QueueServiceClient RawQueues { get; }

    private static QueueClientOptions RawQueueOptions()
    {
        var options = StorageClientOptions.Queues();
        options.MessageEncoding = QueueMessageEncoding.None;
        return options;
    }

    /// <summary>The table service (workflow state, counters).</summary>
    public TableServiceClient Tables { get; }

    /// <summary>The queue service; its queue clients use Base64 message encoding.</summary>
    public QueueServiceClient Queues { get; }

    /// <summary>The blob service (submissions and outputs).</summary>
    public BlobServiceClient Blobs { get; }

    /// <summary>Builds the account from the <c>AzureWebJobsStorage</c> setting (<see cref="StorageOptions"/>).</summary>
    /// <param name="configuration">The configuration root.</param>
    /// <returns>The account.</returns>
    /// <exception cref="InvalidOperationException">The setting is missing or invalid; the message names it.</exception>
    public static StorageAccount FromConfiguration(IConfiguration configuration) =>
        FromOptions(StorageOptions.FromConfiguration(configuration));

    /// <summary>Builds the account from a connection string (Azurite in tests: see the Azurite fixture).</summary>
    /// <param name="connectionString">A storage connection string.</param>
    /// <returns>The account.</returns>
    /// <exception cref="InvalidOperationException">The connection string cannot be parsed.</exception>
    public static StorageAccount FromConnectionString(string connectionString) =>
        FromOptions(StorageOptions.ForConnectionString(connectionString));

    /// <summary>Builds the account from parsed options.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The account.</returns>
    /// <exception cref="InvalidOperationException">The connection string cannot be parsed.</exception>
    public static StorageAccount FromOptions(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ConnectionString is { } connectionString)
        {
            try
            {
                return new StorageAccount(
                    new TableServiceClient(connectionString, StorageClientOptions.Tables()),
                    new QueueServiceClient(connectionString, StorageClientOptions.Queues()),
                    new BlobServiceClient(connectionString, StorageClientOptions.Blobs()),
                    new QueueServiceClient(connectionString, RawQueueOptions()));
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
            {
                // Threat: the SDK's parse errors may quote the string, account key included; keep
                // only the setting's name and the exception type.
                throw new InvalidOperationException(
                    $"{StorageOptions.ConnectionSettingName} is not a valid storage connection string ({e.GetType().Name}).");
            }
        }

        // One credential for the three clients: one token cache, one IMDS conversation.
        TokenCredential credential = new ManagedIdentityCredential(options.ClientId is null
            ? ManagedIdentityId.SystemAssigned
            : ManagedIdentityId.FromUserAssignedClientId(options.ClientId));
        return new StorageAccount(
            new TableServiceClient(options.TableServiceUri!, credential, StorageClientOptions.Tables()),
            new QueueServiceClient(options.QueueServiceUri!, credential, StorageClientOptions.Queues()),
            new BlobServiceClient(options.BlobServiceUri!, credential, StorageClientOptions.Blobs()),
            new QueueServiceClient(options.QueueServiceUri!, credential, RawQueueOptions()));
    }
}
