using Rce.Core.Runners;
using Rce.Core.Submissions;
using static Rce.Core.Tests.Submissions.WorkflowHarness;

namespace Rce.Core.Tests.Submissions;

/// <summary>
/// A waited-for submission run before it is stored: one insert when it ends in time; stored Running
/// (reconcile first) when it runs long, must be retried or is stopped; nothing started without a
/// free worker or runner place.
/// </summary>
public sealed class SubmissionWorkflowSyncRunTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EndsInTime_StoredOnce_Terminal_NoMessages()
    {
        var h = new WorkflowHarness();
        h.Queues.LocalWorkers = true;
        h.Runner.Answer(200, ResultJson("AC", 4, 4));
        var submission = h.New();
        var signal = h.Signals.WhenSignalled(submission.Id);

        var answer = await h.Workflow.TryRunNowAsync(submission, RequestBody, Bound, Ct);
        Assert.Empty(await h.Queues.LocalRunFailuresAsync());

        Assert.NotNull(answer);
        Assert.Equal(SubmissionStatus.Completed, answer.Status);
        Assert.NotNull(answer.ETag);
        Assert.Equal([$"{submission.Id}:result", $"{submission.Id}:create"], h.Store.Journal); // no claim, no end update
        Assert.Empty(h.Queues.Sent); // no run message, no reconcile check: nothing was stored before the end
        var row = h.Store.Row(submission.Id);
        Assert.Equal(SubmissionStatus.Completed, row.Status);
        Assert.Equal(1, row.Attempt);
        Assert.True(row.HasResult);
        Assert.Equal(4, row.Score);
        Assert.Equal(["ExecutionStarted", "TaskScheduled", "TaskCompleted", "ExecutionCompleted"], row.History.Events.Select(e => e.EventType));
        Assert.Equal(RequestBody, await h.Store.ReadRequestAsync(submission.Id, Ct)); // restart and callbacks need it
        Assert.Equal(submission.Id, Assert.Single(h.Ended).Id);
        Assert.Equal(SubmissionStatus.Completed, (await signal)!.Status);
        Assert.Equal(1, h.Runner.Calls);
        Assert.Equal(0, h.Gate.Busy); // the runner place was given back
    }

    [Fact]
    public async Task NoFreeWorker_NothingStarted_Null()
    {
        var h = new WorkflowHarness();
        h.Queues.LocalWorkers = false;

        Assert.Null(await h.Workflow.TryRunNowAsync(h.New(), RequestBody, Bound, Ct));
        Assert.Empty(h.Store.Journal);
        Assert.Empty(h.Queues.Sent);
        Assert.Equal(0, h.Runner.Calls);
    }

    [Fact]
    public async Task NoRunnerPlace_NothingStarted_Null()
    {
        var h = new WorkflowHarness(new WorkflowOptions { MaxConcurrentRuns = 1 });
        h.Queues.LocalWorkers = true;
        using var taken = h.Gate.TryEnter(SubmissionPriority.Normal);

        Assert.Null(await h.Workflow.TryRunNowAsync(h.New(), RequestBody, Bound, Ct));
        Assert.Empty(h.Queues.LocalRuns);
        Assert.Equal(0, h.Runner.Calls);
    }

    [Fact]
    public async Task BatchMember_Or_Disabled_Null()
    {
        var h = new WorkflowHarness();
        h.Queues.LocalWorkers = true;
        Assert.Null(await h.Workflow.TryRunNowAsync(h.New(batchId: "b1", batchIndex: 0), RequestBody, Bound, Ct));

        var off = new WorkflowHarness(new WorkflowOptions { SyncStoreAfterMs = 0 });
        off.Queues.LocalWorkers = true;
        Assert.Null(await off.Workflow.TryRunNowAsync(off.New(), RequestBody, Bound, Ct));
        Assert.Empty(h.Queues.LocalRuns);
        Assert.Empty(off.Queues.LocalRuns);
    }

    [Fact]
    public async Task StillRunningAtStoreTime_StoredRunningWithReconcileFirst_ThenEndsByUpdate()
    {
        var h = new WorkflowHarness(new WorkflowOptions { SyncStoreAfterMs = 50, ReconcileDelayMs = 60_000, LeaseMarginMs = 5_000, RunnerTimeoutMarginMs = 1_000 });
        h.Queues.LocalWorkers = true;
        var release = new TaskCompletionSource();
        h.Runner.Then(async (_, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return ScriptedRunner.Response(200, ResultJson());
        });
        var submission = h.New();

        var answer = await h.Workflow.TryRunNowAsync(submission, RequestBody, Bound, Ct);

        Assert.NotNull(answer);
        Assert.Equal(SubmissionStatus.Running, answer.Status);
        Assert.Equal(1, answer.Attempt);
        Assert.Equal(Start + Lease, answer.LeaseUntil);
        Assert.Equal([(WorkQueueId.Reconcile, new WorkMessage(submission.Id), h.ReconcileDelay)], h.Queues.Sent); // the recovery from now on
        Assert.Equal([$"{submission.Id}:create"], h.Store.Journal);

        release.SetResult();
        Assert.Empty(await h.Queues.LocalRunFailuresAsync());
        Assert.Equal([$"{submission.Id}:create", $"{submission.Id}:result", $"{submission.Id}:update:Completed:"], h.Store.Journal);
        Assert.Equal(SubmissionStatus.Completed, h.Store.Row(submission.Id).Status);
        Assert.Null(h.Store.Row(submission.Id).LeaseOwner);
        Assert.Empty(h.Queues.Runs);
    }

    [Fact]
    public async Task AShortWaitBound_StoresByTheBound()
    {
        var h = new WorkflowHarness();
        h.Queues.LocalWorkers = true;
        var release = new TaskCompletionSource();
        h.Runner.Then(async (_, ct) =>
        {
            await release.Task.WaitAsync(ct);
            return ScriptedRunner.Response(200, ResultJson());
        });

        var answer = await h.Workflow.TryRunNowAsync(h.New(), RequestBody, TimeSpan.FromMilliseconds(50), Ct); // under the 2 s default

        Assert.Equal(SubmissionStatus.Running, answer!.Status);
        release.SetResult();
        Assert.Empty(await h.Queues.LocalRunFailuresAsync());
        Assert.Equal(SubmissionStatus.Completed, h.Store.Row(answer.Id).Status);
    }

    [Fact]
    public async Task RunnerUnavailable_StoredThenRetriedByMessage()
    {
        var h = new WorkflowHarness();
        h.Queues.LocalWorkers = true;
        h.Runner.Unavailable();
        var submission = h.New();

        var answer = await h.Workflow.TryRunNowAsync(submission, RequestBody, Bound, Ct);
        Assert.Empty(await h.Queues.LocalRunFailuresAsync());

        Assert.Equal(SubmissionStatus.Running, answer!.Status); // as stored, before the retry's write
        var row = h.Store.Row(submission.Id);
        Assert.Equal(SubmissionStatus.Queued, row.Status);
        Assert.Equal(1, row.Attempt);
        Assert.Contains("connection refused", row.Reason, StringComparison.Ordinal);
        Assert.Equal(WorkQueueId.Reconcile, h.Queues.Sent[0].Queue); // armed before the row
        var retry = Assert.Single(h.Queues.Runs);
        Assert.Equal(new WorkMessage(submission.Id, 2), retry.Message);
        Assert.True(retry.Delay > TimeSpan.Zero);
    }

    [Fact]
    public async Task RunnerRefuses_StoredThenFailedWithIE()
    {
        var h = new WorkflowHarness();
        h.Queues.LocalWorkers = true;
        h.Runner.Answer(400, """{"title":"bad"}""");
        var submission = h.New();

        var answer = await h.Workflow.TryRunNowAsync(submission, RequestBody, Bound, Ct);
        Assert.Empty(await h.Queues.LocalRunFailuresAsync());

        Assert.Equal(SubmissionStatus.Running, answer!.Status);
        var row = h.Store.Row(submission.Id);
        Assert.Equal(SubmissionStatus.Failed, row.Status);
        Assert.Equal(Rce.Core.Verdicts.Verdict.InternalError, row.Verdict);
        Assert.Equal([$"{submission.Id}:create", $"{submission.Id}:update:Failed:"], h.Store.Journal);
    }

    [Fact]
    public async Task WithACallback_ReconcileArmedBeforeTheTerminalInsert()
    {
        var h = new WorkflowHarness();
        h.Queues.LocalWorkers = true;
        h.Runner.Answer(200, ResultJson());
        var submission = h.New(callbackUrl: CallbackUrl);
        var checksAtInsert = -1;
        h.Store.BeforeNextCreate(_ => checksAtInsert = h.Queues.Reconciles.Count);

        var answer = await h.Workflow.TryRunNowAsync(submission, RequestBody, Bound, Ct);
        Assert.Empty(await h.Queues.LocalRunFailuresAsync());

        Assert.True(answer!.CallbackPending);
        Assert.Equal(1, checksAtInsert); // the check that watches the callback existed before the row
        Assert.Equal([(WorkQueueId.Reconcile, new WorkMessage(submission.Id), h.ReconcileDelay)], h.Queues.Reconciles);
        Assert.True(h.Store.Row(submission.Id).CallbackPending);
    }

    [Fact]
    public async Task StoppedBeforeStored_AcceptedAsAnySubmission_WaiterGetsThatRow()
    {
        var h = new WorkflowHarness();
        h.Queues.LocalWorkers = true;
        h.Runner.Then((_, _) =>
        {
            h.Queues.LocalWorkers = false; // a stopping process lends no worker
            return Task.FromException<RunnerResponse>(new OperationCanceledException("stopping"));
        });
        var submission = h.New();

        var answer = await h.Workflow.TryRunNowAsync(submission, RequestBody, Bound, Ct);

        Assert.Equal(SubmissionStatus.Queued, answer!.Status);
        Assert.IsType<OperationCanceledException>(Assert.Single(await h.Queues.LocalRunFailuresAsync())); // logged by its worker
        Assert.Equal([$"{submission.Id}:create"], h.Store.Journal);
        Assert.Equal([(WorkQueueId.Reconcile, new WorkMessage(submission.Id), h.ReconcileDelay)], h.Queues.Reconciles);
        Assert.Equal([(WorkQueueId.Submissions, new WorkMessage(submission.Id, 1), TimeSpan.Zero)], h.Queues.Runs); // runs elsewhere or later
        Assert.Equal(["ExecutionStarted"], h.Store.Row(submission.Id).History.Events.Select(e => e.EventType));
    }

    [Fact]
    public async Task AnotherRowStoredFirst_ItIsTheAnswer_ThisRunsOutcomeDropped()
    {
        var h = new WorkflowHarness();
        h.Queues.LocalWorkers = true;
        var submission = h.New();
        h.Runner.Then((_, _) =>
        {
            // An idempotent replay of the same request stored its row meanwhile.
            h.Store.Seed(submission with { Status = SubmissionStatus.Queued }, RequestBody);
            return Task.FromResult(ScriptedRunner.Response(200, ResultJson()));
        });

        var answer = await h.Workflow.TryRunNowAsync(submission, RequestBody, Bound, Ct);
        Assert.Empty(await h.Queues.LocalRunFailuresAsync());

        Assert.Equal(SubmissionStatus.Queued, answer!.Status);
        Assert.Equal(SubmissionStatus.Queued, h.Store.Row(submission.Id).Status);
        Assert.Empty(h.Ended);
    }
}
