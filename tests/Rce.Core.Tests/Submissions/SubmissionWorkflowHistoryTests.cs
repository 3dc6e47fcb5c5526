using Rce.Core.Runners;
using Rce.Core.Submissions;
using static Rce.Core.Tests.Submissions.WorkflowHarness;

namespace Rce.Core.Tests.Submissions;

/// <summary>
/// When the history rows are written: a run's start rows go with its end when the run is quick (one
/// storage write instead of two), on their own after <see cref="WorkflowOptions.StartHistoryDelayMs"/>
/// when it is not, and always before the step ends; a submission that never ran gets ExecutionStarted
/// with its end.
/// </summary>
public sealed class SubmissionWorkflowHistoryTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private static WorkflowHarness Harness(int startHistoryDelayMs) => new(new WorkflowOptions
    {
        MaxAttempts = 3,
        RetryBaseDelayMs = 1_000,
        RetryMaxDelayMs = 10_000,
        LeaseMarginMs = 5_000,
        ReconcileDelayMs = 60_000,
        DeadlineMs = 600_000,
        MaxConcurrentRuns = 4,
        RunnerTimeoutMarginMs = 1_000,
        RunnerSlots = 1,
        StartHistoryDelayMs = startHistoryDelayMs,
    });

    [Fact]
    public async Task QuickRun_StartAndEndRowsInOneWrite_InOrder()
    {
        var h = Harness(startHistoryDelayMs: 60_000);
        var submission = await h.AcceptedAsync();
        h.Runner.Answer(200, ResultJson());

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.Equal(["ExecutionStarted", "TaskScheduled", "TaskCompleted", "ExecutionCompleted"], h.Store.HistoryTypes(submission.Id));
        Assert.Equal(1, h.Store.HistoryBatches);
        var history = await h.Store.ReadHistoryAsync(submission.Id, Ct);
        Assert.Equal(submission.CreatedTime, history[0].Timestamp); // the creation, not the time of the write
    }

    [Fact]
    public async Task SlowRun_StartRowsWrittenWhileTheRunnerWorks()
    {
        var h = Harness(startHistoryDelayMs: 50);
        var submission = await h.AcceptedAsync();
        IReadOnlyList<string>? seenDuringRun = null;
        h.Runner.Then(async (_, ct) =>
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (h.Store.HistoryTypes(submission.Id).Count < 2 && waited.Elapsed < Guard)
            {
                await Task.Delay(10, ct);
            }

            seenDuringRun = h.Store.HistoryTypes(submission.Id);
            return ScriptedRunner.Response(200, ResultJson());
        });

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.Equal(["ExecutionStarted", "TaskScheduled"], seenDuringRun);
        Assert.Equal(["ExecutionStarted", "TaskScheduled", "TaskCompleted", "ExecutionCompleted"], h.Store.HistoryTypes(submission.Id));
        Assert.Equal(2, h.Store.HistoryBatches);
    }

    [Fact]
    public async Task ZeroDelay_StartRowsWrittenAtOnce()
    {
        var h = Harness(startHistoryDelayMs: 0);
        var submission = await h.AcceptedAsync();
        IReadOnlyList<string>? seenDuringRun = null;
        h.Runner.Then(async (_, ct) =>
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (h.Store.HistoryTypes(submission.Id).Count < 2 && waited.Elapsed < Guard)
            {
                await Task.Delay(5, ct);
            }

            seenDuringRun = h.Store.HistoryTypes(submission.Id);
            return ScriptedRunner.Response(200, ResultJson());
        });

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.Equal(["ExecutionStarted", "TaskScheduled"], seenDuringRun);
    }

    [Fact]
    public async Task Retry_StartRowsGoWithTaskFailed_SecondAttemptHasNoSecondExecutionStarted()
    {
        var h = Harness(startHistoryDelayMs: 60_000);
        var submission = await h.AcceptedAsync();
        h.Runner.Unavailable().Answer(200, ResultJson());

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);
        Assert.Equal(["ExecutionStarted", "TaskScheduled", "TaskFailed"], h.Store.HistoryTypes(submission.Id));
        Assert.Equal(1, h.Store.HistoryBatches);
        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 2), Ct);

        Assert.Equal(["ExecutionStarted", "TaskScheduled", "TaskFailed", "TaskScheduled", "TaskCompleted", "ExecutionCompleted"], h.Store.HistoryTypes(submission.Id));
    }

    [Fact]
    public async Task NeverRan_TerminatedGetsExecutionStartedWithItsEnd()
    {
        var h = Harness(startHistoryDelayMs: 60_000);
        var submission = await h.AcceptedAsync();

        Assert.Equal(TerminateOutcome.Terminated, await h.Workflow.TerminateAsync(submission.Id, submission.Tenant, "stop", Ct));

        var types = h.Store.HistoryTypes(submission.Id);
        Assert.Equal("ExecutionStarted", types[0]);
        Assert.Equal("ExecutionTerminated", types[^1]);
        Assert.Equal(1, h.Store.HistoryBatches);
    }

    [Fact]
    public async Task StepEndsWithoutAnEndWrite_StartRowsStillWrittenBeforeIt()
    {
        // The runner call is abandoned (a stop cancels it) and the step ends without an end write:
        // the start rows must not be lost with it.
        var h = Harness(startHistoryDelayMs: 60_000);
        var submission = await h.AcceptedAsync();
        h.Runner.Then((_, ct) => Task.FromException<RunnerResponse>(new OperationCanceledException(ct)));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct));

        Assert.Equal(["ExecutionStarted", "TaskScheduled"], h.Store.HistoryTypes(submission.Id));
    }
}
