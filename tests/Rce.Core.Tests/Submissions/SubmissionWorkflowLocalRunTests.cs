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
        Assert.Equal(1, h.Runner.Calls);
    }

    [Fact]
    public async Task Accept_LocalRunFails_TheRunMessageIsSentAfterAll()
    {
        var h = new WorkflowHarness();
        h.Queues.LocalWorkers = true;
        h.Runner.Answer(200, ResultJson());
        h.Store.LoseNextUpdateReply(s => s.Status == SubmissionStatus.Running); // the claim lands, then the step dies

        var submission = await h.Workflow.AcceptAsync(h.New(), RequestBody, Ct);
        var failure = Assert.Single(await h.Queues.LocalRunFailuresAsync());

        Assert.IsType<IOException>(failure);
        Assert.Equal([(WorkQueueId.Submissions, new WorkMessage(submission.Id, 1), TimeSpan.Zero)], h.Queues.Runs);
        Assert.Equal(0, h.Runner.Calls);

        // The message's delivery finds the attempt leased and waits it out, as a redelivered message would.
        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);
        Assert.Equal(2, h.Queues.Runs.Count);
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
