using Rce.Core.Runners;
using Rce.Core.Submissions;
using static Rce.Core.Tests.Submissions.WorkflowHarness;

namespace Rce.Core.Tests.Submissions;

/// <summary>
/// A submission accepted where a worker is free runs there without a run message; the reconcile
/// check armed before its row is its recovery, and a failed local run sends the message after all.
/// </summary>
public sealed class SubmissionWorkflowLocalRunTests
{
    [Fact]
    public async Task Accept_WithAFreeWorker_RunsHere_NoRunMessage_ReconcileStillArmed()
    {
        var h = new WorkflowHarness();
        h.Queues.LocalWorkers = true;
        h.Runner.Answer(200, ResultJson());

        var submission = await h.Workflow.AcceptAsync(h.New(SubmissionPriority.High), RequestBody, Ct);
        Assert.Empty(await h.Queues.LocalRunFailuresAsync());

        Assert.Equal(WorkQueueId.SubmissionsHigh, Assert.Single(h.Queues.LocalRuns).Queue); // the priority's worker
        Assert.Empty(h.Queues.Runs);
        Assert.Equal([(WorkQueueId.Reconcile, new WorkMessage(submission.Id), h.ReconcileDelay)], h.Queues.Reconciles);
        var row = h.Store.Row(submission.Id);
        Assert.Equal(SubmissionStatus.Completed, row.Status);
        Assert.Equal(1, row.Attempt);
        Assert.Equal(["ExecutionStarted", "TaskScheduled", "TaskCompleted", "ExecutionCompleted"], row.History.Events.Select(e => e.EventType));
        Assert.Equal(1, h.Runner.Calls);
    }

    [Fact]
    public async Task Accept_WithAFreeWorker_RowInsertedClaimed_NoClaimWrite()
    {
        var h = new WorkflowHarness();
        h.Queues.LocalWorkers = true;
        Submission? duringRun = null;
        string? id = null;
        h.Runner.Then((_, _) =>
        {
            duringRun = h.Store.Row(id!);
            return Task.FromResult(ScriptedRunner.Response(200, ResultJson()));
        });
        var submission = h.New();
        id = submission.Id;

        var stored = await h.Workflow.AcceptAsync(submission, RequestBody, Ct);
        Assert.Empty(await h.Queues.LocalRunFailuresAsync());

        Assert.Equal(SubmissionStatus.Running, stored.Status); // as inserted
        Assert.NotNull(duringRun);
        Assert.Equal(SubmissionStatus.Running, duringRun.Status);
        Assert.Equal(1, duringRun.Attempt);
        Assert.Equal(Start + Lease, duringRun.LeaseUntil);
        Assert.NotNull(duringRun.LeaseOwner);
        Assert.Equal(["ExecutionStarted", "TaskScheduled"], duringRun.History.Events.Select(e => e.EventType));
        Assert.Equal([$"{id}:create", $"{id}:result", $"{id}:update:Completed:"], h.Store.Journal); // the insert claimed it: no claim write, one to end it
        Assert.Null(h.Store.Row(id).LeaseOwner);
    }

    [Fact]
    public async Task Accept_LocalRunFails_TheRunMessageIsSentAfterAll()
    {
        var h = new WorkflowHarness();
        h.Queues.LocalWorkers = true;
        h.Runner.Answer(200, ResultJson());
        h.Store.LoseNextUpdateReply(s => s.Status == SubmissionStatus.Completed); // the end lands, then the step dies

        var submission = await h.Workflow.AcceptAsync(h.New(), RequestBody, Ct);
        var failure = Assert.Single(await h.Queues.LocalRunFailuresAsync());

        Assert.IsType<IOException>(failure);
        Assert.Equal([(WorkQueueId.Submissions, new WorkMessage(submission.Id, 1), TimeSpan.Zero)], h.Queues.Runs);

        // The message's delivery finds the submission ended and does nothing more, as a redelivery would.
        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);
        Assert.Single(h.Queues.Runs);
        Assert.Equal(1, h.Runner.Calls);
        Assert.Equal(SubmissionStatus.Completed, h.Store.Row(submission.Id).Status);
    }

    [Fact]
    public async Task Accept_RowCreatedRunningByAnotherRequest_NotRunHere()
    {
        // Two requests with one id (an idempotency key whose first request is still at work): the
        // second finds the first's claimed row, which is not its own, and must leave it alone.
        var h = new WorkflowHarness();
        h.Queues.LocalWorkers = true;
        var submission = h.New();
        h.Store.Seed(submission with { Status = SubmissionStatus.Running, Attempt = 1, LeaseUntil = Start + Lease, LeaseOwner = "someone-else" }, RequestBody);

        var stored = await h.Workflow.AcceptAsync(submission, RequestBody, Ct);

        Assert.Equal("someone-else", stored.LeaseOwner);
        Assert.Empty(h.Queues.LocalRuns);
        Assert.Empty(h.Queues.Runs);
        Assert.Equal(0, h.Runner.Calls);
    }

    [Fact]
    public async Task Accept_ReplayOfAStoredSubmission_NotRunAgain()
    {
        var h = new WorkflowHarness();
        h.Runner.Answer(200, ResultJson());
        var submission = h.New();
        await h.Workflow.AcceptAsync(submission, RequestBody, Ct);
        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);
        h.Queues.LocalWorkers = true;

        var replay = await h.Workflow.AcceptAsync(submission, RequestBody, Ct);

        Assert.Equal(SubmissionStatus.Completed, replay.Status);
        Assert.Empty(h.Queues.LocalRuns);
        Assert.Equal(1, h.Runner.Calls);
    }
}
