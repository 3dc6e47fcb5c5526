using System.Text;
using Rce.Core.Submissions;
using Rce.Core.Verdicts;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;
using Rce.Testing;
using static Rce.Infrastructure.Tests.Workflow.WorkflowTestData;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>The submission store's rows, compare-and-set, blobs, history and purge, against a real Azurite.</summary>
public sealed class TableSubmissionStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly byte[] Request = Encoding.UTF8.GetBytes("""{"language":"cpp17","source":"int main(){}"}""");

    [Fact]
    public async Task Create_ThenGet_EveryFieldRoundTrips()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var expected = Full(NewId(), NewTenant());

        var created = await store.CreateAsync(expected, Request, ct);
        var read = await store.GetAsync(expected.Id, ct);

        Assert.NotNull(created.ETag);
        Assert.NotNull(read);
        Assert.Equal(created.ETag, read.ETag);
        // Record equality covers every scalar field; Metadata holds a dictionary (reference equality), so compare it apart.
        Assert.Equal(expected with { Metadata = SubmissionMetadata.Empty, ETag = null }, read with { Metadata = SubmissionMetadata.Empty, ETag = null, InlineRequest = null });
        Assert.Equal(Request, read.InlineRequest); // a small request is kept in the row
        Assert.Equal(expected.CreatedTime.UtcTicks, read.CreatedTime.UtcTicks);
        Assert.Equal("user-1", read.Metadata.UserId);
        Assert.Equal("course-2", read.Metadata.CourseId);
        Assert.Equal("assignment-3", read.Metadata.AssignmentId);
        Assert.Equal(expected.Metadata.Tags!.OrderBy(p => p.Key), read.Metadata.Tags!.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task Create_MinimalRow_AbsentFieldsReadBackAsDefaults()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var expected = Minimal(NewId(), NewTenant(), T0);

        await store.CreateAsync(expected, Request, ct);
        var read = await store.GetAsync(expected.Id, ct);

        Assert.NotNull(read);
        Assert.Equal(expected, read with { ETag = null, InlineRequest = null });
        Assert.Equal(Request, read.InlineRequest);
        Assert.Same(SubmissionMetadata.Empty, read.Metadata);
        Assert.Equal(-1, read.BatchIndex);
        Assert.Null(read.Verdict);
    }

    [Fact]
    public async Task TryUpdate_ClearsFieldsSetToNull()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var created = await store.CreateAsync(Full(NewId(), NewTenant()), Request, ct);

        var updated = await store.TryUpdateAsync(created with { Phase = null, LeaseUntil = null, Verdict = null, Reason = null, CallbackDueTime = null, CallbackPending = false }, ct);
        var read = await store.GetAsync(created.Id, ct);

        Assert.NotNull(updated);
        Assert.NotNull(read);
        Assert.Null(read.CallbackDueTime);
        Assert.False(read.CallbackPending);
        Assert.Equal(3, read.CallbackAttempt);
        Assert.Null(read.Phase);
        Assert.Null(read.LeaseUntil);
        Assert.Null(read.Verdict);
        Assert.Null(read.Reason);
        Assert.Equal(updated.ETag, read.ETag);
    }

    [Fact]
    public async Task TryUpdate_StaleETag_ReturnsNullAndLeavesRowUnchanged()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0), Request, ct);
        var first = await store.TryUpdateAsync(created with { Status = SubmissionStatus.Running, Attempt = 1 }, ct);

        var second = await store.TryUpdateAsync(created with { Status = SubmissionStatus.Terminated, Reason = "late" }, ct);

        Assert.NotNull(first);
        Assert.NotEqual(created.ETag, first.ETag);
        Assert.Null(second);
        var read = await store.GetAsync(created.Id, ct);
        Assert.NotNull(read);
        Assert.Equal(SubmissionStatus.Running, read.Status);
        Assert.Null(read.Reason);
        Assert.Equal(first.ETag, read.ETag);
    }

    [Fact]
    public async Task TryUpdate_EightWritersFromOneETag_ExactlyOneWins()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0), Request, ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => store.TryUpdateAsync(created with { Phase = "writer-" + i, Attempt = i }, ct), ct)));

        var winner = Assert.Single(results, r => r is not null);
        var read = await store.GetAsync(created.Id, ct);
        Assert.NotNull(read);
        Assert.Equal(winner!.Phase, read.Phase);
        Assert.Equal(winner.ETag, read.ETag);
    }

    [Fact]
    public async Task TryUpdate_ReplyLostAndTheClientRetries_TheWriteIsOurs()
    {
        // The batch stall: the service applies a conditional replace, its reply is lost (the client's
        // 2 s network timeout under load), the client's retry answers 412 because the ETag changed,
        // and the workflow took that for a lost race and dropped a transition it had made.
        var ct = TestContext.Current.CancellationToken;
        var lose = new LoseFirstReply();
        var store = Store(lose);
        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0), Request, ct);
        lose.Armed = true;

        var updated = await store.TryUpdateAsync(created with { Status = SubmissionStatus.Completed, Attempt = 1 }, ct);

        Assert.Equal(1, lose.Lost);
        Assert.NotNull(updated);
        var read = await store.GetAsync(created.Id, ct);
        Assert.NotNull(read);
        Assert.Equal(SubmissionStatus.Completed, read.Status);
        Assert.Equal(read.ETag, updated.ETag);
        Assert.NotNull(await store.TryUpdateAsync(updated with { Reason = "next" }, ct)); // the ETag handed back is the row's
    }

    [Fact]
    public async Task TryUpdate_ReplyLostButAnotherWriterWon_ReturnsNull()
    {
        var ct = TestContext.Current.CancellationToken;
        var lose = new LoseFirstReply();
        var store = Store(lose);
        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0), Request, ct);
        Assert.NotNull(await store.TryUpdateAsync(created with { Status = SubmissionStatus.Terminated }, ct));
        lose.Armed = true;

        Assert.Null(await store.TryUpdateAsync(created with { Status = SubmissionStatus.Completed }, ct));
        Assert.Equal(SubmissionStatus.Terminated, (await store.GetAsync(created.Id, ct))!.Status);
    }

    [Fact]
    public async Task TryUpdate_DeletedRow_ReturnsNull()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0), Request, ct);
        await store.DeleteAsync(created.Id, ct);

        Assert.Null(await store.TryUpdateAsync(created with { Attempt = 1 }, ct));
        Assert.Null(await store.GetAsync(created.Id, ct));
    }

    [Fact]
    public async Task TryUpdate_WithoutETag_Throws()
    {
        var store = Store();

        await Assert.ThrowsAsync<ArgumentException>(() => store.TryUpdateAsync(Minimal(NewId(), NewTenant(), T0), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Create_Twice_ReturnsTheFirstRow()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var id = NewId();
        var first = await store.CreateAsync(Minimal(id, NewTenant(), T0), Request, ct);

        var second = await store.CreateAsync(Minimal(id, NewTenant(), T0.AddHours(1)) with { Language = "java21" }, Request, ct);

        Assert.Equal(first.ETag, second.ETag);
        Assert.Equal(first.Tenant, second.Tenant);
        Assert.Equal("python3", second.Language);
        Assert.Equal(T0, second.CreatedTime);
    }

    [Fact]
    public async Task RequestAndResult_200KB_RoundTrip()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var request = RandomBytes(200 * 1024, 1);
        var result = RandomBytes(200 * 1024, 2);
        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0), request, ct);

        var resultBeforeWrite = await store.ReadResultAsync(created.Id, ct);
        await store.WriteResultAsync(created.Id, RandomBytes(10, 3), ct);
        await store.WriteResultAsync(created.Id, result, ct); // overwrite

        Assert.Null(resultBeforeWrite);
        Assert.Equal(request, await store.ReadRequestAsync(created.Id, ct));
        Assert.Equal(result, await store.ReadResultAsync(created.Id, ct));
    }

    [Fact]
    public async Task UnknownOrUnsafeId_ReadsNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();

        Assert.Null(await store.GetAsync(NewId(), ct));
        Assert.Null(await store.ReadRequestAsync(NewId(), ct));
        Assert.Null(await store.ReadResultAsync(NewId(), ct));
        Assert.Null(await store.GetAsync("../x", ct));
        Assert.Null(await store.ReadRequestAsync("a/../b", ct));
        Assert.Empty(await store.ReadHistoryAsync("a'b", ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(Minimal("a/b", NewTenant(), T0), Request, ct));
    }

    [Fact]
    public async Task History_ReadsBackInAppendOrder_IncludingEqualTimestamps()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var id = NewId();
        var events = new List<HistoryEvent>
        {
            new("ExecutionStarted", T0, "SubmissionWorkflow"),
            new("TaskScheduled", T0.AddMilliseconds(5), "RunOnRunner", "attempt 1"),
        };

        // Ten events at one instant (the workflow's terminal pair shares one "now"): a random tie-break would shuffle them.
        events.AddRange(Enumerable.Range(0, 10).Select(i => new HistoryEvent("TaskFailed", T0.AddSeconds(1), "RunOnRunner", "tie " + i)));
        events.Add(new HistoryEvent("ExecutionCompleted", T0.AddSeconds(2), "SubmissionWorkflow", "Completed"));
        foreach (var e in events)
        {
            await store.AppendHistoryAsync(id, e, ct);
        }

        var read = await store.ReadHistoryAsync(id, ct);

        Assert.Equal(events, read);
    }

    [Fact]
    public async Task History_ManyInOneWrite_ReadBackInOrderAfterEarlierOnes()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var id = NewId();
        var first = new HistoryEvent("ExecutionStarted", T0, "SubmissionWorkflow");
        HistoryEvent[] pair =
        [
            new("TaskCompleted", T0.AddSeconds(1), "RunOnRunner"),
            new("ExecutionCompleted", T0.AddSeconds(1), "SubmissionWorkflow", "Completed"),
        ];

        await store.AppendHistoryAsync(id, first, ct);
        await store.AppendHistoryAsync(id, pair, ct);

        Assert.Equal([first, .. pair], await store.ReadHistoryAsync(id, ct));
    }

    [Fact]
    public async Task History_OfARowInHand_ItsOwnEventsMergedWithTheTable_RowNotReadAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var id = NewId();
        var started = new HistoryEvent("ExecutionStarted", T0, "SubmissionWorkflow");
        var delivered = new HistoryEvent("CallbackDelivered", T0.AddSeconds(2), "SendCallback", "200");
        var created = await store.CreateAsync(Minimal(id, NewTenant(), T0) with { History = HistoryLog.Of([started]) }, "{}"u8.ToArray(), ct);
        await store.AppendHistoryAsync(id, delivered, ct);

        // The row as the caller has it (here with one more event than stored): that is the one merged.
        var completed = new HistoryEvent("ExecutionCompleted", T0.AddSeconds(1), "SubmissionWorkflow", "Completed");
        var inHand = created with { History = created.History.Append([completed]) };

        Assert.Equal([started, completed, delivered], await store.ReadHistoryAsync(inHand, ct));
        Assert.Equal([started, delivered], await store.ReadHistoryAsync(id, ct)); // by id: the stored row
    }

    [Fact]
    public async Task History_LongDetail_TruncatedTo8Ki()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var id = NewId();

        await store.AppendHistoryAsync(id, new HistoryEvent("TaskFailed", T0, null, new string('x', 100_000)), ct);

        var read = Assert.Single(await store.ReadHistoryAsync(id, ct));
        Assert.Equal(new string('x', 8 * 1024), read.Detail);
        Assert.Null(read.Name);
    }

    [Fact]
    public async Task Delete_RemovesRowHistoryAndBlobs_ButNotANeighbourSharingThePrefix()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var id = NewId();
        var neighbour = id + "x";
        foreach (var each in new[] { id, neighbour })
        {
            await store.CreateAsync(Minimal(each, NewTenant(), T0), Request, ct);
            await store.WriteResultAsync(each, Request, ct);
            await store.AppendHistoryAsync(each, new HistoryEvent("ExecutionStarted", T0), ct);
        }

        await store.DeleteAsync(id, ct);
        await store.DeleteAsync(id, ct); // purging twice is fine

        Assert.Null(await store.GetAsync(id, ct));
        Assert.Empty(await store.ReadHistoryAsync(id, ct));
        Assert.Null(await store.ReadRequestAsync(id, ct));
        Assert.Null(await store.ReadResultAsync(id, ct));
        Assert.NotNull(await store.GetAsync(neighbour, ct));
        Assert.Single(await store.ReadHistoryAsync(neighbour, ct));
        Assert.NotNull(await store.ReadRequestAsync(neighbour, ct));
        Assert.NotNull(await store.ReadResultAsync(neighbour, ct));
    }

    [Fact]
    public async Task Delete_ManyHistoryRows_AllGone()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var id = NewId();
        await store.CreateAsync(Minimal(id, NewTenant(), T0), Request, ct);
        for (var i = 0; i < 130; i++)
        {
            await store.AppendHistoryAsync(id, new HistoryEvent("TaskScheduled", T0.AddMilliseconds(i)), ct);
        }

        Assert.Equal(130, (await store.ReadHistoryAsync(id, ct)).Count);
        await store.DeleteAsync(id, ct);

        Assert.Empty(await store.ReadHistoryAsync(id, ct));
    }

    private TableSubmissionStore Store() => new(StorageAccount.FromConnectionString(azurite.Server.ConnectionString));

    /// <summary>A store whose table client has the app's retry settings and <paramref name="policy"/> in its pipeline.</summary>
    private TableSubmissionStore Store(Azure.Core.Pipeline.HttpPipelinePolicy policy)
    {
        var options = new Azure.Data.Tables.TableClientOptions();
        options.Retry.Mode = Azure.Core.RetryMode.Fixed;
        options.Retry.MaxRetries = 3;
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.AddPolicy(policy, Azure.Core.HttpPipelinePosition.PerRetry);
        var account = StorageAccount.FromConnectionString(azurite.Server.ConnectionString);
        return new TableSubmissionStore(new Azure.Data.Tables.TableServiceClient(azurite.Server.ConnectionString, options), account.Blobs);
    }

    /// <summary>Once armed, lets the next conditional replace reach the service, then loses its reply (as a network timeout would).</summary>
    private sealed class LoseFirstReply : Azure.Core.Pipeline.HttpPipelinePolicy
    {
        private int _lost;

        public volatile bool Armed;

        public int Lost => Volatile.Read(ref _lost);

        public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            if (Armed && message.Request.Method == Azure.Core.RequestMethod.Put && message.Request.Headers.Contains("If-Match") && message.Response.Status == 204)
            {
                Armed = false;
                Interlocked.Increment(ref _lost);
                throw new IOException("the reply was lost (injected)");
            }
        }
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
