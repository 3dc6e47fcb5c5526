using Microsoft.Extensions.Configuration;

namespace Rce.Infrastructure.Storage;

/// <summary>
/// Where the storage account is and how to reach it, read from the Functions connection setting
/// <c>AzureWebJobsStorage</c> so that the app and the host's queue trigger always use the same account:
/// <list type="bullet">
/// <item>a connection string in <c>AzureWebJobsStorage</c> (Azurite, local runs, key-based accounts); or</item>
/// <item>identity-based: <c>AzureWebJobsStorage__queueServiceUri</c>, <c>__tableServiceUri</c> and
/// <c>__blobServiceUri</c> (all three, https), <c>__credential=managedidentity</c> and, for a
/// user-assigned identity, <c>__clientId</c>.</item>
/// </list>
/// A connection string wins when both are present, as in the Functions host.
/// </summary>
public sealed class StorageOptions
{
    /// <summary>Name of the connection setting (the Functions host's own storage connection).</summary>
    public const string ConnectionSettingName = "AzureWebJobsStorage";

    /// <summary>The only credential kind accepted for identity-based connections.</summary>
    public const string ManagedIdentityCredential = "managedidentity";

    private StorageOptions(string? connectionString, Uri? queueServiceUri, Uri? tableServiceUri, Uri? blobServiceUri, string? clientId)
    {
        ConnectionString = connectionString;
        QueueServiceUri = queueServiceUri;
        TableServiceUri = tableServiceUri;
        BlobServiceUri = blobServiceUri;
        ClientId = clientId;
    }

    /// <summary>The connection string, or <see langword="null"/> for an identity-based connection. A secret: never log it.</summary>
    public string? ConnectionString { get; }

    /// <summary>The queue service endpoint of an identity-based connection.</summary>
    public Uri? QueueServiceUri { get; }

    /// <summary>The table service endpoint of an identity-based connection.</summary>
    public Uri? TableServiceUri { get; }

    /// <summary>The blob service endpoint of an identity-based connection.</summary>
    public Uri? BlobServiceUri { get; }

    /// <summary>Client id of a user-assigned managed identity; <see langword="null"/> for the system-assigned one.</summary>
    public string? ClientId { get; }

    /// <summary>Whether the connection uses a managed identity rather than a connection string.</summary>
    public bool UsesManagedIdentity => ConnectionString is null;

    /// <summary>Options for a connection string (not validated here: the clients parse it).</summary>
    /// <param name="connectionString">A storage connection string, e.g. <c>UseDevelopmentStorage=true</c>.</param>
    /// <returns>The options.</returns>
    public static StorageOptions ForConnectionString(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return new StorageOptions(connectionString, null, null, null, null);
    }

    /// <summary>Reads <c>AzureWebJobsStorage</c> and its <c>__</c> sub-settings from <paramref name="configuration"/>.</summary>
    /// <param name="configuration">The configuration root (environment variables, local.settings.json values, …).</param>
    /// <returns>The options.</returns>
    /// <exception cref="InvalidOperationException">Nothing usable is configured; the message names the setting to fix.</exception>
    public static StorageOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(ConnectionSettingName);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return ForConnectionString(section.Value);
        }

        var queue = ServiceUri(section, "queueServiceUri");
        var table = ServiceUri(section, "tableServiceUri");
        var blob = ServiceUri(section, "blobServiceUri");
        if (queue is null && table is null && blob is null)
        {
            throw new InvalidOperationException(
                $"No storage account is configured: set {ConnectionSettingName} to a connection string (UseDevelopmentStorage=true for Azurite), " +
                $"or set {ConnectionSettingName}__queueServiceUri, __tableServiceUri, __blobServiceUri and __credential={ManagedIdentityCredential}.");
        }

        // The app needs all three services; a partial identity-based setting would fail later, far from its cause.
        foreach (var (uri, name) in new[] { (queue, "queueServiceUri"), (table, "tableServiceUri"), (blob, "blobServiceUri") })
        {
            if (uri is null)
            {
                throw new InvalidOperationException($"{ConnectionSettingName}__{name} is missing: an identity-based storage connection needs the queue, table and blob service URIs.");
            }
        }

        // Explicit on purpose: no DefaultAzureCredential, whose probing of developer tools and
        // environment credentials is slow and may pick an identity nobody meant to grant.
        var credential = section["credential"];
        if (!string.Equals(credential, ManagedIdentityCredential, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"{ConnectionSettingName}__credential must be '{ManagedIdentityCredential}' for an identity-based storage connection (found '{credential}').");
        }

        var clientId = section["clientId"];
        return new StorageOptions(null, queue, table, blob, string.IsNullOrWhiteSpace(clientId) ? null : clientId.Trim());
    }

    private static Uri? ServiceUri(IConfigurationSection section, string name)
    {
        var value = section[name];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        // Threat: a bearer token sent over plain http could be read on the way; Azure.Core refuses
        // it too, but only at the first request. Fail at startup instead, naming the setting.
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException($"{ConnectionSettingName}__{name} must be an absolute https URI (found '{value}').");
        }

        return uri;
    }
}
