using Rce.Core.Submissions;
using Rce.Core.Verdicts;
using static Rce.Core.Tests.Submissions.WorkflowHarness;

namespace Rce.Core.Tests.Submissions;

/// <summary>Terminate, poison and reconcile: the paths that end or recover a submission from outside its run.</summary>
public sealed class SubmissionWorkflowLifecycleTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TerminateAsync_Queued_TerminatedWithReasonAndEnded()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        var signal = h.Signals.WhenSignalled(submission.Id);
        h.Time.Advance(TimeSpan.FromSeconds(5));

        var outcome = await h.Workflow.TerminateAsync(submission.Id, submission.Tenant, "teacher cancelled", Ct);

        var row = h.Store.Row(submission.Id);
        Assert.Equal(TerminateOutcome.Terminated, outcome);
        Assert.Equal(SubmissionStatus.Terminated, row.Status);
        Assert.Null(row.Verdict);
        Assert.Equal("teacher cancelled", row.Reason);
        Assert.Equal(Start + TimeSpan.FromSeconds(5), row.CompletedTime);
        Assert.Contains("ExecutionTerminated", h.Store.HistoryTypes(submission.Id));
        Assert.Equal(SubmissionStatus.Terminated, Assert.Single(h.Ended).Status);
        Assert.True(signal.IsCompleted);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("  ")]
    public async Task TerminateAsync_NoReason_DefaultReason(string? reason)
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();

        await h.Workflow.TerminateAsync(submission.Id, submission.Tenant, reason, Ct);

        Assert.Equal("terminated", h.Store.Row(submission.Id).Reason);
    }

    [Fact]
    public async Task TerminateAsync_Completed_AlreadyTerminal()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Answer(200, ResultJson());
        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);
        var before = h.Store.Row(submission.Id);

        var outcome = await h.Workflow.TerminateAsync(submission.Id, submission.Tenant, "stop", Ct);

        Assert.Equal(TerminateOutcome.AlreadyTerminal, outcome);
        Assert.Equal(before, h.Store.Row(submission.Id));
        Assert.Single(h.Ended);
    }

    [Fact]
    public async Task TerminateAsync_UnknownId_NotFound()
    {
        var h = new WorkflowHarness();

        var outcome = await h.Workflow.TerminateAsync("0123456789abcdef0123456789abcdef", "tenant-a", "stop", Ct);

        Assert.Equal(TerminateOutcome.NotFound, outcome);
    }

    [Fact]
    public async Task TerminateAsync_OtherTenant_NotFoundAndUntouched()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        var before = h.Store.Row(submission.Id);

        var outcome = await h.Workflow.TerminateAsync(submission.Id, "tenant-b", "stop", Ct);

        Assert.Equal(TerminateOutcome.NotFound, outcome);
        Assert.Equal(before, h.Store.Row(submission.Id));
        Assert.Empty(h.Ended);
    }

    [Fact]
    public async Task TerminateAsync_LosesRaceToCompletion_AlreadyTerminal()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Store.BeforeNextUpdate(_ => h.Store.Mutate(submission.Id, s => s with { Status = SubmissionStatus.Completed, Verdict = Verdict.Accepted }));

        var outcome = await h.Workflow.TerminateAsync(submission.Id, submission.Tenant, "stop", Ct);

        Assert.Equal(TerminateOutcome.AlreadyTerminal, outcome);
        Assert.Equal(SubmissionStatus.Completed, h.Store.Row(submission.Id).Status);
        Assert.Equal(1, h.Store.LostUpdates);
        Assert.Empty(h.Ended);
    }

    [Fact]
    public async Task TerminateAsync_LosesRaceToClaim_RetriesAndTerminates()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Store.BeforeNextUpdate(_ => h.Store.Mutate(submission.Id, s => s with { Status = SubmissionStatus.Running, Attempt = 1, LeaseUntil = Start + Lease }));

        var outcome = await h.Workflow.TerminateAsync(submission.Id, submission.Tenant, "stop", Ct);

        Assert.Equal(TerminateOutcome.Terminated, outcome);
        Assert.Equal(SubmissionStatus.Terminated, h.Store.Row(submission.Id).Status);
        Assert.Single(h.Ended);
    }

    [Fact]
    public async Task RunAsync_AfterTerminate_RunnerNotCalled()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        await h.Workflow.TerminateAsync(submission.Id, submission.Tenant, "stop", Ct);
        var before = h.Store.Row(submission.Id);

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.Equal(0, h.Runner.Calls);
        Assert.Equal(before, h.Store.Row(submission.Id));
        Assert.Empty(h.Queues.Sent);
        Assert.Single(h.Ended);
    }

    [Fact]
    public async Task RunAsync_RunnerAnswersAfterTerminate_StaysTerminated()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Runner.Then(async (_, ct) =>
        {
            entered.TrySetResult();
            await release.Task.WaitAsync(Guard, ct);
            return ScriptedRunner.Response(200, ResultJson("AC", 4, 4));
        });

        var run = Task.Run(() => h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct), Ct);
        await entered.Task.WaitAsync(Guard, Ct);
        var outcome = await h.Workflow.TerminateAsync(submission.Id, submission.Tenant, "stop", Ct);
        release.TrySetResult();
        await run.WaitAsync(Guard, Ct);

        var row = h.Store.Row(submission.Id);
        Assert.Equal(TerminateOutcome.Terminated, outcome);
        Assert.Equal(SubmissionStatus.Terminated, row.Status);
        Assert.Null(row.Verdict);
        Assert.Null(row.Score);
        Assert.False(row.HasResult); // a result blob the late answer may have left is never served: only a Completed row with HasResult is
        Assert.Equal(SubmissionStatus.Terminated, Assert.Single(h.Ended).Status);
    }

    [Fact]
    public async Task RunAsync_RunnerUnavailableAfterTerminate_NoRetry()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Runner.Then(async (_, ct) =>
        {
            entered.TrySetResult();
            await release.Task.WaitAsync(Guard, ct);
            throw new Rce.Core.Runners.RunnerUnavailableException("gone");
        });

        var run = Task.Run(() => h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct), Ct);
        await entered.Task.WaitAsync(Guard, Ct);
        await h.Workflow.TerminateAsync(submission.Id, submission.Tenant, "stop", Ct);
        release.TrySetResult();
        await run.WaitAsync(Guard, Ct);

        Assert.Equal(SubmissionStatus.Terminated, h.Store.Row(submission.Id).Status);
        Assert.Empty(h.Queues.Runs);
        Assert.Single(h.Ended);
    }

    [Fact]
    public async Task TerminateAsync_BatchMember_RecordedTerminated()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync(batchId: "b7", batchIndex: 5);

        await h.Workflow.TerminateAsync(submission.Id, submission.Tenant, null, Ct);

        Assert.Equal(("b7", new BatchItem(5, submission.Id, SubmissionStatus.Terminated, null)), Assert.Single(h.Batches.Recorded));
    }

    [Theory]
    [InlineData(SubmissionStatus.Queued)]
    [InlineData(SubmissionStatus.Running)]
    public async Task PoisonAsync_Active_FailedInternalError(SubmissionStatus status)
    {
        var h = new WorkflowHarness();
        var stuck = h.Seed(s => s with { Status = status, Attempt = 1, LeaseUntil = status == SubmissionStatus.Running ? Start + Lease : null });

        await h.Workflow.PoisonAsync(new WorkMessage(stuck.Id, 1), Ct);

        var row = h.Store.Row(stuck.Id);
        Assert.Equal(SubmissionStatus.Failed, row.Status);
        Assert.Equal(Verdict.InternalError, row.Verdict);
        Assert.Contains("poison", row.Reason, StringComparison.Ordinal);
        Assert.Null(row.LeaseUntil);
        Assert.Single(h.Ended);
        Assert.Equal(0, h.Runner.Calls);
    }

    [Fact]
    public async Task PoisonAsync_LosesRaceToAnotherWriter_RereadsAndFails()
    {
        var h = new WorkflowHarness();
        var stuck = h.Seed(s => s with { Status = SubmissionStatus.Queued, Attempt = 1 });
        h.Store.BeforeNextUpdate(_ => h.Store.Mutate(stuck.Id, s => s with { Reason = "someone else" }));

        await h.Workflow.PoisonAsync(new WorkMessage(stuck.Id, 1), Ct);

        Assert.Equal(1, h.Store.LostUpdates);
        Assert.Equal(SubmissionStatus.Failed, h.Store.Row(stuck.Id).Status);
        Assert.Single(h.Ended);
    }

    [Fact]
    public async Task PoisonAsync_UnknownSubmission_NoEffect()
    {
        var h = new WorkflowHarness();

        await h.Workflow.PoisonAsync(new WorkMessage("0123456789abcdef0123456789abcdef", 1), Ct);

        Assert.Empty(h.Ended);
        Assert.Empty(h.Queues.Sent);
    }

    [Fact]
    public async Task ReconcileAsync_StaleQueued_ReenqueuedAndRearmed()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync(SubmissionPriority.High);
        h.Time.Advance(h.ReconcileDelay);
        var message = new WorkMessage(submission.Id);

        await h.Workflow.ReconcileAsync(message, Ct);

        Assert.Equal(
            [
                (WorkQueueId.SubmissionsHigh, new WorkMessage(submission.Id, 1), TimeSpan.Zero),
                (WorkQueueId.Reconcile, message, h.ReconcileDelay),
            ],
            h.Queues.Sent);
        Assert.Equal(SubmissionStatus.Queued, h.Store.Row(submission.Id).Status);
    }

    [Fact]
    public async Task ReconcileAsync_RecentlyQueued_OnlyRearmed()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Time.Advance(h.ReconcileDelay - TimeSpan.FromMilliseconds(1));
        var message = new WorkMessage(submission.Id);

        await h.Workflow.ReconcileAsync(message, Ct);

        Assert.Equal([(WorkQueueId.Reconcile, message, h.ReconcileDelay)], h.Queues.Sent);
    }

    [Fact]
    public async Task ReconcileAsync_QueuedForRetry_ReenqueuesNextAttempt()
    {
        var h = new WorkflowHarness();
        var retrying = h.Seed(s => s with { Status = SubmissionStatus.Queued, Attempt = 2, Reason = "down" });
        h.Time.Advance(h.ReconcileDelay);

        await h.Workflow.ReconcileAsync(new WorkMessage(retrying.Id), Ct);

        Assert.Equal((WorkQueueId.Submissions, new WorkMessage(retrying.Id, 3), TimeSpan.Zero), Assert.Single(h.Queues.Runs));
    }

    [Fact]
    public async Task ReconcileAsync_RunningWithExpiredLease_ReenqueuedForTakeover()
    {
        var h = new WorkflowHarness();
        var running = h.Seed(s => s with { Status = SubmissionStatus.Running, Attempt = 1, LeaseUntil = Start + Lease });
        h.Time.Advance(Lease);

        await h.Workflow.ReconcileAsync(new WorkMessage(running.Id), Ct);

        Assert.Equal((WorkQueueId.Submissions, new WorkMessage(running.Id, 2), TimeSpan.Zero), Assert.Single(h.Queues.Runs));
        Assert.Single(h.Queues.Reconciles);
        Assert.Equal(running, h.Store.Row(running.Id));
    }

    [Fact]
    public async Task ReconcileAsync_RunningUnderLiveLease_OnlyRearmed()
    {
        var h = new WorkflowHarness();
        var running = h.Seed(s => s with { Status = SubmissionStatus.Running, Attempt = 1, LeaseUntil = Start + TimeSpan.FromHours(1), LastUpdatedTime = Start });
        h.Time.Advance(h.ReconcileDelay * 2);

        await h.Workflow.ReconcileAsync(new WorkMessage(running.Id), Ct);

        Assert.Empty(h.Queues.Runs);
        Assert.Single(h.Queues.Reconciles);
    }

    [Fact]
    public async Task ReconcileAsync_PastDeadline_FailedInternalErrorNotRearmed()
    {
        var h = new WorkflowHarness();
        var running = h.Seed(s => s with { Status = SubmissionStatus.Running, Attempt = 1, LeaseUntil = Start + TimeSpan.FromDays(1) });
        h.Time.Advance(TimeSpan.FromMilliseconds(h.Options.DeadlineMs + 1));

        await h.Workflow.ReconcileAsync(new WorkMessage(running.Id), Ct);

        var row = h.Store.Row(running.Id);
        Assert.Equal(SubmissionStatus.Failed, row.Status);
        Assert.Equal(Verdict.InternalError, row.Verdict);
        Assert.Contains("deadline", row.Reason, StringComparison.Ordinal);
        Assert.Empty(h.Queues.Sent);
        Assert.Single(h.Ended);
    }

    [Fact]
    public async Task ReconcileAsync_AtDeadline_StillActive()
    {
        var h = new WorkflowHarness();
        var running = h.Seed(s => s with { Status = SubmissionStatus.Running, Attempt = 1, LeaseUntil = Start + TimeSpan.FromDays(1) });
        h.Time.Advance(TimeSpan.FromMilliseconds(h.Options.DeadlineMs));

        await h.Workflow.ReconcileAsync(new WorkMessage(running.Id), Ct);

        Assert.Equal(SubmissionStatus.Running, h.Store.Row(running.Id).Status);
        Assert.Single(h.Queues.Reconciles);
    }

    [Fact]
    public async Task ReconcileAsync_UnknownSubmission_NotRearmed()
    {
        var h = new WorkflowHarness();

        await h.Workflow.ReconcileAsync(new WorkMessage("0123456789abcdef0123456789abcdef"), Ct);

        Assert.Empty(h.Queues.Sent);
    }

    [Fact]
    public async Task ReconcileAsync_Batch_RecordsTerminalMembersReenqueuesStaleAndRearms()
    {
        var h = new WorkflowHarness();
        var done = await h.AcceptedAsync(batchId: "b1", batchIndex: 0);
        var recorded = await h.AcceptedAsync(batchId: "b1", batchIndex: 1);
        var stale = await h.AcceptedAsync(batchId: "b1", batchIndex: 2);
        await h.Batches.CreateAsync(new Batch("b1", "tenant-a", Start, 3), [done.Id, recorded.Id, stale.Id], Ct);
        // Member 0 ended but its worker died before recording it; member 1 ended and was recorded.
        h.Store.Mutate(done.Id, s => s with { Status = SubmissionStatus.Completed, Verdict = Verdict.WrongAnswer });
        h.Store.Mutate(recorded.Id, s => s with { Status = SubmissionStatus.Completed, Verdict = Verdict.Accepted });
        h.Batches.SetItem("b1", new BatchItem(1, recorded.Id, SubmissionStatus.Completed, Verdict.Accepted));
        h.Time.Advance(h.ReconcileDelay);
        var message = new WorkMessage("b1", Batch: true);

        await h.Workflow.ReconcileAsync(message, Ct);

        Assert.Equal(("b1", new BatchItem(0, done.Id, SubmissionStatus.Completed, Verdict.WrongAnswer)), Assert.Single(h.Batches.Recorded));
        Assert.Empty(h.Batches.RecordedLater); // the check's repair is written at once: nothing else would write it
        Assert.Equal(
            [
                (WorkQueueId.Submissions, new WorkMessage(stale.Id, 1), TimeSpan.Zero),
                (WorkQueueId.Reconcile, message, h.ReconcileDelay),
            ],
            h.Queues.Sent);
    }

    [Fact]
    public async Task ReconcileAsync_BatchPart_ItsMembersAsTheWholeWould_BackForTheActiveOnly()
    {
        var h = new WorkflowHarness();
        var done = await h.AcceptedAsync(batchId: "b4", batchIndex: 0);
        var stale = await h.AcceptedAsync(batchId: "b4", batchIndex: 1);
        var fresh = await h.AcceptedAsync(batchId: "b4", batchIndex: 2);
        var foreign = await h.AcceptedAsync(batchId: "b5", batchIndex: 0);
        await h.Batches.CreateAsync(new Batch("b4", "tenant-a", Start, 3), [done.Id, stale.Id, fresh.Id], Ct);
        h.Store.Mutate(done.Id, s => s with { Status = SubmissionStatus.Completed, Verdict = Verdict.WrongAnswer });
        h.Time.Advance(h.ReconcileDelay);
        h.Store.Mutate(fresh.Id, s => s with { LastUpdatedTime = Start + h.ReconcileDelay });
        h.Queues.Clear();

        await h.Workflow.ReconcileAsync(new WorkMessage("b4", Batch: true, Ids: [done.Id, stale.Id, fresh.Id, foreign.Id, "unknown"]), Ct);

        Assert.Equal(("b4", new BatchItem(0, done.Id, SubmissionStatus.Completed, Verdict.WrongAnswer)), Assert.Single(h.Batches.Recorded));
        var run = Assert.Single(h.Queues.Runs); // the stale member's work is sent again; the fresh one, and another batch's member, are left
        Assert.Equal(stale.Id, run.Message.Id);
        var again = Assert.Single(h.Queues.Reconciles);
        Assert.Equal(("b4", true, h.ReconcileDelay), (again.Message.Id, again.Message.Batch, again.Delay));
        Assert.Equal([stale.Id, fresh.Id], again.Message.Ids);
        Assert.Equal(SubmissionStatus.Queued, h.Store.Row(foreign.Id).Status);
    }

    [Fact]
    public async Task ReconcileAsync_BatchMemberWithNoRow_WaitedForWhileItsRequestMayStoreIt()
    {
        var h = new WorkflowHarness();
        var stored = await h.AcceptedAsync(batchId: "b6", batchIndex: 0);
        var unstored = h.New(batchId: "b6", batchIndex: 1).Id; // its request is still storing the members
        await h.Batches.CreateAsync(new Batch("b6", "tenant-a", Start, 2), [stored.Id, unstored], Ct);
        h.Store.Mutate(stored.Id, s => s with { Status = SubmissionStatus.Completed, Verdict = Verdict.Accepted });
        h.Time.Advance(SubmissionWorkflow.UnstoredMemberGrace - TimeSpan.FromSeconds(1));
        h.Queues.Clear();

        await h.Workflow.ReconcileAsync(new WorkMessage("b6", Batch: true), Ct);

        Assert.Null(await h.Store.GetAsync(unstored, Ct)); // nothing written for it yet
        var again = Assert.Single(h.Queues.Reconciles); // and the check comes back for it
        Assert.Equal(("b6", null), (again.Message.Id, again.Message.Ids));
        Assert.Equal(("b6", new BatchItem(0, stored.Id, SubmissionStatus.Completed, Verdict.Accepted)), Assert.Single(h.Batches.Recorded));
    }

    [Fact]
    public async Task ReconcileAsync_BatchMemberNeverStored_EndsFailedIE_RecordedAndListed_TheBatchCompletes()
    {
        // The process that created the batch died before storing member 1: its code exists nowhere.
        var h = new WorkflowHarness();
        var stored = await h.AcceptedAsync(batchId: "b7", batchIndex: 0);
        var lost = h.New(batchId: "b7", batchIndex: 1).Id;
        await h.Batches.CreateAsync(new Batch("b7", "tenant-a", Start, 2), [stored.Id, lost], Ct);
        h.Store.Mutate(stored.Id, s => s with { Status = SubmissionStatus.Completed, Verdict = Verdict.Accepted });
        h.Time.Advance(SubmissionWorkflow.UnstoredMemberGrace);
        h.Queues.Clear();

        await h.Workflow.ReconcileAsync(new WorkMessage("b7", Batch: true), Ct);

        var row = h.Store.Row(lost);
        Assert.Equal((SubmissionStatus.Failed, Verdict.InternalError, "tenant-a", "b7", 1), (row.Status, row.Verdict, row.Tenant, row.BatchId, row.BatchIndex));
        Assert.Contains("never stored", row.Reason, StringComparison.Ordinal);
        Assert.Equal(["ExecutionStarted", "TaskFailed", "ExecutionCompleted"], row.History.Events.Select(e => e.EventType));
        Assert.Equal([SubmissionStatus.Completed, SubmissionStatus.Failed], (await h.Batches.GetItemsAsync("b7", Ct)).Select(i => i.Status));
        Assert.Empty(h.Queues.Sent); // every member is terminal: the check ends
    }

    [Fact]
    public async Task ReconcileAsync_BatchMemberStoredJustBeforeTheCheckWrites_TheStoredRowIsTheSubmission()
    {
        var h = new WorkflowHarness();
        var late = h.New(batchId: "b8", batchIndex: 0);
        await h.Batches.CreateAsync(new Batch("b8", "tenant-a", Start, 1), [late.Id], Ct);
        h.Time.Advance(SubmissionWorkflow.UnstoredMemberGrace);
        // Its request's insert lands between the check's read and its own insert.
        h.Store.BeforeNextCreate(_ => h.Store.Seed(late with { LastUpdatedTime = Start + SubmissionWorkflow.UnstoredMemberGrace }, RequestBody));
        h.Queues.Clear();

        await h.Workflow.ReconcileAsync(new WorkMessage("b8", Batch: true), Ct);

        Assert.Equal(SubmissionStatus.Queued, h.Store.Row(late.Id).Status); // not failed: it exists after all
        Assert.Empty(h.Batches.Recorded);
        Assert.Equal("b8", Assert.Single(h.Queues.Reconciles).Message.Id); // watched as any member
    }

    [Fact]
    public async Task ReconcileAsync_BatchAllTerminal_RecordsAndStops()
    {
        var h = new WorkflowHarness();
        var a = await h.AcceptedAsync(batchId: "b2", batchIndex: 0);
        var b = await h.AcceptedAsync(batchId: "b2", batchIndex: 1);
        await h.Batches.CreateAsync(new Batch("b2", "tenant-a", Start, 2), [a.Id, b.Id], Ct);
        h.Store.Mutate(a.Id, s => s with { Status = SubmissionStatus.Failed, Verdict = Verdict.InternalError });
        h.Store.Mutate(b.Id, s => s with { Status = SubmissionStatus.Terminated });

        await h.Workflow.ReconcileAsync(new WorkMessage("b2", Batch: true), Ct);

        Assert.Equal(
            [
                ("b2", new BatchItem(0, a.Id, SubmissionStatus.Failed, Verdict.InternalError)),
                ("b2", new BatchItem(1, b.Id, SubmissionStatus.Terminated, null)),
            ],
            h.Batches.Recorded.ToList());
        Assert.Empty(h.Queues.Sent);
        Assert.Empty(h.Ended);
    }

    [Fact]
    public async Task ReconcileAsync_BatchMemberPastDeadline_FailedAndRecorded()
    {
        var h = new WorkflowHarness();
        var member = await h.AcceptedAsync(batchId: "b3", batchIndex: 0);
        await h.Batches.CreateAsync(new Batch("b3", "tenant-a", Start, 1), [member.Id], Ct);
        h.Time.Advance(TimeSpan.FromMilliseconds(h.Options.DeadlineMs + 1));

        await h.Workflow.ReconcileAsync(new WorkMessage("b3", Batch: true), Ct);

        Assert.Equal(SubmissionStatus.Failed, h.Store.Row(member.Id).Status);
        Assert.Equal(("b3", new BatchItem(0, member.Id, SubmissionStatus.Failed, Verdict.InternalError)), Assert.Single(h.Batches.Recorded));
        Assert.Empty(h.Queues.Sent);
    }

    [Fact]
    public async Task ReconcileAsync_UnknownBatch_NoEffect()
    {
        var h = new WorkflowHarness();

        await h.Workflow.ReconcileAsync(new WorkMessage("nobatch", Batch: true), Ct);

        Assert.Empty(h.Queues.Sent);
        Assert.Empty(h.Batches.Recorded);
    }

    [Fact]
    public async Task Signals_RetryDoesNotWakeWaiters_EndDoes()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        var signal = h.Signals.WhenSignalled(submission.Id);
        h.Runner.Unavailable().Answer(200, ResultJson());

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);
        Assert.False(signal.IsCompleted);
        await h.Workflow.RunAsync(Assert.Single(h.Queues.Runs).Message, Ct);

        await signal.WaitAsync(Guard, Ct);
        Assert.Equal(SubmissionStatus.Completed, h.Store.Row(submission.Id).Status);
    }
}
