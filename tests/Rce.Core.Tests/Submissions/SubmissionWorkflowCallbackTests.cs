using Rce.Core.Submissions;
using static Rce.Core.Tests.Submissions.WorkflowHarness;

namespace Rce.Core.Tests.Submissions;

/// <summary>
/// The callback outbox as the workflow drives it: the terminal write owes the callback, a crash
/// before the Ended handler's enqueue is recovered by the reconcile pass, and nothing is sent twice
/// while the chain is alive.
/// </summary>
public sealed class SubmissionWorkflowCallbackTests
{
    private static TimeSpan Grace(WorkflowHarness h) => TimeSpan.FromMilliseconds(h.Options.CallbackRedriveGraceMs);

    [Fact]
    public async Task RunAsync_CompletedWithCallback_TerminalWriteOwesAttemptOne()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync(callbackUrl: CallbackUrl);
        h.Runner.Answer(200, ResultJson());
        h.Time.Advance(TimeSpan.FromSeconds(3));

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        var row = h.Store.Row(submission.Id);
        Assert.Equal(SubmissionStatus.Completed, row.Status);
        Assert.True(row.CallbackPending);
        Assert.Equal(1, row.CallbackAttempt);
        Assert.Equal(Start + TimeSpan.FromSeconds(3), row.CallbackDueTime);
        Assert.True(Assert.Single(h.Ended).CallbackPending); // the handler sees what was written

        // One write made it terminal and owed: no update in between (invariant 1).
        var terminalWrites = h.Store.Journal.Where(j => j.Contains(":update:Completed:", StringComparison.Ordinal)).ToList();
        Assert.Single(terminalWrites);
    }

    [Fact]
    public async Task RunAsync_CompletedWithoutCallback_NothingOwed()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Answer(200, ResultJson());

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        var row = h.Store.Row(submission.Id);
        Assert.False(row.CallbackPending);
        Assert.Equal(0, row.CallbackAttempt);
        Assert.Null(row.CallbackDueTime);
    }

    [Fact]
    public async Task ReconcileAsync_TerminalWithoutCallback_NotRearmed()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        await h.Workflow.TerminateAsync(submission.Id, submission.Tenant, "stop", Ct);
        h.Time.Advance(h.ReconcileDelay);

        await h.Workflow.ReconcileAsync(new WorkMessage(submission.Id), Ct);

        Assert.Empty(h.Queues.Sent);
    }

    [Fact]
    public async Task ReconcileAsync_EndedHandlerCrashed_RedrivesTheCallbackAfterTheGrace()
    {
        var h = new WorkflowHarness();
        h.Workflow.Ended += (_, _) => throw new IOException("crash before the callback enqueue (injected)");
        var submission = await h.AcceptedAsync(callbackUrl: CallbackUrl);
        h.Runner.Answer(200, ResultJson());
        var reconcile = new WorkMessage(submission.Id);

        await Assert.ThrowsAsync<IOException>(() => h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct));
        Assert.True(h.Store.Row(submission.Id).CallbackPending);
        Assert.Empty(h.Queues.Callbacks);

        // Within the grace the attempt may still be on its way: only re-arm.
        h.Time.Advance(Grace(h) - TimeSpan.FromMilliseconds(1));
        await h.Workflow.ReconcileAsync(reconcile, Ct);
        Assert.Empty(h.Queues.Callbacks);
        Assert.Equal([(WorkQueueId.Reconcile, reconcile, h.ReconcileDelay)], h.Queues.Sent);

        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        await h.Workflow.ReconcileAsync(reconcile, Ct);

        var row = h.Store.Row(submission.Id);
        Assert.Equal(2, row.CallbackAttempt); // the lost attempt counts as spent
        Assert.Equal(h.Time.GetUtcNow(), row.CallbackDueTime);
        Assert.Equal([(WorkQueueId.Callbacks, new WorkMessage(submission.Id, 2), TimeSpan.Zero)], h.Queues.Callbacks);
        Assert.Equal(2, h.Queues.Reconciles.Count); // still owed: still watched
        Assert.Contains("CallbackRedriven", h.Store.HistoryTypes(submission.Id));
    }

    [Fact]
    public async Task ReconcileAsync_StoreFailsAfterTheTerminalWrite_CallbackStillOwedAndRedriven()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync(callbackUrl: CallbackUrl);
        h.Store.LoseNextUpdateReply(s => s.Status == SubmissionStatus.Terminated); // the terminal write lands, then the step dies

        await Assert.ThrowsAsync<IOException>(() => h.Workflow.TerminateAsync(submission.Id, submission.Tenant, "stop", Ct));
        Assert.Empty(h.Ended); // the step died before the handlers
        Assert.True(h.Store.Row(submission.Id).CallbackPending);

        h.Time.Advance(Grace(h));
        await h.Workflow.ReconcileAsync(new WorkMessage(submission.Id), Ct);

        Assert.Equal([(WorkQueueId.Callbacks, new WorkMessage(submission.Id, 2), TimeSpan.Zero)], h.Queues.Callbacks);
    }

    [Fact]
    public async Task ReconcileAsync_TwoPassesSeeTheSameStoppedChain_OneRedrive()
    {
        var h = new WorkflowHarness();
        var ended = await EndedOwingAsync(h);
        h.Time.Advance(Grace(h));

        // The other pass wins the compare-and-set just before ours.
        h.Store.BeforeNextUpdate(_ => h.Store.Mutate(ended.Id, s => s with { CallbackAttempt = 2, CallbackDueTime = h.Time.GetUtcNow() }));
        await h.Workflow.ReconcileAsync(new WorkMessage(ended.Id), Ct);
        await h.Workflow.ReconcileAsync(new WorkMessage(ended.Id), Ct); // a later pass: attempt 2 is not overdue

        Assert.Empty(h.Queues.Callbacks);
        Assert.Equal(2, h.Store.Row(ended.Id).CallbackAttempt);
        Assert.Equal(2, h.Queues.Reconciles.Count);
    }

    [Fact]
    public async Task ReconcileAsync_RetryScheduledFarAhead_NotRedrivenBeforeItsDueTime()
    {
        var h = new WorkflowHarness();
        var ended = await EndedOwingAsync(h);
        var outbox = new CallbackOutbox(h.Store, h.Queues, h.Time);
        Assert.True(await outbox.ScheduleRetryAsync(ended, TimeSpan.FromMinutes(40), Ct));
        h.Queues.Clear();

        h.Time.Advance(TimeSpan.FromMinutes(40) + Grace(h) - TimeSpan.FromSeconds(1));
        await h.Workflow.ReconcileAsync(new WorkMessage(ended.Id), Ct);

        Assert.Empty(h.Queues.Callbacks);
        Assert.Single(h.Queues.Reconciles);
    }

    [Fact]
    public async Task ReconcileAsync_CallbackDelivered_ChainStops()
    {
        var h = new WorkflowHarness();
        var ended = await EndedOwingAsync(h);
        var outbox = new CallbackOutbox(h.Store, h.Queues, h.Time);
        await outbox.CompleteAsync(ended, new HistoryEvent("CallbackDelivered", h.Time.GetUtcNow(), "SendCallback"), Ct);
        h.Time.Advance(Grace(h) * 10);

        await h.Workflow.ReconcileAsync(new WorkMessage(ended.Id), Ct);

        Assert.Empty(h.Queues.Sent);
    }

    [Fact]
    public async Task ReconcileAsync_StoppedChainPastTheGiveUpTime_AbandonedAndNotRearmed()
    {
        var h = new WorkflowHarness();
        var ended = await EndedOwingAsync(h);
        h.Time.Advance(TimeSpan.FromMilliseconds(h.Options.CallbackGiveUpMs));

        await h.Workflow.ReconcileAsync(new WorkMessage(ended.Id), Ct);

        var row = h.Store.Row(ended.Id);
        Assert.False(row.CallbackPending);
        Assert.Null(row.CallbackDueTime);
        Assert.Empty(h.Queues.Sent);
        Assert.Equal("CallbackAbandoned", h.Store.HistoryTypes(ended.Id)[^1]);
    }

    [Fact]
    public async Task ReconcileAsync_PastDeadlineWithCallback_FailedOwedAndRearmed()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync(callbackUrl: CallbackUrl);
        h.Time.Advance(TimeSpan.FromMilliseconds(h.Options.DeadlineMs + 1));

        await h.Workflow.ReconcileAsync(new WorkMessage(submission.Id), Ct);

        var row = h.Store.Row(submission.Id);
        Assert.Equal(SubmissionStatus.Failed, row.Status);
        Assert.True(row.CallbackPending);
        Assert.Single(h.Queues.Reconciles); // the chain that ended it keeps watching the callback
    }

    [Fact]
    public async Task FinishAsync_BatchMemberWithCallback_ArmsItsOwnCheckBeforeTheTerminalWrite()
    {
        var h = new WorkflowHarness();
        var member = await h.AcceptedAsync(batchId: "b1", batchIndex: 0, callbackUrl: CallbackUrl);
        var checksAtTheWrite = -1;
        h.Store.BeforeNextUpdate(_ => checksAtTheWrite = h.Queues.Reconciles.Count);

        await h.Workflow.TerminateAsync(member.Id, member.Tenant, "stop", Ct);

        Assert.Equal(1, checksAtTheWrite);
        Assert.Equal([(WorkQueueId.Reconcile, new WorkMessage(member.Id), h.ReconcileDelay)], h.Queues.Reconciles);

        // That check, not the batch's chain, re-drives the member's callback.
        h.Queues.Clear();
        h.Time.Advance(Grace(h));
        await h.Workflow.ReconcileAsync(new WorkMessage(member.Id), Ct);
        Assert.Equal([(WorkQueueId.Callbacks, new WorkMessage(member.Id, 2), TimeSpan.Zero)], h.Queues.Callbacks);
    }

    [Fact]
    public async Task FinishAsync_BatchMemberWithoutCallback_NoOwnCheck()
    {
        var h = new WorkflowHarness();
        var member = await h.AcceptedAsync(batchId: "b1", batchIndex: 0);

        await h.Workflow.TerminateAsync(member.Id, member.Tenant, "stop", Ct);

        Assert.Empty(h.Queues.Reconciles);
    }

    [Fact]
    public async Task ReconcileAsync_OwnCheckOfALiveBatchMember_LeavesItToTheBatch()
    {
        var h = new WorkflowHarness();
        var member = await h.AcceptedAsync(batchId: "b1", batchIndex: 0, callbackUrl: CallbackUrl);
        h.Time.Advance(h.ReconcileDelay * 2);

        await h.Workflow.ReconcileAsync(new WorkMessage(member.Id), Ct);

        Assert.Empty(h.Queues.Sent);
        Assert.Equal(SubmissionStatus.Queued, h.Store.Row(member.Id).Status);
    }

    [Fact]
    public async Task Ended_TwoHandlers_EachAwaitedInOrder()
    {
        var h = new WorkflowHarness();
        var order = new List<string>();
        var slow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Workflow.Ended += async (_, _) =>
        {
            await slow.Task;
            order.Add("first");
        };
        h.Workflow.Ended += (_, _) =>
        {
            order.Add("second");
            return Task.CompletedTask;
        };
        var submission = await h.AcceptedAsync();

        var terminate = h.Workflow.TerminateAsync(submission.Id, submission.Tenant, "stop", Ct);
        await Task.Delay(50, Ct);
        Assert.False(terminate.IsCompleted);
        slow.SetResult();
        await terminate;

        Assert.Equal(["first", "second"], order);
    }

    /// <summary>A submission that ended owing its callback, with the messages so far forgotten.</summary>
    private static async Task<Submission> EndedOwingAsync(WorkflowHarness h)
    {
        var submission = await h.AcceptedAsync(callbackUrl: CallbackUrl);
        await h.Workflow.TerminateAsync(submission.Id, submission.Tenant, "stop", Ct);
        h.Queues.Clear();
        var row = h.Store.Row(submission.Id);
        Assert.True(row.CallbackPending);
        return row;
    }
}
