using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// One private blob container of the workflow, created when first written to (once per process, and
/// again once if it disappears). Reads never create it: a missing container means a missing blob.
/// </summary>
internal sealed class StorageContainer
{
    private readonly BlobContainerClient _client;
    private readonly CreateOnce _created;

    /// <summary>Wraps the container <paramref name="name"/> of <paramref name="service"/>.</summary>
    /// <param name="service">The blob service.</param>
    /// <param name="name">The container name.</param>
    public StorageContainer(BlobServiceClient service, string name)
    {
        _client = service.GetBlobContainerClient(name);

        // Threat: the blobs hold source and stdin; PublicAccessType.None keeps them behind the account's auth.
        _created = new CreateOnce(async ct => await _client.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: ct).ConfigureAwait(false));
    }

    /// <summary>Writes (overwrites) a blob.</summary>
    /// <param name="name">Blob name.</param>
    /// <param name="content">Its bytes.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task.</returns>
    public async Task WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var data = BinaryData.FromBytes(content);
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _client.GetBlobClient(name).UploadAsync(data, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (StorageErrors.IsContainerNotFound(error))
        {
            _created.Reset();
            await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
            await _client.GetBlobClient(name).UploadAsync(data, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a blob.</summary>
    /// <param name="name">Blob name.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>Its bytes, or null when it (or the container) does not exist.</returns>
    public async Task<byte[]?> ReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _client.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException error) when (StorageErrors.IsNotFound(error))
        {
            return null;
        }
    }

    /// <summary>Deletes every blob whose name starts with <paramref name="prefix"/>; missing ones are fine.</summary>
    /// <param name="prefix">The name prefix (ends with <c>/</c>, so <c>ab/</c> never matches <c>abc/</c>).</param>
    /// <param name="cancellationToken">Cancels the deletes.</param>
    /// <returns>A task.</returns>
    public async Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        try
        {
            await foreach (var item in _client.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
            {
                names.Add(item.Name);
            }
        }
        catch (RequestFailedException error) when (StorageErrors.IsContainerNotFound(error))
        {
            return;
        }

        foreach (var name in names)
        {
            await _client.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
