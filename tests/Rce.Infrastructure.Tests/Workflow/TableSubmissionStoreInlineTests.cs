using Azure.Storage.Blobs;
using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;
using Rce.Testing;
using static Rce.Infrastructure.Tests.Workflow.WorkflowTestData;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>
/// Small requests and results kept in the row (no blob round trips on a submission's path), larger
/// ones in blobs, every reader served either way; against a real Azurite.
/// </summary>
public sealed class TableSubmissionStoreInlineTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const int Max = SubmissionEntity.MaxInlineBytes;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(60)]
    [InlineData(Max)]
    public async Task Create_RequestUpToTheLimit_InTheRow_NoBlob(int size)
    {
        var store = Store();
        var request = Bytes(size, 1);

        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0), request, Ct);
        var read = await store.GetAsync(created.Id, Ct);

        Assert.Equal(request, created.InlineRequest);
        Assert.Equal(request, read!.InlineRequest);
        Assert.False(await BlobExistsAsync(created.Id + "/request.json"));
        Assert.Equal(request, await store.ReadRequestAsync(read, Ct));
        Assert.Equal(request, await store.ReadRequestAsync(created.Id, Ct));
    }

    [Fact]
    public async Task Create_RequestOverTheLimit_InTheBlob_NotInTheRow()
    {
        var store = Store();
        var request = Bytes(Max + 1, 2);

        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0), request, Ct);
        var read = await store.GetAsync(created.Id, Ct);

        Assert.Null(read!.InlineRequest);
        Assert.True(await BlobExistsAsync(created.Id + "/request.json"));
        Assert.Equal(request, await store.ReadRequestAsync(read, Ct));
        Assert.Equal(request, await store.ReadRequestAsync(created.Id, Ct));
    }

    [Fact]
    public async Task AttachResult_Small_RidesOnTheTerminalWrite_NoBlob()
    {
        var store = Store();
        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0), Bytes(60, 3), Ct);
        var result = Bytes(Max, 4);

        var attached = await store.AttachResultAsync(created, result, Ct);
        Assert.False(await BlobExistsAsync(created.Id + "/result.json"));
        Assert.Null((await store.GetAsync(created.Id, Ct))!.InlineResult); // nothing stored before the write
        var ended = await store.TryUpdateAsync(attached with { Status = SubmissionStatus.Completed }, Ct);
        var read = await store.GetAsync(created.Id, Ct);

        Assert.NotNull(ended);
        Assert.True(read!.HasResult);
        Assert.Equal(result, read.InlineResult);
        Assert.Equal(result, await store.ReadResultAsync(read, Ct));
        Assert.Equal(result, await store.ReadResultAsync(created.Id, Ct));
        Assert.False(await BlobExistsAsync(created.Id + "/result.json"));
        Assert.Equal(Bytes(60, 3), read.InlineRequest); // the request stays through the replace
    }

    [Fact]
    public async Task AttachResult_Large_WrittenToTheBlobBeforeTheTerminalWrite()
    {
        var store = Store();
        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0), Bytes(60, 5), Ct);
        var result = Bytes(Max + 1, 6);

        var attached = await store.AttachResultAsync(created, result, Ct);
        Assert.True(await BlobExistsAsync(created.Id + "/result.json"));
        await store.TryUpdateAsync(attached with { Status = SubmissionStatus.Completed }, Ct);
        var read = await store.GetAsync(created.Id, Ct);

        Assert.True(read!.HasResult);
        Assert.Null(read.InlineResult);
        Assert.Equal(result, await store.ReadResultAsync(read, Ct));
    }

    [Fact]
    public async Task Create_AnEndedRow_OneInsert_ResultHistoryAndOwnerReadBack()
    {
        // A waited-for submission run before it was stored is inserted once, already ended.
        var store = Store();
        var id = NewId();
        var result = Bytes(300, 10);
        var run = Minimal(id, NewTenant(), T0) with { Status = SubmissionStatus.Running, Attempt = 1, LeaseOwner = "owner-1" };
        var attached = await store.AttachResultAsync(run, result, Ct);
        var ended = attached with
        {
            Status = SubmissionStatus.Completed, CompletedTime = T0.AddSeconds(1), CallbackPending = true,
            History = HistoryLog.Of([new HistoryEvent("ExecutionStarted", T0, "SubmissionWorkflow"), new HistoryEvent("ExecutionCompleted", T0.AddSeconds(1), "SubmissionWorkflow", "Completed")]),
        };

        var created = await store.CreateAsync(ended, Bytes(60, 11), Ct);
        var read = await store.GetAsync(id, Ct);
        var again = await store.CreateAsync(ended, Bytes(60, 11), Ct); // a client retry after a lost reply: the stored row, still its owner's

        Assert.NotNull(created.ETag);
        Assert.Equal(SubmissionStatus.Completed, read!.Status);
        Assert.True(read.CallbackPending);
        Assert.Equal("owner-1", read.LeaseOwner);
        Assert.Equal(result, await store.ReadResultAsync(read, Ct));
        Assert.Equal(Bytes(60, 11), await store.ReadRequestAsync(read, Ct));
        Assert.Equal(["ExecutionStarted", "ExecutionCompleted"], (await store.ReadHistoryAsync(id, Ct)).Select(e => e.EventType));
        Assert.Equal("owner-1", again.LeaseOwner);
        Assert.Equal(read.ETag, again.ETag);
        Assert.False(await BlobExistsAsync(id + "/result.json"));
    }

    [Fact]
    public async Task ReadResult_RowWithoutResult_Null()
    {
        var store = Store();
        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0), Bytes(60, 7), Ct);

        Assert.Null(await store.ReadResultAsync(created, Ct));
        Assert.Null(await store.ReadResultAsync(created.Id, Ct));
    }

    [Fact]
    public async Task Create_ArmedTaskFails_NoRow()
    {
        var store = Store();
        var id = NewId();

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.CreateAsync(Minimal(id, NewTenant(), T0), Bytes(60, 8), Task.FromException(new InvalidOperationException("reconcile send failed")), Ct));

        Assert.Null(await store.GetAsync(id, Ct));
    }

    [Fact]
    public async Task Create_RowWaitsForTheArmedTask()
    {
        var store = Store();
        var id = NewId();
        var armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var create = store.CreateAsync(Minimal(id, NewTenant(), T0), Bytes(60, 9), armed.Task, Ct);
        await Task.Delay(300, Ct);
        var before = await store.GetAsync(id, Ct);
        armed.SetResult();
        await create;

        Assert.Null(before);
        Assert.NotNull(await store.GetAsync(id, Ct));
    }

    [Fact]
    public async Task ReadHistory_TheRowsEventsMergedWithTheTablesInTimeOrder()
    {
        var store = Store();
        var row = Minimal(NewId(), NewTenant(), T0) with
        {
            History = HistoryLog.Of([new HistoryEvent("ExecutionStarted", T0), new HistoryEvent("ExecutionCompleted", T0.AddSeconds(2))]),
        };
        var created = await store.CreateAsync(row, Bytes(60, 10), Ct);
        await store.AppendHistoryAsync(created.Id, new HistoryEvent("CallbackDelivered", T0.AddSeconds(3)), Ct);
        await store.AppendHistoryAsync(created.Id, new HistoryEvent("Legacy", T0.AddSeconds(1)), Ct);

        var history = await store.ReadHistoryAsync(created.Id, Ct);

        Assert.Equal(["ExecutionStarted", "Legacy", "ExecutionCompleted", "CallbackDelivered"], history.Select(e => e.EventType));
        Assert.Equal(row.History, (await store.GetAsync(created.Id, Ct))!.History);
    }

    [Fact]
    public async Task History_AtItsBound_FitsInTheRow()
    {
        var store = Store();
        var log = HistoryLog.Empty;
        for (var i = 0; i < HistoryLog.MaxEvents + 5; i++)
        {
            log = log.Append(new HistoryEvent("TaskFailed", T0.AddSeconds(i), "RunOnRunner", new string('é', HistoryLog.MaxDetailChars)));
        }

        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0) with { History = log }, Bytes(Max, 11), Ct);
        var read = await store.GetAsync(created.Id, Ct);

        Assert.Equal(log, read!.History);
        Assert.Equal(HistoryLog.MaxEvents, read.History.Events.Count);
    }

    [Fact]
    public async Task History_EscapingBeyondThePropertyLimit_OldestGiveWay_TheRowStillWrites()
    {
        // Control characters escape to six characters each: 40 such details would exceed the 32 K
        // characters of a string property, and the insert would fail.
        var store = Store();
        var log = HistoryLog.Empty;
        for (var i = 0; i < HistoryLog.MaxEvents; i++)
        {
            log = log.Append(new HistoryEvent("TaskFailed", T0.AddSeconds(i), "RunOnRunner", new string('\u0001', HistoryLog.MaxDetailChars)));
        }

        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0) with { History = log }, Bytes(60, 12), Ct);
        var events = (await store.GetAsync(created.Id, Ct))!.History.Events;

        Assert.True(events.Count < HistoryLog.MaxEvents);
        Assert.Equal(log.Events[0], events[0]);
        Assert.Equal("HistoryTruncated", events[1].EventType);
        Assert.Equal(log.Events[^1], events[^1]);
    }

    [Fact]
    public void Entity_InlineDocumentOverTheLimit_Refused()
    {
        var row = Minimal(NewId(), NewTenant(), T0) with { InlineResult = new byte[Max + 1] };

        Assert.Throws<ArgumentException>(() => SubmissionEntity.ToEntity(row));
    }

    private TableSubmissionStore Store() => new(StorageAccount.FromConnectionString(azurite.Server.ConnectionString));

    private async Task<bool> BlobExistsAsync(string name) =>
        (await new BlobServiceClient(azurite.Server.ConnectionString).GetBlobContainerClient(TableSubmissionStore.Container).GetBlobClient(name).ExistsAsync(Ct)).Value;

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
