using System.Text;
using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;
using Rce.Testing;
using static Rce.Infrastructure.Tests.Workflow.WorkflowTestData;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>
/// <see cref="TableSubmissionStore.Recent"/>: copies of the store's own writes for status answers,
/// against a real Azurite; a second store over the same account plays another instance.
/// </summary>
public sealed class TableSubmissionStoreRecentTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly byte[] Request = Encoding.UTF8.GetBytes("""{"language":"python","source":"print(1)"}""");
    private static readonly TimeSpan Age = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Recent_AfterCreateAndUpdate_IsTheLastWriteAsStored()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0), Request, ct);
        Assert.Equal(created.ETag, store.Recent(created.Id, Age)!.ETag);

        var ended = await store.TryUpdateAsync(created with { Status = SubmissionStatus.Completed }, ct);

        var copy = store.Recent(created.Id, Age);
        Assert.NotNull(copy);
        Assert.Equal(SubmissionStatus.Completed, copy.Status);
        Assert.Equal(ended!.ETag, copy.ETag);
        Assert.Equal((await store.GetAsync(created.Id, ct))!.ETag, copy.ETag); // the copy is the row as stored
        Assert.Null(copy.InlineRequest);
    }

    [Fact]
    public async Task Recent_AnotherInstancesWrite_IsNotCopiedHere_AndALostRaceForgetsTheCopy()
    {
        var ct = TestContext.Current.CancellationToken;
        var here = Store();
        var there = Store();
        var created = await here.CreateAsync(Minimal(NewId(), NewTenant(), T0), Request, ct);

        // Another instance terminates it: this one still holds its own last write (for at most the age) …
        var other = await there.GetAsync(created.Id, ct);
        Assert.NotNull(await there.TryUpdateAsync(other! with { Status = SubmissionStatus.Terminated }, ct));
        Assert.Equal(SubmissionStatus.Terminated, there.Recent(created.Id, Age)!.Status);
        Assert.Equal(SubmissionStatus.Queued, here.Recent(created.Id, Age)!.Status);

        // … until a write of its own finds the row changed (412): then it forgets it and readers read.
        Assert.Null(await here.TryUpdateAsync(created with { Status = SubmissionStatus.Running }, ct));
        Assert.Null(here.Recent(created.Id, Age));
        Assert.Null(here.Recent(created.Id, TimeSpan.Zero));
    }

    [Fact]
    public async Task Recent_AfterPurge_IsNull()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0), Request, ct);

        await store.DeleteAsync(created.Id, ct);

        Assert.Null(store.Recent(created.Id, Age));
    }

    [Fact]
    public async Task Recent_ACreateThatFoundTheRowStored_KeepsNoCopy()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = Store();
        var second = Store();
        var row = Minimal(NewId(), NewTenant(), T0);
        await first.CreateAsync(row, Request, ct);

        var stored = await second.CreateAsync(row with { Status = SubmissionStatus.Running }, Request, ct);

        Assert.Equal(SubmissionStatus.Queued, stored.Status); // the stored row is the answer
        Assert.Null(second.Recent(row.Id, Age)); // a read, not a write of this store
    }

    private TableSubmissionStore Store() => new(StorageAccount.FromConnectionString(azurite.Server.ConnectionString));
}
