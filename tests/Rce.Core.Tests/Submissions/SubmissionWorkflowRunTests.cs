using Rce.Core.Runners;
using Rce.Core.Submissions;
using Rce.Core.Verdicts;
using static Rce.Core.Tests.Submissions.WorkflowHarness;

namespace Rce.Core.Tests.Submissions;

/// <summary>Accept and run: the happy path, runner refusals, retries, leases and duplicate delivery.</summary>
public sealed class SubmissionWorkflowRunTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AcceptAsync_Single_EnqueuesReconcileThenFirstAttempt()
    {
        var h = new WorkflowHarness();
        var submission = h.New();

        var stored = await h.Workflow.AcceptAsync(submission, RequestBody, Ct);

        Assert.NotNull(stored.ETag);
        Assert.Equal(SubmissionStatus.Queued, h.Store.Row(submission.Id).Status);
        Assert.Equal(
            [
                (WorkQueueId.Reconcile, new WorkMessage(submission.Id), h.ReconcileDelay),
                (WorkQueueId.Submissions, new WorkMessage(submission.Id, 1), TimeSpan.Zero),
            ],
            h.Queues.Sent);
        Assert.Equal(RequestBody, await h.Store.ReadRequestAsync(submission.Id, Ct));
        Assert.Equal(["ExecutionStarted"], h.Store.HistoryTypes(submission.Id)); // in the row, stored by its insert
    }

    [Fact]
    public async Task AcceptAsync_HighPriority_RunsFromHighQueue()
    {
        var h = new WorkflowHarness();
        var submission = h.New(SubmissionPriority.High);

        await h.Workflow.AcceptAsync(submission, RequestBody, Ct);

        Assert.Equal((WorkQueueId.SubmissionsHigh, new WorkMessage(submission.Id, 1), TimeSpan.Zero), Assert.Single(h.Queues.Runs));
    }

    [Fact]
    public async Task AcceptAsync_BatchMember_NoOwnReconcile()
    {
        var h = new WorkflowHarness();
        var submission = h.New(batchId: "b1", batchIndex: 3);

        await h.Workflow.AcceptAsync(submission, RequestBody, Ct);

        Assert.Equal([(WorkQueueId.Submissions, new WorkMessage(submission.Id, 1), TimeSpan.Zero)], h.Queues.Sent);
    }

    [Fact]
    public async Task AcceptAsync_ReplayOfStartedSubmission_NoSecondRun()
    {
        var h = new WorkflowHarness();
        var submission = h.New();
        await h.Workflow.AcceptAsync(submission, RequestBody, Ct);
        h.Runner.Answer(200, ResultJson());
        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);
        h.Queues.Clear();

        var replay = await h.Workflow.AcceptAsync(submission, RequestBody, Ct);

        Assert.Equal(SubmissionStatus.Completed, replay.Status);
        Assert.Empty(h.Queues.Runs);
    }

    [Fact]
    public async Task RunAsync_Runner200_CompletedWithVerdictScoreAndResult()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        var body = ResultJson("WA", 3, 4);
        h.Runner.Answer(200, body);
        var signal = h.Signals.WhenSignalled(submission.Id);

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        var row = h.Store.Row(submission.Id);
        Assert.Equal(SubmissionStatus.Completed, row.Status);
        Assert.Equal(Verdict.WrongAnswer, row.Verdict);
        Assert.Equal(3, row.Score);
        Assert.Equal(4, row.MaxScore);
        Assert.True(row.HasResult);
        Assert.Equal(1, row.Attempt);
        Assert.Null(row.Reason);
        Assert.Null(row.Phase);
        Assert.Null(row.LeaseUntil);
        Assert.Equal(Start, row.CompletedTime);
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(body), await h.Store.ReadResultAsync(submission.Id, Ct));
        Assert.Equal(submission.Id, Assert.Single(h.Ended).Id);
        Assert.True(signal.IsCompleted);
        Assert.Empty(h.Queues.Sent);
        Assert.Equal(1, h.Runner.Calls);
    }

    [Fact]
    public async Task RunAsync_Runner200_ResultWrittenBeforeRowSaysCompleted()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Answer(200, ResultJson());

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        // Admitted by the gate at once: no lease renewal; no separate "grading" write either.
        var journal = h.Store.Journal.Where(e => !e.Contains(":history:", StringComparison.Ordinal)).ToList();
        var id = submission.Id;
        Assert.Equal([$"{id}:create", $"{id}:update:Running:running", $"{id}:result", $"{id}:update:Completed:"], journal);
    }

    [Fact]
    public async Task RunAsync_GateFull_LeaseRenewedOncePlaceIsHeld()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Answer(200, ResultJson());
        var places = Enumerable.Range(0, h.Gate.Capacity).Select(_ => h.Gate.TryEnter(SubmissionPriority.Normal)!).ToList();

        var run = Task.Run(() => h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct), Ct);
        while (h.Gate.Waiting == 0) // claimed, and now waiting at the gate
        {
            await Task.Delay(5, Ct);
        }

        Assert.Equal(SubmissionStatus.Running, h.Store.Row(submission.Id).Status);
        h.Time.Advance(TimeSpan.FromSeconds(3)); // the wait for a place ate part of the claim's lease
        places[0].Dispose();
        await run.WaitAsync(Guard, Ct);
        places.Skip(1).ToList().ForEach(p => p.Dispose());

        // The lease covers the runner call, not the wait: renewed (the second Running write) once a place is held.
        var id = submission.Id;
        Assert.Equal(
            [$"{id}:create", $"{id}:update:Running:running", $"{id}:update:Running:running", $"{id}:result", $"{id}:update:Completed:"],
            h.Store.Journal.Where(e => !e.Contains(":history:", StringComparison.Ordinal)).ToList());
        Assert.Equal(SubmissionStatus.Completed, h.Store.Row(id).Status);
    }

    [Fact]
    public async Task RunAsync_BatchRecordFailedAfterTerminalWrite_RedeliveryRecordsIt()
    {
        // The terminal write landed, then the step failed (the batch record); the queue redelivers
        // the message, which finds the row terminal: it must still record the member, or the batch
        // shows it pending until its reconcile pass (minutes).
        var h = new WorkflowHarness();
        var batchId = "b".PadLeft(32, '0');
        var submission = await h.AcceptedAsync(batchId: batchId, batchIndex: 0);
        await h.Batches.CreateAsync(new Batch(batchId, "tenant-a", h.Time.GetUtcNow(), 1), [submission.Id], Ct);
        h.Runner.Answer(200, ResultJson());
        h.Batches.FailNextRecord();

        await Assert.ThrowsAsync<IOException>(() => h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct));
        Assert.Equal(SubmissionStatus.Completed, h.Store.Row(submission.Id).Status);
        Assert.Equal(SubmissionStatus.Queued, (await h.Batches.GetItemsAsync(batchId, Ct))[0].Status);

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.Equal(1, h.Runner.Calls);
        Assert.Equal(SubmissionStatus.Completed, (await h.Batches.GetItemsAsync(batchId, Ct))[0].Status);
    }

    [Fact]
    public async Task RunAsync_Waiter_GetsTheTerminalRowWithTheSignal()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Answer(200, ResultJson());
        var signal = h.Signals.WhenSignalled(submission.Id);

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        var handed = await signal.WaitAsync(Guard, Ct);
        Assert.NotNull(handed);
        Assert.Equal(h.Store.Row(submission.Id), handed);
    }

    [Fact]
    public async Task SyncSubmission_StorageCallsOnItsWay()
    {
        // Port calls of one wait=true submission (accept, run, end), as a counting store sees them.
        // On Tables, CreateAsync is the index entry (beside the reconcile send) and then the row; a
        // small request and result ride in the row (this fake keeps them in "blobs", so the request
        // read and the result write are counted here and cost nothing on Tables); the listener
        // deletes the message after the run (and receives it first unless it runs it locally).
        var h = new WorkflowHarness();
        var submission = await h.Workflow.AcceptAsync(h.New(), RequestBody, Ct);
        h.Runner.Answer(200, ResultJson());
        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        var writes = h.Store.Journal;
        Assert.Equal(2, h.Queues.Sent.Count); // reconcile, run
        Assert.Equal(1, writes.Count(e => e.EndsWith(":create", StringComparison.Ordinal)));
        Assert.Equal(2, writes.Count(e => e.Contains(":update:", StringComparison.Ordinal))); // claim, terminal
        Assert.Equal(1, writes.Count(e => e.EndsWith(":result", StringComparison.Ordinal)));
        Assert.Equal(0, writes.Count(e => e.Contains(":history:", StringComparison.Ordinal))); // every event rides on the row's writes
        Assert.Equal(0, h.Store.HistoryBatches);
        Assert.Equal(4, h.Store.HistoryTypes(submission.Id).Count);
        Assert.Equal(1, h.Store.Reads); // the request; the claim starts from the row AcceptAsync created (no read)
    }

    [Fact]
    public async Task RunAsync_FirstRunAfterAccept_ClaimsWithoutReadingTheRow()
    {
        var h = new WorkflowHarness();
        var submission = await h.Workflow.AcceptAsync(h.New(), RequestBody, Ct);
        h.Runner.Answer(200, ResultJson());
        var reads = h.Store.Reads;

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.Equal(reads + 1, h.Store.Reads); // the request only
        Assert.Equal(0, h.Store.LostUpdates);
        Assert.Equal(SubmissionStatus.Completed, h.Store.Row(submission.Id).Status);
    }

    [Fact]
    public async Task RunAsync_RowChangedSinceAccept_TheHandedRowLosesAndTheStoredStateDecides()
    {
        // The row handed over in memory is stale (terminated meanwhile): the claim's compare-and-set
        // must fail on it, and the re-read must stop the run.
        var h = new WorkflowHarness();
        var submission = await h.Workflow.AcceptAsync(h.New(), RequestBody, Ct);
        Assert.Equal(TerminateOutcome.Terminated, await h.Workflow.TerminateAsync(submission.Id, submission.Tenant, "stop", Ct));
        h.Runner.Answer(200, ResultJson());

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.Equal(1, h.Store.LostUpdates);
        Assert.Equal(0, h.Runner.Calls);
        Assert.Equal(SubmissionStatus.Terminated, h.Store.Row(submission.Id).Status);
    }

    [Fact]
    public async Task RunAsync_HandedRowIsUsedOnce_ARedeliveryReadsTheRow()
    {
        var h = new WorkflowHarness();
        var submission = await h.Workflow.AcceptAsync(h.New(), RequestBody, Ct);
        h.Runner.Answer(200, ResultJson());
        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);
        var reads = h.Store.Reads;

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct); // redelivered

        Assert.Equal(reads + 1, h.Store.Reads); // the row, found terminal
        Assert.Equal(1, h.Runner.Calls);
    }

    [Fact]
    public async Task RunAsync_Runner200_HistoryTellsTheStory()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Answer(200, ResultJson());

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.Equal(["ExecutionStarted", "TaskScheduled", "TaskCompleted", "ExecutionCompleted"], h.Store.HistoryTypes(submission.Id));
    }

    [Fact]
    public async Task RunAsync_SendsStoredBodyAndLimits()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Answer(200, ResultJson());

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.True(h.Runner.Requests.TryPeek(out var request));
        Assert.Equal(RequestBody, request.Body.ToArray());
        Assert.Equal(2, request.TestCount);
        Assert.Equal(TimeSpan.FromSeconds(1), request.TestWallTime);
        Assert.Equal(TimeSpan.Zero, request.CompileWallTime);
    }

    [Fact]
    public async Task RunAsync_UnknownVerdictCode_CompletedAsInternalError()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Answer(200, ResultJson("XYZ"));

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        var row = h.Store.Row(submission.Id);
        Assert.Equal(SubmissionStatus.Completed, row.Status);
        Assert.Equal(Verdict.InternalError, row.Verdict);
    }

    [Theory]
    [InlineData(400, """{"type":"about:blank","title":"Bad request","status":400,"detail":"language 'cobol' is not installed"}""", "language 'cobol' is not installed")]
    [InlineData(422, """{"title":"Unprocessable request","status":422}""", "Unprocessable request")]
    [InlineData(413, "not json at all", "413")]
    public async Task RunAsync_Runner4xx_FailedInternalErrorWithProblemNoRetry(int status, string body, string expectedInReason)
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Answer(status, body);

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        var row = h.Store.Row(submission.Id);
        Assert.Equal(SubmissionStatus.Failed, row.Status);
        Assert.Equal(Verdict.InternalError, row.Verdict);
        Assert.Contains(expectedInReason, row.Reason, StringComparison.Ordinal);
        Assert.Contains($"({status}", row.Reason, StringComparison.Ordinal);
        Assert.False(row.HasResult);
        Assert.Null(row.LeaseUntil);
        Assert.Empty(h.Queues.Sent);
        Assert.Equal(1, h.Runner.Calls);
        Assert.Single(h.Ended);
    }

    [Fact]
    public async Task RunAsync_RunnerUnavailable_QueuedAgainWithDelayedNextAttempt()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Unavailable("every runner refused the connection");

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        var row = h.Store.Row(submission.Id);
        Assert.Equal(SubmissionStatus.Queued, row.Status);
        Assert.Equal(1, row.Attempt);
        Assert.Null(row.LeaseUntil);
        Assert.Null(row.Phase);
        Assert.Null(row.Verdict);
        Assert.Contains("every runner refused the connection", row.Reason, StringComparison.Ordinal);
        var (queue, message, delay) = Assert.Single(h.Queues.Sent);
        Assert.Equal(WorkQueueId.Submissions, queue);
        Assert.Equal(new WorkMessage(submission.Id, 2), message);
        Assert.InRange(delay, TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(1_200));
        Assert.Empty(h.Ended);
    }

    [Theory]
    [InlineData(503, """{"title":"Sandbox unavailable","detail":"no free box"}""", "no free box")]
    [InlineData(200, "{}", "answered 200")]
    [InlineData(200, """{"verdict":5}""", "answered 200")]
    public async Task RunAsync_Runner5xxOr200WithoutResult_Retried(int status, string body, string expectedInReason)
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync(SubmissionPriority.High);
        h.Runner.Answer(status, body);

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        var row = h.Store.Row(submission.Id);
        Assert.Equal(SubmissionStatus.Queued, row.Status);
        Assert.Contains(expectedInReason, row.Reason, StringComparison.Ordinal);
        Assert.False(row.HasResult);
        var (queue, message, _) = Assert.Single(h.Queues.Sent);
        Assert.Equal(WorkQueueId.SubmissionsHigh, queue);
        Assert.Equal(new WorkMessage(submission.Id, 2), message);
        Assert.Null(await h.Store.ReadResultAsync(submission.Id, Ct));
    }

    [Fact]
    public async Task RunAsync_UnavailableEveryAttempt_FailedAfterMaxAttemptsWithGrowingDelays()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        var message = new WorkMessage(submission.Id, 1);
        var delays = new List<TimeSpan>();
        for (var attempt = 1; attempt <= h.Options.MaxAttempts; attempt++)
        {
            h.Runner.Unavailable($"down #{attempt}");
            await h.Workflow.RunAsync(message, Ct);
            if (attempt < h.Options.MaxAttempts)
            {
                var (_, next, delay) = Assert.Single(h.Queues.Runs);
                Assert.Equal(attempt + 1, next.Attempt);
                delays.Add(delay);
                h.Queues.Clear();
                h.Time.Advance(delay);
                message = next;
            }
        }

        var row = h.Store.Row(submission.Id);
        Assert.Equal(SubmissionStatus.Failed, row.Status);
        Assert.Equal(Verdict.InternalError, row.Verdict);
        Assert.Equal(h.Options.MaxAttempts, row.Attempt);
        Assert.Contains("after 3 attempts", row.Reason, StringComparison.Ordinal);
        Assert.Contains("down #3", row.Reason, StringComparison.Ordinal);
        Assert.Null(row.LeaseUntil);
        Assert.Empty(h.Queues.Runs);
        Assert.Equal(h.Options.MaxAttempts, h.Runner.Calls);
        Assert.Single(h.Ended);
        Assert.InRange(delays[0], TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(1_200));
        Assert.InRange(delays[1], TimeSpan.FromMilliseconds(1_600), TimeSpan.FromMilliseconds(2_400));
    }

    [Fact]
    public async Task RunAsync_RetryThenSuccess_CompletedOnSecondAttempt()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Unavailable().Answer(200, ResultJson("AC", 4, 4));

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);
        var (_, retry, delay) = Assert.Single(h.Queues.Runs);
        h.Time.Advance(delay);
        await h.Workflow.RunAsync(retry, Ct);

        var row = h.Store.Row(submission.Id);
        Assert.Equal(SubmissionStatus.Completed, row.Status);
        Assert.Equal(Verdict.Accepted, row.Verdict);
        Assert.Equal(2, row.Attempt);
        Assert.Null(row.Reason);
    }

    [Fact]
    public async Task RunAsync_RedeliveredAttemptAlreadyRun_NoOp()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Unavailable();
        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);
        h.Queues.Clear();
        var before = h.Store.Row(submission.Id);

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.Equal(1, h.Runner.Calls);
        Assert.Equal(before, h.Store.Row(submission.Id));
        Assert.Empty(h.Queues.Sent);
    }

    [Fact]
    public async Task RunAsync_RedeliveredAfterCompletion_NoOp()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Answer(200, ResultJson());
        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);
        var before = h.Store.Row(submission.Id);

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.Equal(1, h.Runner.Calls);
        Assert.Equal(before, h.Store.Row(submission.Id));
        Assert.Single(h.Ended);
        Assert.Empty(h.Queues.Sent);
    }

    [Fact]
    public async Task RunAsync_ClaimSetsRunningWithLease()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        Submission? seen = null;
        h.Runner.Then((_, _) =>
        {
            seen = h.Store.Row(submission.Id);
            return Task.FromResult(ScriptedRunner.Response(200, ResultJson()));
        });

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.NotNull(seen);
        Assert.Equal(SubmissionStatus.Running, seen.Status);
        Assert.Equal("running", seen.Phase);
        Assert.Equal(1, seen.Attempt);
        Assert.Equal(Start, seen.StartedTime);
        Assert.Equal(Start + Lease, seen.LeaseUntil);
    }

    [Fact]
    public async Task RunAsync_RunningUnderLiveLease_ReenqueuedToLeaseEndWithoutRunnerCall()
    {
        var h = new WorkflowHarness();
        var leaseEnd = Start + TimeSpan.FromSeconds(30);
        var running = h.Seed(s => s with { Status = SubmissionStatus.Running, Phase = "running", Attempt = 1, StartedTime = Start, LeaseUntil = leaseEnd });
        h.Time.Advance(TimeSpan.FromSeconds(10));
        var message = new WorkMessage(running.Id, 1);

        await h.Workflow.RunAsync(message, Ct);

        Assert.Equal(0, h.Runner.Calls);
        Assert.Equal(running, h.Store.Row(running.Id));
        Assert.Equal([(WorkQueueId.Submissions, message, TimeSpan.FromSeconds(21))], h.Queues.Sent);
    }

    [Fact]
    public async Task RunAsync_RunningWithExpiredLease_TakenOver()
    {
        var h = new WorkflowHarness();
        var stale = h.Seed(s => s with { Status = SubmissionStatus.Running, Phase = "running", Attempt = 1, StartedTime = Start, LeaseUntil = Start + TimeSpan.FromSeconds(30) });
        h.Time.Advance(TimeSpan.FromSeconds(30));
        h.Runner.Answer(200, ResultJson("AC", 4, 4));

        await h.Workflow.RunAsync(new WorkMessage(stale.Id, 2), Ct);

        var row = h.Store.Row(stale.Id);
        Assert.Equal(1, h.Runner.Calls);
        Assert.Equal(SubmissionStatus.Completed, row.Status);
        Assert.Equal(Verdict.Accepted, row.Verdict);
        Assert.Equal(2, row.Attempt);
        Assert.Equal(Start + TimeSpan.FromSeconds(30), row.StartedTime);
    }

    [Fact]
    public async Task RunAsync_ExpiredLeaseWithAttemptsSpent_FailedWithoutRunnerCall()
    {
        var h = new WorkflowHarness();
        var stale = h.Seed(s => s with { Status = SubmissionStatus.Running, Attempt = 3, LeaseUntil = Start, Reason = null });
        h.Time.Advance(TimeSpan.FromSeconds(1));

        await h.Workflow.RunAsync(new WorkMessage(stale.Id, 4), Ct);

        var row = h.Store.Row(stale.Id);
        Assert.Equal(0, h.Runner.Calls);
        Assert.Equal(SubmissionStatus.Failed, row.Status);
        Assert.Equal(Verdict.InternalError, row.Verdict);
        Assert.Contains("gave up after 3 attempts", row.Reason, StringComparison.Ordinal);
        Assert.Single(h.Ended);
    }

    [Fact]
    public async Task RunAsync_RequestBlobMissing_FailedInternalError()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Store.DeleteRequest(submission.Id);

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        var row = h.Store.Row(submission.Id);
        Assert.Equal(0, h.Runner.Calls);
        Assert.Equal(SubmissionStatus.Failed, row.Status);
        Assert.Equal(Verdict.InternalError, row.Verdict);
        Assert.Contains("request is missing", row.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnknownSubmission_AcknowledgedWithoutEffect()
    {
        var h = new WorkflowHarness();

        await h.Workflow.RunAsync(new WorkMessage("0123456789abcdef0123456789abcdef", 1), Ct);

        Assert.Equal(0, h.Runner.Calls);
        Assert.Empty(h.Queues.Sent);
    }

    [Theory]
    [InlineData(SubmissionStatus.Completed)]
    [InlineData(SubmissionStatus.Failed)]
    [InlineData(SubmissionStatus.Terminated)]
    public async Task EveryEntryPoint_TerminalSubmission_NotTouched(SubmissionStatus status)
    {
        var h = new WorkflowHarness();
        var done = h.Seed(s => s with { Status = status, Attempt = 1, Verdict = status == SubmissionStatus.Terminated ? null : Verdict.Accepted, CompletedTime = Start });
        h.Time.Advance(TimeSpan.FromDays(1));

        await h.Workflow.RunAsync(new WorkMessage(done.Id, 2), Ct);
        await h.Workflow.PoisonAsync(new WorkMessage(done.Id, 2), Ct);
        await h.Workflow.ReconcileAsync(new WorkMessage(done.Id), Ct);
        var outcome = await h.Workflow.TerminateAsync(done.Id, done.Tenant, "stop", Ct);

        Assert.Equal(TerminateOutcome.AlreadyTerminal, outcome);
        Assert.Equal(done, h.Store.Row(done.Id));
        Assert.Equal(0, h.Runner.Calls);
        Assert.Empty(h.Queues.Sent);
        Assert.Empty(h.Ended);
        Assert.Empty(h.Batches.Recorded);
    }

    [Fact]
    public async Task RunAsync_TwoConcurrentDeliveries_OneRunnerCallOneEnded()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Runner.Then(async (_, ct) =>
        {
            entered.TrySetResult();
            await release.Task.WaitAsync(Guard, ct);
            return ScriptedRunner.Response(200, ResultJson());
        });
        var message = new WorkMessage(submission.Id, 1);

        var first = Task.Run(() => h.Workflow.RunAsync(message, Ct), Ct);
        var second = Task.Run(() => h.Workflow.RunAsync(message, Ct), Ct);
        await entered.Task.WaitAsync(Guard, Ct);
        var loser = await Task.WhenAny(first, second).WaitAsync(Guard, Ct);
        await loser;
        release.TrySetResult();
        await Task.WhenAll(first, second).WaitAsync(Guard, Ct);

        Assert.Equal(1, h.Runner.Calls);
        Assert.Single(h.Ended);
        Assert.Equal(SubmissionStatus.Completed, h.Store.Row(submission.Id).Status);
        Assert.Equal([(WorkQueueId.Submissions, message, Lease + TimeSpan.FromSeconds(1))], h.Queues.Sent);
    }

    [Fact]
    public async Task RunAsync_TwoWorkersInsideRunnerAfterLeaseTakeover_EndedOnce()
    {
        // Worker 1 claims and blocks in the runner; its lease runs out; worker 2 (same message,
        // redelivered) takes over and enters the runner too. Both answer 200 only once both are in.
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        var started = 0;
        var firstIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bothIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<RunnerRequest, CancellationToken, Task<RunnerResponse>> step = async (_, ct) =>
        {
            if (Interlocked.Increment(ref started) == 2)
            {
                bothIn.TrySetResult();
            }

            firstIn.TrySetResult();
            await bothIn.Task.WaitAsync(Guard, ct);
            return ScriptedRunner.Response(200, ResultJson());
        };
        h.Runner.Then(step).Then(step);
        var message = new WorkMessage(submission.Id, 1);

        var worker1 = Task.Run(() => h.Workflow.RunAsync(message, Ct), Ct);
        await firstIn.Task.WaitAsync(Guard, Ct);
        h.Time.Advance(Lease);
        var worker2 = Task.Run(() => h.Workflow.RunAsync(message, Ct), Ct);
        await Task.WhenAll(worker1, worker2).WaitAsync(Guard, Ct);

        var row = h.Store.Row(submission.Id);
        Assert.Equal(2, h.Runner.Calls);
        Assert.Equal(SubmissionStatus.Completed, row.Status);
        Assert.Equal(2, row.Attempt);
        Assert.Equal(submission.Id, Assert.Single(h.Ended).Id);
        Assert.Equal(1, h.Store.Journal.Count(e => e.EndsWith(":update:Completed:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RunAsync_BatchMemberEnds_RecordedWithIndexAndVerdict()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync(batchId: "b1", batchIndex: 2);
        h.Runner.Answer(200, ResultJson("TLE", 1, 4));

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        var (batchId, item) = Assert.Single(h.Batches.Recorded);
        Assert.Equal("b1", batchId);
        Assert.Equal(new BatchItem(2, submission.Id, SubmissionStatus.Completed, Verdict.TimeLimitExceeded), item);
        Assert.Equal((batchId, item), Assert.Single(h.Batches.RecordedLater)); // the winner's record is written behind
    }

    [Fact]
    public async Task RunAsync_BatchMemberRefused_RecordedFailed()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync(batchId: "b1", batchIndex: 0);
        h.Runner.Answer(400, """{"detail":"bad"}""");

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.Equal(("b1", new BatchItem(0, submission.Id, SubmissionStatus.Failed, Verdict.InternalError)), Assert.Single(h.Batches.Recorded));
    }

    [Fact]
    public async Task RunAsync_SingleEnds_NoBatchRecord()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Answer(200, ResultJson());

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.Equal(SubmissionStatus.Completed, h.Store.Row(submission.Id).Status);
        Assert.Empty(h.Batches.Recorded);
    }
}
