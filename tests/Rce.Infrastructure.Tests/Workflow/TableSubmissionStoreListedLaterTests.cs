using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;
using Rce.Testing;
using static Rce.Infrastructure.Tests.Workflow.WorkflowTestData;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>
/// <see cref="TableSubmissionStore.CreateListedLaterAsync"/>: listing entries written after their
/// rows, in bulk, and <see cref="TableSubmissionStore.EnsureListedAsync"/>, the reconcile check's
/// repair, against a real Azurite. A second store over the same account plays another instance,
/// whose listing does not write the first one's waiting entries.
/// </summary>
public sealed class TableSubmissionStoreListedLaterTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly byte[] Request = Encoding.UTF8.GetBytes("""{"language":"python","source":"print(1)"}""");
    private static readonly TimeSpan Never = TimeSpan.FromHours(1);

    [Fact]
    public async Task ListedLater_RowAtOnce_EntryAfterTheDelay_InOneTransaction()
    {
        var ct = TestContext.Current.CancellationToken;
        var requests = new CountingPolicy();
        var time = new FakeTimeProvider(T0);
        await using var here = Store(TimeSpan.FromSeconds(1), requests, time);
        await using var there = Store(Never);
        var tenant = NewTenant();
        var rows = Enumerable.Range(0, 5).Select(i => Minimal(NewId(), tenant, T0.AddSeconds(i))).ToList();

        foreach (var row in rows)
        {
            Assert.NotNull(await here.CreateListedLaterAsync(row, Request, ct));
            Assert.NotNull(await there.GetAsync(row.Id, ct)); // the row is stored before the answer
        }

        Assert.Equal(5, requests.Inserts);
        Assert.Equal(0, requests.Transactions);
        Assert.Empty((await there.ListAsync(Query(tenant), null, ct)).Items); // not listed yet, seen from another instance
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(5, here.ListingsWaiting);

        time.Advance(TimeSpan.FromMilliseconds(1));

        await WaitUntilAsync(async () => (await there.ListAsync(Query(tenant), null, ct)).Items.Count == rows.Count, ct);
        Assert.Equal(1, requests.Transactions); // the five entries in one request
        Assert.Equal(rows.Select(r => r.Id).Reverse(), (await there.ListAsync(Query(tenant), null, ct)).Items.Select(s => s.Id));
    }

    [Fact]
    public async Task ListedLater_AHundredWaiting_WrittenWithoutWaitingForTheDelay()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var here = Store(Never);
        await using var there = Store(Never);
        var tenant = NewTenant();
        var rows = Enumerable.Range(0, TableTransactions.MaxActions).Select(i => Minimal(NewId(), tenant, T0.AddMilliseconds(i))).ToList();

        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (row, token) => await here.CreateListedLaterAsync(row, Request, token));

        await WaitUntilAsync(async () => (await there.ListAsync(Query(tenant), null, ct)).Items.Count == rows.Count, ct);
        Assert.Equal(0, here.ListingsWaiting);
    }

    [Fact]
    public async Task ListedLater_ListedAtOnceByTheSameInstance()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var here = Store(Never);
        var tenant = NewTenant();
        var row = Minimal(NewId(), tenant, T0);
        await here.CreateListedLaterAsync(row, Request, ct);
        Assert.Equal(1, here.ListingsWaiting);

        var page = await here.ListAsync(Query(tenant), null, ct);

        Assert.Equal(row.Id, Assert.Single(page.Items).Id);
        Assert.Equal(0, here.ListingsWaiting);
    }

    [Fact]
    public async Task ListedLater_InstanceDiesFirst_TheChecksEnsureListedListsIt_Once()
    {
        var ct = TestContext.Current.CancellationToken;
        var dead = Store(Never); // never disposed nor flushed: the process was killed
        await using var checker = Store(Never);
        var tenant = NewTenant();
        var row = Minimal(NewId(), tenant, T0);
        await dead.CreateListedLaterAsync(row, Request, ct);
        Assert.Empty((await checker.ListAsync(Query(tenant), null, ct)).Items);

        var stored = await checker.GetAsync(row.Id, ct);
        await checker.EnsureListedAsync([stored!], ct);
        await checker.EnsureListedAsync([stored!], ct); // a redelivered check: the same entry again

        Assert.Equal(row.Id, Assert.Single((await checker.ListAsync(Query(tenant), null, ct)).Items).Id);
        Assert.Single(await IndexEntriesAsync(tenant));
    }

    [Fact]
    public async Task ListedLater_PurgedBeforeItsEntryIsWritten_LeavesNoEntry()
    {
        var ct = TestContext.Current.CancellationToken;
        var here = Store(Never);
        var tenant = NewTenant();
        var purged = Minimal(NewId(), tenant, T0);
        var kept = Minimal(NewId(), tenant, T0.AddSeconds(1));
        await here.CreateListedLaterAsync(purged, Request, ct);
        await here.CreateListedLaterAsync(kept, Request, ct);

        await here.DeleteAsync(purged.Id, ct);
        Assert.Equal(1, here.ListingsWaiting);
        await here.DisposeAsync(); // the process stops: what waits is written

        Assert.Equal([SubmissionIndexKeys.Row(kept.CreatedTime, kept.Id)], await IndexEntriesAsync(tenant));
    }

    [Fact]
    public async Task ListedLater_AfterStop_ListedBeforeTheAnswer()
    {
        var ct = TestContext.Current.CancellationToken;
        var here = Store(Never);
        await here.DisposeAsync();
        var tenant = NewTenant();
        var row = Minimal(NewId(), tenant, T0);

        await here.CreateListedLaterAsync(row, Request, ct);

        Assert.Equal(0, here.ListingsWaiting);
        Assert.Single(await IndexEntriesAsync(tenant));
    }

    [Fact]
    public async Task ListedLater_WithAZeroDelay_ListedBeforeTheAnswer()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var here = Store(TimeSpan.Zero);
        var tenant = NewTenant();

        await here.CreateListedLaterAsync(Minimal(NewId(), tenant, T0), Request, ct);

        Assert.Equal(0, here.ListingsWaiting);
        Assert.Single(await IndexEntriesAsync(tenant));
    }

    [Fact]
    public async Task ListedLater_ARowStoredAlready_IsAnsweredAndGetsNoEntryOfTheReplay()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var here = Store(Never);
        var tenant = NewTenant();
        var row = Minimal(NewId(), tenant, T0);
        await here.CreateAsync(row, Request, ct);

        var replay = await here.CreateListedLaterAsync(row with { CreatedTime = T0.AddMinutes(1) }, Request, ct);

        Assert.Equal(T0, replay.CreatedTime);
        Assert.Equal(0, here.ListingsWaiting);
        Assert.Equal([SubmissionIndexKeys.Row(T0, row.Id)], await IndexEntriesAsync(tenant));
    }

    private static SubmissionQuery Query(string tenant) => new(tenant, null, null, null, 100);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        var began = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(began.Elapsed < TimeSpan.FromSeconds(20), "timed out waiting for the listing entries to be written");
            await Task.Delay(50, ct);
        }
    }

    private TableSubmissionStore Store(TimeSpan delay, Azure.Core.Pipeline.HttpPipelinePolicy? policy = null, TimeProvider? time = null)
    {
        var options = new TableClientOptions();
        if (policy is not null)
        {
            options.AddPolicy(policy, Azure.Core.HttpPipelinePosition.PerCall);
        }

        var account = StorageAccount.FromConnectionString(azurite.Server.ConnectionString);
        return new TableSubmissionStore(new TableServiceClient(azurite.Server.ConnectionString, options), account.Blobs, time: time, listingDelay: delay);
    }

    private Task<List<string>> IndexEntriesAsync(string tenant) => WorkflowTestData.IndexEntriesAsync(azurite.Server.ConnectionString, tenant);

    /// <summary>Counts the table requests that reach the service: row inserts (POST to the submissions table) and transactions (POST $batch).</summary>
    private sealed class CountingPolicy : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
    {
        private int _inserts;
        private int _transactions;

        public int Inserts => Volatile.Read(ref _inserts);

        public int Transactions => Volatile.Read(ref _transactions);

        public override void OnSendingRequest(Azure.Core.HttpMessage message)
        {
            var path = message.Request.Uri.Path;
            if (message.Request.Method == Azure.Core.RequestMethod.Post && path.EndsWith("/$batch", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _transactions);
            }
            else if (message.Request.Method == Azure.Core.RequestMethod.Post && path.EndsWith("/" + TableSubmissionStore.SubmissionsTable, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _inserts);
            }
        }
    }
}
