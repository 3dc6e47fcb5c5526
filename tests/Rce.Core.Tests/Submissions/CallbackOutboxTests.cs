using Rce.Core.Submissions;
using Rce.Core.Verdicts;
using static Rce.Core.Tests.Submissions.WorkflowHarness;

namespace Rce.Core.Tests.Submissions;

/// <summary>The deliverer's side of the callback outbox: who may send, final outcomes, retries, and stale messages.</summary>
public sealed class CallbackOutboxTests
{
    [Fact]
    public void Arm_WithCallbackUrl_OwesAttemptOneDueNow()
    {
        var now = Start.AddMinutes(1);

        var armed = CallbackOutbox.Arm(Terminal() with { CallbackUrl = CallbackUrl }, now);

        Assert.True(armed.CallbackPending);
        Assert.Equal(1, armed.CallbackAttempt);
        Assert.Equal(now, armed.CallbackDueTime);
    }

    [Fact]
    public void Arm_WithoutCallbackUrl_OwesNothing()
    {
        var armed = CallbackOutbox.Arm(Terminal() with { CallbackPending = true, CallbackAttempt = 3, CallbackDueTime = Start }, Start);

        Assert.False(armed.CallbackPending);
        Assert.Equal(0, armed.CallbackAttempt);
        Assert.Null(armed.CallbackDueTime);
    }

    [Theory]
    [InlineData(SubmissionStatus.Completed, true, 2, 2, true)]
    [InlineData(SubmissionStatus.Failed, true, 1, 1, true)]
    [InlineData(SubmissionStatus.Completed, true, 2, 1, false)] // the late original of a re-driven attempt
    [InlineData(SubmissionStatus.Completed, true, 2, 3, false)]
    [InlineData(SubmissionStatus.Completed, false, 1, 1, false)] // already final
    [InlineData(SubmissionStatus.Running, true, 1, 1, false)]
    public void IsOwed_OnlyTheRowsCurrentAttemptOfATerminalOwingRow(SubmissionStatus status, bool pending, int rowAttempt, int messageAttempt, bool owed)
    {
        var row = Terminal() with { Status = status, CallbackUrl = CallbackUrl, CallbackPending = pending, CallbackAttempt = rowAttempt };

        Assert.Equal(owed, CallbackOutbox.IsOwed(row, messageAttempt));
    }

    [Fact]
    public async Task CompleteAsync_Owed_ClearsTheFlagThenRecordsTheOutcome()
    {
        var h = new WorkflowHarness();
        var row = Owing(h);
        var outbox = new CallbackOutbox(h.Store, h.Queues, h.Time);

        var first = await outbox.CompleteAsync(row, new HistoryEvent("CallbackDelivered", Start, "SendCallback", "attempt 1: 204"), Ct);
        var again = await outbox.CompleteAsync(h.Store.Row(row.Id), new HistoryEvent("CallbackDelivered", Start, "SendCallback"), Ct);

        Assert.True(first);
        Assert.False(again);
        var stored = h.Store.Row(row.Id);
        Assert.False(stored.CallbackPending);
        Assert.Null(stored.CallbackDueTime);
        Assert.Equal(1, stored.CallbackAttempt);
        Assert.Equal(["CallbackDelivered"], h.Store.HistoryTypes(row.Id));
        Assert.Equal($"{row.Id}:history:CallbackDelivered", h.Store.Journal[^1]); // the flag write came first
    }

    [Fact]
    public async Task CompleteAsync_ReDriveMovedOnMeanwhile_StillClears()
    {
        var h = new WorkflowHarness();
        var row = Owing(h);
        h.Store.Mutate(row.Id, s => s with { CallbackAttempt = 2 });
        var outbox = new CallbackOutbox(h.Store, h.Queues, h.Time);

        Assert.True(await outbox.CompleteAsync(row, new HistoryEvent("CallbackDelivered", Start), Ct));

        var stored = h.Store.Row(row.Id);
        Assert.False(stored.CallbackPending);
        Assert.False(CallbackOutbox.IsOwed(stored, 2)); // the re-driven message will do nothing
    }

    [Fact]
    public async Task CompleteAsync_RowPurged_False()
    {
        var h = new WorkflowHarness();
        var row = Owing(h);
        await h.Store.DeleteAsync(row.Id, Ct);

        Assert.False(await new CallbackOutbox(h.Store, h.Queues, h.Time).CompleteAsync(row, new HistoryEvent("CallbackDelivered", Start), Ct));
    }

    [Fact]
    public async Task ScheduleRetryAsync_AdvancesTheRowThenEnqueuesTheNextAttempt()
    {
        var h = new WorkflowHarness();
        var row = Owing(h);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        var updatesAtSend = -1;
        var queues = new ObservingQueues(h.Queues, () => updatesAtSend = h.Store.Journal.Count(j => j.Contains(":update:", StringComparison.Ordinal)));

        var scheduled = await new CallbackOutbox(h.Store, queues, h.Time).ScheduleRetryAsync(row, TimeSpan.FromSeconds(30), Ct);

        Assert.True(scheduled);
        var stored = h.Store.Row(row.Id);
        Assert.Equal(2, stored.CallbackAttempt);
        Assert.Equal(Start + TimeSpan.FromSeconds(40), stored.CallbackDueTime);
        Assert.True(stored.CallbackPending);
        Assert.Equal([(WorkQueueId.Callbacks, new WorkMessage(row.Id, 2), TimeSpan.FromSeconds(30))], h.Queues.Sent);
        Assert.Equal(1, updatesAtSend);
    }

    [Fact]
    public async Task ScheduleRetryAsync_ChainTakenOver_NothingSent()
    {
        var h = new WorkflowHarness();
        var row = Owing(h);
        h.Store.BeforeNextUpdate(_ => h.Store.Mutate(row.Id, s => s with { CallbackAttempt = 2, CallbackDueTime = Start }));

        var scheduled = await new CallbackOutbox(h.Store, h.Queues, h.Time).ScheduleRetryAsync(row, TimeSpan.FromSeconds(30), Ct);

        Assert.False(scheduled);
        Assert.Empty(h.Queues.Sent);
        Assert.Equal(2, h.Store.Row(row.Id).CallbackAttempt);
    }

    [Fact]
    public async Task ScheduleRetryAsync_LostRaceToAnUnrelatedWrite_RetriesAndSends()
    {
        var h = new WorkflowHarness();
        var row = Owing(h);
        h.Store.BeforeNextUpdate(_ => h.Store.Mutate(row.Id, s => s with { Reason = "touched" }));

        var scheduled = await new CallbackOutbox(h.Store, h.Queues, h.Time).ScheduleRetryAsync(row, TimeSpan.FromSeconds(30), Ct);

        Assert.True(scheduled);
        Assert.Single(h.Queues.Sent);
        Assert.Equal(1, h.Store.LostUpdates);
    }

    [Fact]
    public void MessageFor_CarriesTheRowsAttempt()
    {
        var row = Terminal() with { CallbackUrl = CallbackUrl, CallbackPending = true, CallbackAttempt = 4 };

        Assert.Equal(new WorkMessage(row.Id, 4), CallbackOutbox.MessageFor(row));
    }

    private static Submission Terminal() => new WorkflowHarness().New() with
    {
        Status = SubmissionStatus.Completed,
        Verdict = Verdict.Accepted,
        CompletedTime = Start,
    };

    private static Submission Owing(WorkflowHarness h) =>
        h.Store.Seed(CallbackOutbox.Arm(h.New(callbackUrl: CallbackUrl) with { Status = SubmissionStatus.Completed, Verdict = Verdict.Accepted, CompletedTime = Start }, Start));

    /// <summary>Runs a probe at each send, then forwards it (to see what was written before).</summary>
    private sealed class ObservingQueues(IWorkQueues inner, Action probe) : IWorkQueues
    {
        public Task EnqueueAsync(WorkQueueId queue, WorkMessage message, TimeSpan delay, CancellationToken cancellationToken)
        {
            probe();
            return inner.EnqueueAsync(queue, message, delay, cancellationToken);
        }
    }
}
