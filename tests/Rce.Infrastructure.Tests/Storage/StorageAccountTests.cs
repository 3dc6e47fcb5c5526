using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rce.Infrastructure.Storage;

namespace Rce.Infrastructure.Tests.Storage;

/// <summary>Parsing of the <c>AzureWebJobsStorage</c> setting and the clients built from it (no server involved).</summary>
public sealed class StorageAccountTests
{
    private const string QueueUri = "https://acct.queue.core.windows.net/";
    private const string TableUri = "https://acct.table.core.windows.net/";
    private const string BlobUri = "https://acct.blob.core.windows.net/";

    [Fact]
    public void FromConfiguration_DevelopmentStorage_PointsAtAzuriteDefaults()
    {
        var account = StorageAccount.FromConfiguration(Config(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" }));

        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), account.Queues.Uri);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), account.Blobs.Uri);
        Assert.Equal("devstoreaccount1", account.Tables.AccountName);
    }

    [Fact]
    public void FromConfiguration_ConnectionStringAndIdentitySettings_ConnectionStringWins()
    {
        var options = StorageOptions.FromConfiguration(Config(new(IdentitySettings()) { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" }));

        Assert.False(options.UsesManagedIdentity);
        Assert.Equal("UseDevelopmentStorage=true", options.ConnectionString);
        Assert.Null(options.QueueServiceUri);
    }

    [Fact]
    public void FromConfiguration_IdentityBased_ReadsUrisAndClientId()
    {
        var settings = IdentitySettings();
        settings["AzureWebJobsStorage:clientId"] = " 00000000-0000-0000-0000-000000000001 ";
        var configuration = Config(settings);

        var options = StorageOptions.FromConfiguration(configuration);
        var account = StorageAccount.FromConfiguration(configuration);

        Assert.True(options.UsesManagedIdentity);
        Assert.Null(options.ConnectionString);
        Assert.Equal("00000000-0000-0000-0000-000000000001", options.ClientId);
        Assert.Equal(new Uri(QueueUri), account.Queues.Uri);
        Assert.Equal(new Uri(BlobUri), account.Blobs.Uri);
        Assert.Equal("acct", account.Tables.AccountName);
    }

    [Fact]
    public void FromConfiguration_IdentityBasedWithoutClientId_UsesSystemAssignedIdentity()
    {
        var options = StorageOptions.FromConfiguration(Config(IdentitySettings()));

        Assert.True(options.UsesManagedIdentity);
        Assert.Null(options.ClientId);
    }

    [Fact]
    public void FromConfiguration_NothingConfigured_NamesTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageAccount.FromConfiguration(Config([])));

        Assert.Contains("AzureWebJobsStorage", error.Message, StringComparison.Ordinal);
        Assert.Contains("__queueServiceUri", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("queueServiceUri")]
    [InlineData("tableServiceUri")]
    [InlineData("blobServiceUri")]
    public void FromConfiguration_IdentityBasedMissingOneUri_NamesIt(string name)
    {
        var settings = IdentitySettings();
        settings.Remove("AzureWebJobsStorage:" + name);

        var error = Assert.Throws<InvalidOperationException>(() => StorageOptions.FromConfiguration(Config(settings)));

        Assert.Contains("AzureWebJobsStorage__" + name, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("azurecli")]
    public void FromConfiguration_IdentityBasedWithoutManagedIdentityCredential_NamesCredential(string? credential)
    {
        var settings = IdentitySettings();
        settings["AzureWebJobsStorage:credential"] = credential;

        var error = Assert.Throws<InvalidOperationException>(() => StorageOptions.FromConfiguration(Config(settings)));

        Assert.Contains("AzureWebJobsStorage__credential", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConfiguration_CredentialCaseInsensitive_Accepted()
    {
        var settings = IdentitySettings();
        settings["AzureWebJobsStorage:credential"] = "ManagedIdentity";

        Assert.True(StorageOptions.FromConfiguration(Config(settings)).UsesManagedIdentity);
    }

    [Theory]
    [InlineData("http://acct.queue.core.windows.net/")]
    [InlineData("acct.queue.core.windows.net")]
    public void FromConfiguration_QueueUriNotHttps_Rejected(string uri)
    {
        var settings = IdentitySettings();
        settings["AzureWebJobsStorage:queueServiceUri"] = uri;

        var error = Assert.Throws<InvalidOperationException>(() => StorageOptions.FromConfiguration(Config(settings)));

        Assert.Contains("AzureWebJobsStorage__queueServiceUri", error.Message, StringComparison.Ordinal);
        Assert.Contains("https", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConnectionString_Malformed_NamesSettingWithoutQuotingTheKey()
    {
        const string secret = "c2VjcmV0LWtleS1tdXN0LW5vdC1sZWFr";
        var error = Assert.Throws<InvalidOperationException>(() =>
            StorageAccount.FromConnectionString($"AccountName=x;AccountKey={secret};BlobEndpoint=not a uri;Garbage"));

        Assert.Contains("AzureWebJobsStorage", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConnectionString_Blank_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => StorageAccount.FromConnectionString(" "));
    }

    [Fact]
    public void ClientOptions_QueuesEncodeBase64_RetriesAreShort()
    {
        var queues = StorageClientOptions.Queues();

        Assert.Equal(QueueMessageEncoding.Base64, queues.MessageEncoding);
        Assert.Equal(3, queues.Retry.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(2), queues.Retry.NetworkTimeout);
        Assert.Equal(3, StorageClientOptions.Tables().Retry.MaxRetries);
        Assert.Equal(3, StorageClientOptions.Blobs().Retry.MaxRetries);
    }

    [Fact]
    public void AddRceStorage_Configured_ResolvesOneSingleton()
    {
        using var provider = new ServiceCollection()
            .AddRceStorage(Config(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" }))
            .BuildServiceProvider();

        var first = provider.GetRequiredService<StorageAccount>();

        Assert.Same(first, provider.GetRequiredService<StorageAccount>());
        Assert.Equal(10001, first.Queues.Uri.Port);
    }

    [Fact]
    public void AddRceStorage_NotConfigured_ThrowsOnResolveNamingTheSetting()
    {
        using var provider = new ServiceCollection().AddRceStorage(Config([])).BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<StorageAccount>());
        Assert.Contains("AzureWebJobsStorage", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> IdentitySettings() => new()
    {
        // The keys environment variables such as AzureWebJobsStorage__queueServiceUri map to.
        ["AzureWebJobsStorage:queueServiceUri"] = QueueUri,
        ["AzureWebJobsStorage:tableServiceUri"] = TableUri,
        ["AzureWebJobsStorage:blobServiceUri"] = BlobUri,
        ["AzureWebJobsStorage:credential"] = "managedidentity",
    };

    private static IConfiguration Config(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
