using Rce.Core.Submissions;
using Rce.Core.Verdicts;
using static Rce.Core.Tests.Submissions.WorkflowHarness;

namespace Rce.Core.Tests.Submissions;

/// <summary>
/// A reconcile message that exhausted its deliveries: nothing would look at its submissions again,
/// so those that have not ended end Failed with IE; ended ones are left as they are.
/// </summary>
public sealed class SubmissionWorkflowPoisonReconcileTests
{
    [Theory]
    [InlineData(SubmissionStatus.Queued)]
    [InlineData(SubmissionStatus.Running)]
    public async Task Single_NotEnded_FailedWithIE(SubmissionStatus status)
    {
        var h = new WorkflowHarness();
        var stuck = h.Seed(s => s with { Status = status, Attempt = 1, LeaseUntil = status == SubmissionStatus.Running ? Start + Lease : null });

        await h.Workflow.PoisonReconcileAsync(new WorkMessage(stuck.Id), Ct);

        var row = h.Store.Row(stuck.Id);
        Assert.Equal(SubmissionStatus.Failed, row.Status);
        Assert.Equal(Verdict.InternalError, row.Verdict);
        Assert.Contains("reconcile check failed repeatedly", row.Reason, StringComparison.Ordinal);
        Assert.Single(h.Ended);
        Assert.Empty(h.Queues.Sent); // nothing re-armed
    }

    [Fact]
    public async Task Single_Ended_Unchanged()
    {
        var h = new WorkflowHarness();
        var done = h.Seed(s => s with { Status = SubmissionStatus.Completed, Verdict = Verdict.Accepted, Attempt = 1 });

        await h.Workflow.PoisonReconcileAsync(new WorkMessage(done.Id), Ct);

        Assert.Equal(done, h.Store.Row(done.Id));
        Assert.Empty(h.Ended);
    }

    [Fact]
    public async Task Batch_EachMemberNotEnded_FailedWithIE_EndedOnesRecordedAsTheyAre()
    {
        var h = new WorkflowHarness();
        var queued = h.Seed(s => s with { Status = SubmissionStatus.Queued, BatchId = "b9", BatchIndex = 0 });
        var running = h.Seed(s => s with { Status = SubmissionStatus.Running, Attempt = 1, LeaseUntil = Start + Lease, BatchId = "b9", BatchIndex = 1 });
        var endedUnrecorded = h.Seed(s => s with { Status = SubmissionStatus.Completed, Verdict = Verdict.Accepted, Attempt = 1, BatchId = "b9", BatchIndex = 2 });
        await h.Batches.CreateAsync(new Batch("b9", "tenant-a", Start, 3), [queued.Id, running.Id, endedUnrecorded.Id], Ct);

        await h.Workflow.PoisonReconcileAsync(new WorkMessage("b9", Batch: true), Ct);

        Assert.Equal(SubmissionStatus.Failed, h.Store.Row(queued.Id).Status);
        Assert.Equal(SubmissionStatus.Failed, h.Store.Row(running.Id).Status);
        Assert.Equal(SubmissionStatus.Completed, h.Store.Row(endedUnrecorded.Id).Status);
        var items = await h.Batches.GetItemsAsync("b9", Ct);
        Assert.Equal([SubmissionStatus.Failed, SubmissionStatus.Failed, SubmissionStatus.Completed], items.Select(i => i.Status));
        Assert.Equal(2, h.Ended.Count);
    }
}
