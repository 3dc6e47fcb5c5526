using System.Diagnostics;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Rce.Infrastructure.Storage;
using Rce.Testing;

namespace Rce.Infrastructure.Tests.Storage;

/// <summary>The storage clients against a real Azurite: the behaviours the workflow relies on.</summary>
public sealed class AzuriteSmokeTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Queue_SendThroughAccount_WireTextIsBase64AndDecodesBack()
    {
        var ct = TestContext.Current.CancellationToken;
        var account = StorageAccount.FromConnectionString(azurite.Server.ConnectionString);
        var queue = account.Queues.GetQueueClient(Name("q"));
        await queue.CreateAsync(cancellationToken: ct);
        const string text = """{"submission":"é<&>","n":1}""";

        await queue.SendMessageAsync(text, ct);

        var decoded = (await queue.PeekMessageAsync(ct)).Value;
        Assert.Equal(text, decoded.MessageText);
        // A client without encoding sees what is on the wire, i.e. what the Functions trigger decodes.
        var raw = new QueueClient(azurite.Server.ConnectionString, queue.Name);
        var received = (await raw.ReceiveMessageAsync(cancellationToken: ct)).Value;
        Assert.NotNull(received);
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)), received.MessageText);
    }

    [Fact]
    public async Task Queue_SendWithDelay_InvisibleThenVisible()
    {
        var ct = TestContext.Current.CancellationToken;
        var queue = StorageAccount.FromConnectionString(azurite.Server.ConnectionString).Queues.GetQueueClient(Name("q"));
        await queue.CreateAsync(cancellationToken: ct);
        var delay = TimeSpan.FromSeconds(2);
        var stopwatch = Stopwatch.StartNew();

        await queue.SendMessageAsync("later", visibilityTimeout: delay, cancellationToken: ct);

        Assert.Null((await queue.ReceiveMessageAsync(cancellationToken: ct)).Value);
        Azure.Storage.Queues.Models.QueueMessage? message = null;
        while (message is null && stopwatch.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100, ct);
            message = (await queue.ReceiveMessageAsync(cancellationToken: ct)).Value;
        }

        Assert.NotNull(message);
        Assert.Equal("later", message.MessageText);
        // Slack below the delay for timestamp rounding between the client's clock and Azurite's.
        Assert.InRange(stopwatch.Elapsed, delay - TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Table_UpdateWithStaleETag_Fails412()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await CreateTableAsync(ct);
        await table.AddEntityAsync(new TableEntity("p", "r") { ["State"] = "Queued" }, ct);
        var stale = (await table.GetEntityAsync<TableEntity>("p", "r", cancellationToken: ct)).Value;

        var fresh = await table.UpdateEntityAsync(new TableEntity("p", "r") { ["State"] = "Running" }, stale.ETag, TableUpdateMode.Replace, ct);
        var error = await Assert.ThrowsAsync<RequestFailedException>(() =>
            table.UpdateEntityAsync(new TableEntity("p", "r") { ["State"] = "Failed" }, stale.ETag, TableUpdateMode.Replace, ct));

        Assert.NotEqual(stale.ETag, fresh.Headers.ETag);
        Assert.Equal(412, error.Status);
        Assert.Equal("UpdateConditionNotSatisfied", error.ErrorCode);
        var stored = (await table.GetEntityAsync<TableEntity>("p", "r", cancellationToken: ct)).Value;
        Assert.Equal("Running", stored.GetString("State"));
    }

    [Fact]
    public async Task Table_InsertExisting_Fails409()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await CreateTableAsync(ct);
        await table.AddEntityAsync(new TableEntity("p", "r") { ["N"] = 1 }, ct);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", "r") { ["N"] = 2 }, ct));

        Assert.Equal(409, error.Status);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
        Assert.Equal(1, (await table.GetEntityAsync<TableEntity>("p", "r", cancellationToken: ct)).Value.GetInt32("N"));
    }

    [Fact]
    public async Task Blob_UploadThenDownload_SameBytes()
    {
        var ct = TestContext.Current.CancellationToken;
        var container = StorageAccount.FromConnectionString(azurite.Server.ConnectionString).Blobs.GetBlobContainerClient(Name("c"));
        await container.CreateAsync(cancellationToken: ct);
        var bytes = new byte[300_000];
        new Random(42).NextBytes(bytes);
        var blob = container.GetBlobClient("submissions/s1/source.bin");

        await blob.UploadAsync(BinaryData.FromBytes(bytes), ct);
        var downloaded = (await blob.DownloadContentAsync(ct)).Value;

        Assert.Equal(bytes, downloaded.Content.ToArray());
        Assert.Equal(bytes.Length, downloaded.Details.ContentLength);
    }

    private async Task<TableClient> CreateTableAsync(CancellationToken ct)
    {
        var table = StorageAccount.FromConnectionString(azurite.Server.ConnectionString).Tables.GetTableClient(Name("t").Replace("-", "", StringComparison.Ordinal));
        await table.CreateAsync(ct);
        return table;
    }

    // Fresh names per test: queues, tables and containers outlive a test within the fixture's Azurite.
    private static string Name(string prefix) => prefix + Guid.NewGuid().ToString("N")[..16];
}
