using Rce.Core.Submissions;
using Rce.Core.Verdicts;
using static Rce.Core.Tests.Submissions.WorkflowHarness;

namespace Rce.Core.Tests.Submissions;

/// <summary>
/// Reconcile checks armed ahead for a group of ids (<see cref="ReconcileAhead"/>): an accept with
/// such an id sends no check of its own; the group's check treats each id as a single's check would,
/// and comes back for the active ones only.
/// </summary>
public sealed class SubmissionWorkflowReconcileGroupTests
{
    [Fact]
    public async Task Accept_WithAnArmedId_SendsNoCheckOfItsOwn()
    {
        var h = new WorkflowHarness();
        var id = await h.Workflow.NewIdAsync(Ct);
        var group = Assert.Single(h.Queues.Reconciles);
        Assert.Contains(id, group.Message.Ids!);
        h.Queues.Clear();

        await h.Workflow.AcceptAsync(h.New() with { Id = id }, RequestBody, Ct);

        Assert.Empty(h.Queues.Reconciles);
        Assert.Equal(id, Assert.Single(h.Queues.Runs).Message.Id);
    }

    [Fact]
    public async Task Accept_WithAnIdNotArmed_SendsItsOwnCheck_AndAnArmedIdCoversOnce()
    {
        var h = new WorkflowHarness();
        var id = await h.Workflow.NewIdAsync(Ct);
        h.Queues.Clear();
        await h.Workflow.AcceptAsync(h.New() with { Id = id }, RequestBody, Ct);

        var plain = h.New();
        await h.Workflow.AcceptAsync(plain, RequestBody, Ct);
        await h.Workflow.AcceptAsync(h.New() with { Id = id }, RequestBody, Ct); // a replay of the armed id: no longer covered

        Assert.Equal([plain.Id, id], h.Queues.Reconciles.Select(r => r.Message.Id));
        Assert.All(h.Queues.Reconciles, r => Assert.Null(r.Message.Ids));
    }

    [Fact]
    public async Task Reconcile_Group_EachIdAsAlone_ReArmedForTheActiveOnes()
    {
        var h = new WorkflowHarness();
        var missing = h.New().Id; // handed out, never stored
        var queued = h.Seed(s => s with { Status = SubmissionStatus.Queued });
        var expired = h.Seed(s => s with { Status = SubmissionStatus.Running, Attempt = 1, LeaseUntil = Start - TimeSpan.FromSeconds(1) });
        var done = h.Seed(s => s with { Status = SubmissionStatus.Completed, Verdict = Verdict.Accepted, Attempt = 1 });

        await h.Workflow.ReconcileAsync(new WorkMessage("group-1", Ids: [missing, queued.Id, expired.Id, done.Id]), Ct);

        var run = Assert.Single(h.Queues.Runs); // the expired lease's work is sent again; the fresh Queued row is left
        Assert.Equal((expired.Id, 2), (run.Message.Id, run.Message.Attempt));
        var again = Assert.Single(h.Queues.Reconciles);
        Assert.Equal("group-1", again.Message.Id);
        Assert.Equal([queued.Id, expired.Id], again.Message.Ids);
        Assert.Equal(h.ReconcileDelay, again.Delay);
        Assert.Equal(done, h.Store.Row(done.Id));
    }

    [Fact]
    public async Task Accept_WithAnArmedId_IsListedLater_AnIdNotArmedAtOnce()
    {
        var h = new WorkflowHarness();
        var armed = await h.Workflow.NewIdAsync(Ct);
        await h.Workflow.AcceptAsync(h.New() with { Id = armed }, RequestBody, Ct);
        var plain = h.New();
        await h.Workflow.AcceptAsync(plain, RequestBody, Ct);
        var member = h.New() with { BatchId = "b1" };
        await h.Workflow.AcceptAsync(member, RequestBody, Ct);

        // Only the id whose group check will list its row may have its entry follow the row.
        Assert.Equal([armed], h.Store.ListedLater);
        Assert.Contains($"{plain.Id}:create", h.Store.Journal);
        Assert.Contains($"{member.Id}:create", h.Store.Journal);
    }

    [Fact]
    public async Task Reconcile_Group_ListsEveryRowFound_BeforeItsStep()
    {
        var h = new WorkflowHarness();
        var missing = h.New().Id;
        var queued = h.Seed(s => s with { Status = SubmissionStatus.Queued });
        var done = h.Seed(s => s with { Status = SubmissionStatus.Completed, Verdict = Verdict.Accepted, Attempt = 1 });

        await h.Workflow.ReconcileAsync(new WorkMessage("group-6", Ids: [queued.Id, missing, done.Id]), Ct);

        Assert.Equal(new[] { queued.Id, done.Id }.Order(StringComparer.Ordinal), h.Store.EnsuredListed.Order(StringComparer.Ordinal)); // not the id with no row
        Assert.Equal([queued.Id], Assert.Single(h.Queues.Reconciles).Message.Ids);
    }

    [Fact]
    public async Task Reconcile_Group_ListingFails_CheckFails_NothingElseDone()
    {
        var h = new WorkflowHarness();
        var expired = h.Seed(s => s with { Status = SubmissionStatus.Running, Attempt = 1, LeaseUntil = Start - TimeSpan.FromSeconds(1) });
        h.Store.FailNextEnsureListed(new IOException("storage down"));

        await Assert.ThrowsAsync<IOException>(() => h.Workflow.ReconcileAsync(new WorkMessage("group-7", Ids: [expired.Id]), Ct));

        Assert.Empty(h.Queues.Sent); // redelivered by the queue: lists, then re-enqueues the expired lease
        await h.Workflow.ReconcileAsync(new WorkMessage("group-7", Ids: [expired.Id]), Ct);
        Assert.Equal([expired.Id], h.Store.EnsuredListed);
        Assert.Equal((expired.Id, 2), (Assert.Single(h.Queues.Runs).Message.Id, Assert.Single(h.Queues.Runs).Message.Attempt));
    }

    [Fact]
    public async Task Reconcile_Group_QueuedPastTheDelay_IsSentAgain()
    {
        var h = new WorkflowHarness();
        var stale = h.Seed(s => s with { Status = SubmissionStatus.Queued });
        h.Time.Advance(h.ReconcileDelay);

        await h.Workflow.ReconcileAsync(new WorkMessage("group-2", Ids: [stale.Id]), Ct);

        Assert.Equal((stale.Id, 1), (Assert.Single(h.Queues.Runs).Message.Id, Assert.Single(h.Queues.Runs).Message.Attempt));
        Assert.Equal([stale.Id], Assert.Single(h.Queues.Reconciles).Message.Ids);
    }

    [Fact]
    public async Task Reconcile_Group_AllEndedOrMissing_NotReArmed()
    {
        var h = new WorkflowHarness();
        var done = h.Seed(s => s with { Status = SubmissionStatus.Failed, Verdict = Verdict.InternalError, Attempt = 1 });

        await h.Workflow.ReconcileAsync(new WorkMessage("group-3", Ids: [done.Id, h.New().Id]), Ct);

        Assert.Empty(h.Queues.Sent);
    }

    [Fact]
    public async Task PoisonReconcile_Group_SplitIntoChecksOfTheirOwn_NothingEnded()
    {
        var h = new WorkflowHarness();
        var queued = h.Seed(s => s with { Status = SubmissionStatus.Queued });
        var done = h.Seed(s => s with { Status = SubmissionStatus.Completed, Verdict = Verdict.Accepted, Attempt = 1 });
        var missing = h.New().Id;

        await h.Workflow.PoisonReconcileAsync(new WorkMessage("group-4", Ids: [queued.Id, done.Id, missing]), Ct);

        Assert.Equal(SubmissionStatus.Queued, h.Store.Row(queued.Id).Status); // a healthy neighbour of a bad id is not failed
        Assert.Empty(h.Ended);
        Assert.Equal([queued.Id, done.Id, missing], h.Queues.Reconciles.Select(r => r.Message.Id));
        Assert.All(h.Queues.Reconciles, r => Assert.Equal([r.Message.Id], r.Message.Ids)); // groups of one: they list their rows too
        Assert.All(h.Queues.Reconciles, r => Assert.Equal(TimeSpan.Zero, r.Delay));
    }

    [Fact]
    public async Task PoisonReconcile_GroupOfOne_NotEnded_FailedWithIE()
    {
        var h = new WorkflowHarness();
        var queued = h.Seed(s => s with { Status = SubmissionStatus.Queued });

        await h.Workflow.PoisonReconcileAsync(new WorkMessage("group-5", Ids: [queued.Id]), Ct);

        Assert.Equal(SubmissionStatus.Failed, h.Store.Row(queued.Id).Status);
        Assert.Equal(Verdict.InternalError, h.Store.Row(queued.Id).Verdict);
        Assert.Single(h.Ended);
        Assert.Empty(h.Queues.Reconciles);
    }
}
