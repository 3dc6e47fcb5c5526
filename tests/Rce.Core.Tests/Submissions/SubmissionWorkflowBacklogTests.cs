using Rce.Core.Submissions;
using static Rce.Core.Tests.Submissions.WorkflowHarness;

namespace Rce.Core.Tests.Submissions;

/// <summary>
/// A submission accepted while every worker of the process is busy waits on the process's backlog
/// instead of a run message when the backlog takes it; the message is sent after all when its run
/// fails or the process stops first.
/// </summary>
public sealed class SubmissionWorkflowBacklogTests
{
    [Fact]
    public async Task Accept_NoFreeWorker_BacklogTakesIt_NoRunMessage_ItsRunClaimsTheCreatedRow()
    {
        var h = new WorkflowHarness();
        h.Queues.Backlogs = true;
        h.Runner.Answer(200, ResultJson());

        var stored = await h.Workflow.AcceptAsync(h.New(SubmissionPriority.High, batchId: "b1", batchIndex: 0), RequestBody, Ct);

        Assert.Equal(SubmissionStatus.Queued, stored.Status);
        Assert.Empty(h.Queues.Runs);
        var (queue, run, _) = Assert.Single(h.Queues.Backlog);
        Assert.Equal(WorkQueueId.SubmissionsHigh, queue);

        var reads = h.Store.Reads;
        await run(Ct);
        Assert.Equal(reads + 1, h.Store.Reads); // the request only: the claim started from the created row, no row read
        Assert.Equal(SubmissionStatus.Completed, h.Store.Row(stored.Id).Status);
        Assert.Empty(h.Queues.Runs);
        Assert.Equal(1, h.Runner.Calls);
    }

    [Fact]
    public async Task Accept_BacklogRefuses_RunMessageAsBefore()
    {
        var h = new WorkflowHarness();
        h.Queues.Backlogs = false;

        var stored = await h.Workflow.AcceptAsync(h.New(), RequestBody, Ct);

        Assert.Equal([(WorkQueueId.Submissions, new WorkMessage(stored.Id, 1), TimeSpan.Zero)], h.Queues.Runs);
    }

    [Fact]
    public async Task BacklogRun_Fails_TheRunMessageIsSentAfterAll()
    {
        var h = new WorkflowHarness();
        h.Queues.Backlogs = true;
        h.Runner.Answer(200, ResultJson());
        var stored = await h.Workflow.AcceptAsync(h.New(), RequestBody, Ct);
        h.Store.LoseNextUpdateReply(s => s.Status == SubmissionStatus.Running); // the claim lands, then the step dies

        var (_, run, _) = Assert.Single(h.Queues.Backlog);
        await Assert.ThrowsAsync<IOException>(() => run(Ct));

        Assert.Equal([(WorkQueueId.Submissions, new WorkMessage(stored.Id, 1), TimeSpan.Zero)], h.Queues.Runs);
    }

    [Fact]
    public async Task ProcessStopsFirst_HandOverSendsTheRunMessage_ItsDeliveryRunsIt()
    {
        var h = new WorkflowHarness();
        h.Queues.Backlogs = true;
        h.Runner.Answer(200, ResultJson());
        var stored = await h.Workflow.AcceptAsync(h.New(), RequestBody, Ct);

        var (_, _, handOver) = Assert.Single(h.Queues.Backlog);
        await handOver();
        var sent = Assert.Single(h.Queues.Runs);
        await h.Workflow.RunAsync(sent.Message, Ct);

        Assert.Equal(new WorkMessage(stored.Id, 1), sent.Message);
        Assert.Equal(SubmissionStatus.Completed, h.Store.Row(stored.Id).Status);
    }
}
