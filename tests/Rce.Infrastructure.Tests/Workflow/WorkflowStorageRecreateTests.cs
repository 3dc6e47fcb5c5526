using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;
using Rce.Testing;
using static Rce.Infrastructure.Tests.Workflow.WorkflowTestData;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>Tables, containers and queues deleted behind a running process are created again (own Azurite: it deletes them).</summary>
public sealed class WorkflowStorageRecreateTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task SubmissionStore_TableAndContainerDeleted_CreatedAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        var account = StorageAccount.FromConnectionString(azurite.Server.ConnectionString);
        var store = new TableSubmissionStore(account);

        // Over the inline limit, so that the request goes to a blob and the container is needed.
        var request = Enumerable.Repeat((byte)'x', SubmissionEntity.MaxInlineBytes + 1).ToArray();
        await store.CreateAsync(Minimal(NewId(), NewTenant(), T0), request, ct);
        await account.Tables.DeleteTableAsync(TableSubmissionStore.SubmissionsTable, ct);
        await account.Blobs.DeleteBlobContainerAsync(TableSubmissionStore.Container, cancellationToken: ct);

        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0), request, ct);

        Assert.NotNull(await store.GetAsync(created.Id, ct));
        Assert.Equal(request, await store.ReadRequestAsync(created.Id, ct));
    }

    [Fact]
    public async Task WorkQueues_QueueDeleted_CreatedAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        var account = StorageAccount.FromConnectionString(azurite.Server.ConnectionString);
        var queues = new StorageWorkQueues(account);
        await queues.EnqueueAsync(WorkQueueId.Submissions, new WorkMessage("a", 1), TimeSpan.Zero, ct);
        await account.Queues.DeleteQueueAsync("submissions", ct);

        await queues.EnqueueAsync(WorkQueueId.Submissions, new WorkMessage("b", 1), TimeSpan.Zero, ct);

        Assert.Equal(1, (await queues.GetDepthsAsync(ct))["submissions"]);
    }
}
