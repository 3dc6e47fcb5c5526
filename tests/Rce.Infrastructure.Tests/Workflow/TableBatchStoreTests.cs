using Rce.Core.Submissions;
using Rce.Core.Verdicts;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;
using Rce.Testing;
using static Rce.Infrastructure.Tests.Workflow.WorkflowTestData;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>Batches: rows in chunked transactions, ordered items, idempotent records.</summary>
public sealed class TableBatchStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Create250_GetAndItemsInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var batch = new Batch(NewId(), NewTenant(), T0, 250);
        var members = Enumerable.Range(0, 250).Select(_ => NewId()).ToList();

        await store.CreateAsync(batch, members, ct);
        var read = await store.GetAsync(batch.Id, ct);
        var items = await store.GetItemsAsync(batch.Id, ct);

        Assert.Equal(batch, read);
        Assert.Equal(Enumerable.Range(0, 250), items.Select(i => i.Index));
        Assert.Equal(members, items.Select(i => i.SubmissionId));
        Assert.All(items, i => Assert.Equal(SubmissionStatus.Queued, i.Status));
        Assert.All(items, i => Assert.Null(i.Verdict));
    }

    [Fact]
    public async Task Record_Twice_OneResult_AndCreateRetryKeepsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var batch = new Batch(NewId(), NewTenant(), T0, 3);
        var members = new[] { NewId(), NewId(), NewId() };
        await store.CreateAsync(batch, members, ct);
        var done = new BatchItem(1, members[1], SubmissionStatus.Completed, Verdict.Accepted);

        await store.RecordAsync(batch.Id, done, ct);
        await store.RecordAsync(batch.Id, done, ct);
        await store.RecordAsync(batch.Id, new BatchItem(2, members[2], SubmissionStatus.Terminated, null), ct);
        var afterRecords = await store.GetItemsAsync(batch.Id, ct);
        await store.CreateAsync(batch, members, ct); // a retried create must not reset recorded members
        var afterRetry = await store.GetItemsAsync(batch.Id, ct);

        var expected = new[]
        {
            new BatchItem(0, members[0], SubmissionStatus.Queued, null),
            done,
            new BatchItem(2, members[2], SubmissionStatus.Terminated, null),
        };
        Assert.Equal(expected, afterRecords);
        Assert.Equal(expected, afterRetry);
    }

    [Fact]
    public async Task TwoBatches_ItemsDoNotMix_AndTheBatchRowIsNotAnItem()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var a = new Batch(NewId(), NewTenant(), T0, 2);
        var b = new Batch(NewId(), NewTenant(), T0, 1);
        await store.CreateAsync(a, [NewId(), NewId()], ct);
        await store.CreateAsync(b, [NewId()], ct);

        Assert.Equal(2, (await store.GetItemsAsync(a.Id, ct)).Count);
        Assert.Single(await store.GetItemsAsync(b.Id, ct));
    }

    [Fact]
    public async Task Unknown_NullAndEmpty()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();

        Assert.Null(await store.GetAsync(NewId(), ct));
        Assert.Empty(await store.GetItemsAsync(NewId(), ct));
        Assert.Null(await store.GetAsync("a/b", ct));
    }

    private TableBatchStore Store() => new(StorageAccount.FromConnectionString(azurite.Server.ConnectionString));
}
