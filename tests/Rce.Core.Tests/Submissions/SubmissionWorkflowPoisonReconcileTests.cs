using Rce.Core.Submissions;
using Rce.Core.Verdicts;
using static Rce.Core.Tests.Submissions.WorkflowHarness;

namespace Rce.Core.Tests.Submissions;

/// <summary>
/// A reconcile message that exhausted its deliveries: a check of one ends its submission Failed
/// with IE unless it has ended (nothing would look at it again); a batch's check is split into
/// parts of its unfinished members, and a part into one check per member.
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
    public async Task Batch_SplitIntoPartsOfItsUnfinishedMembers_NothingEnded()
    {
        var h = new WorkflowHarness();
        var queued = h.Seed(s => s with { Status = SubmissionStatus.Queued, BatchId = "b9", BatchIndex = 0 });
        var running = h.Seed(s => s with { Status = SubmissionStatus.Running, Attempt = 1, LeaseUntil = Start + Lease, BatchId = "b9", BatchIndex = 1 });
        var endedUnrecorded = h.Seed(s => s with { Status = SubmissionStatus.Completed, Verdict = Verdict.Accepted, Attempt = 1, BatchId = "b9", BatchIndex = 2 });
        var recorded = h.Seed(s => s with { Status = SubmissionStatus.Completed, Verdict = Verdict.Accepted, Attempt = 1, BatchId = "b9", BatchIndex = 3 });
        await h.Batches.CreateAsync(new Batch("b9", "tenant-a", Start, 4), [queued.Id, running.Id, endedUnrecorded.Id, recorded.Id], Ct);
        await h.Batches.RecordAsync("b9", new BatchItem(3, recorded.Id, SubmissionStatus.Completed, Verdict.Accepted), Ct);

        await h.Workflow.PoisonReconcileAsync(new WorkMessage("b9", Batch: true), Ct);

        // A healthy member beside whatever made the whole check fail is not failed: it is checked again.
        Assert.Equal(SubmissionStatus.Queued, h.Store.Row(queued.Id).Status);
        Assert.Equal(SubmissionStatus.Running, h.Store.Row(running.Id).Status);
        Assert.Empty(h.Ended);
        var part = Assert.Single(h.Queues.Reconciles);
        Assert.Equal(("b9", true), (part.Message.Id, part.Message.Batch));
        Assert.Equal([queued.Id, running.Id, endedUnrecorded.Id], part.Message.Ids); // the items not yet terminal
        Assert.Equal(TimeSpan.Zero, part.Delay);
    }

    [Fact]
    public async Task Batch_OfMoreThanAPart_SplitInPartsOfAtMost64()
    {
        var h = new WorkflowHarness();
        var members = Enumerable.Range(0, 130).Select(i => h.Seed(s => s with { Status = SubmissionStatus.Queued, BatchId = "b8", BatchIndex = i }).Id).ToList();
        await h.Batches.CreateAsync(new Batch("b8", "tenant-a", Start, members.Count), members, Ct);

        await h.Workflow.PoisonReconcileAsync(new WorkMessage("b8", Batch: true), Ct);

        Assert.Equal([64, 64, 2], h.Queues.Reconciles.Select(r => r.Message.Ids!.Count));
        Assert.Equal(members, h.Queues.Reconciles.SelectMany(r => r.Message.Ids!));
        Assert.All(h.Queues.Reconciles, r => Assert.Equal(("b8", true), (r.Message.Id, r.Message.Batch)));
    }

    [Fact]
    public async Task BatchPart_SplitIntoOnePerMember()
    {
        var h = new WorkflowHarness();

        await h.Workflow.PoisonReconcileAsync(new WorkMessage("b7", Batch: true, Ids: ["s1", "s2"]), Ct);

        Assert.Equal([["s1"], ["s2"]], h.Queues.Reconciles.Select(r => r.Message.Ids!.ToArray()));
        Assert.All(h.Queues.Reconciles, r => Assert.Equal(("b7", true, TimeSpan.Zero), (r.Message.Id, r.Message.Batch, r.Delay)));
        Assert.Empty(h.Ended);
    }

    [Fact]
    public async Task BatchPartOfOne_NotEnded_FailedWithIE_AndRecorded()
    {
        var h = new WorkflowHarness();
        var queued = h.Seed(s => s with { Status = SubmissionStatus.Queued, BatchId = "b6", BatchIndex = 0 });
        var other = h.Seed(s => s with { Status = SubmissionStatus.Queued, BatchId = "b6", BatchIndex = 1 });
        await h.Batches.CreateAsync(new Batch("b6", "tenant-a", Start, 2), [queued.Id, other.Id], Ct);

        await h.Workflow.PoisonReconcileAsync(new WorkMessage("b6", Batch: true, Ids: [queued.Id]), Ct);

        var row = h.Store.Row(queued.Id);
        Assert.Equal((SubmissionStatus.Failed, Verdict.InternalError), (row.Status, row.Verdict));
        Assert.Contains("reconcile check failed repeatedly", row.Reason, StringComparison.Ordinal);
        Assert.Equal(SubmissionStatus.Queued, h.Store.Row(other.Id).Status);
        Assert.Equal([SubmissionStatus.Failed, SubmissionStatus.Queued], (await h.Batches.GetItemsAsync("b6", Ct)).Select(i => i.Status));
        Assert.Empty(h.Queues.Reconciles);
    }
}
