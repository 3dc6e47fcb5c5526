using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rce.Core.Submissions;
using Rce.Core.Verdicts;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;
using Rce.Testing;
using static Rce.Infrastructure.Tests.Workflow.WorkflowTestData;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>
/// <see cref="TableBatchStore.RecordLaterAsync"/>: members' ends written behind, in bulk, against a
/// real Azurite. A second store over the same account plays another instance, whose reads do not
/// write the first one's waiting records.
/// </summary>
public sealed class TableBatchStoreWriteBehindTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task RecordLater_WrittenAfterTheDelay_ManyMembersTogether_SeenAtOnceHere()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(T0);
        await using var here = Store(1000, time);
        await using var there = Store(1000);
        var (batch, members) = await CreateAsync(here, 5);

        for (var i = 0; i < 4; i++)
        {
            await here.RecordLaterAsync(batch.Id, new BatchItem(i, members[i], SubmissionStatus.Completed, Verdict.Accepted), ct);
        }

        Assert.Equal(4, here.RecordsWaiting);
        Assert.All(await there.GetItemsAsync(batch.Id, ct), item => Assert.Equal(SubmissionStatus.Queued, item.Status)); // not yet, from another instance
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(async () => (await there.GetItemsAsync(batch.Id, ct)).Count(i => i.Status == SubmissionStatus.Completed) == 4, ct);

        // The same instance sees its own records at once.
        await here.RecordLaterAsync(batch.Id, new BatchItem(4, members[4], SubmissionStatus.Failed, Verdict.InternalError), ct);
        var items = await here.GetItemsAsync(batch.Id, ct);
        Assert.Equal((SubmissionStatus.Failed, Verdict.InternalError), (items[4].Status, items[4].Verdict));
        Assert.Equal(0, here.RecordsWaiting);
    }

    [Fact]
    public async Task RecordLater_ZeroDelay_WrittenNow()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var here = Store(0);
        await using var there = Store(1000);
        var (batch, members) = await CreateAsync(here, 1);

        await here.RecordLaterAsync(batch.Id, new BatchItem(0, members[0], SubmissionStatus.Terminated, null), ct);

        Assert.Equal(0, here.RecordsWaiting);
        Assert.Equal(SubmissionStatus.Terminated, Assert.Single(await there.GetItemsAsync(batch.Id, ct)).Status);
    }

    [Fact]
    public async Task RecordLater_WhatWaitsIsWrittenWhenTheProcessStops()
    {
        var ct = TestContext.Current.CancellationToken;
        var here = Store(60_000);
        await using var there = Store(1000);
        var (batch, members) = await CreateAsync(here, 150);
        foreach (var i in Enumerable.Range(0, 150))
        {
            await here.RecordLaterAsync(batch.Id, new BatchItem(i, members[i], SubmissionStatus.Completed, Verdict.WrongAnswer), ct);
        }

        await here.DisposeAsync();

        Assert.All(await there.GetItemsAsync(batch.Id, ct), item => Assert.Equal((SubmissionStatus.Completed, Verdict.WrongAnswer), (item.Status, item.Verdict)));
    }

    [Fact]
    public async Task RecordLater_BadInput_RefusedBeforeItIsTaken()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var here = Store(1000);

        await Assert.ThrowsAsync<ArgumentException>(() => here.RecordLaterAsync("not/safe", new BatchItem(0, NewId(), SubmissionStatus.Completed, null), ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => here.RecordLaterAsync(NewId(), new BatchItem(TableBatchStore.MaxItems, NewId(), SubmissionStatus.Completed, null), ct));
        Assert.Equal(0, here.RecordsWaiting);
    }

    private static async Task<(Batch Batch, string[] Members)> CreateAsync(TableBatchStore store, int count)
    {
        var batch = new Batch(NewId(), NewTenant(), T0, count);
        var members = Enumerable.Range(0, count).Select(_ => NewId()).ToArray();
        await store.CreateAsync(batch, members, TestContext.Current.CancellationToken);
        return (batch, members);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        var began = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(began.Elapsed < TimeSpan.FromSeconds(20), "timed out waiting for the records to be written");
            await Task.Delay(50, ct);
        }
    }

    private TableBatchStore Store(int writeBehindMs, TimeProvider? time = null) =>
        new(StorageAccount.FromConnectionString(azurite.Server.ConnectionString), Options.Create(new WorkflowOptions { WriteBehindMs = writeBehindMs }), time: time);
}
