using Rce.Core.Runners;
using Rce.Core.Submissions;
using static Rce.Core.Tests.Submissions.WorkflowHarness;

namespace Rce.Core.Tests.Submissions;

/// <summary>
/// The history of a submission's own transitions is stored with them, in the row's compare-and-set
/// writes (<see cref="HistoryLog"/>): no history write of its own, and never an event of a
/// transition that lost its race.
/// </summary>
public sealed class SubmissionWorkflowHistoryTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Accept_RowCarriesExecutionStartedAtTheCreationTime()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();

        var started = Assert.Single(h.Store.Row(submission.Id).History.Events);
        Assert.Equal("ExecutionStarted", started.EventType);
        Assert.Equal(submission.CreatedTime, started.Timestamp);
        Assert.Empty(h.Store.TableHistoryTypes(submission.Id));
    }

    [Fact]
    public async Task Run_EveryEventRidesOnTheRowWrites_NoHistoryTableWrite()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Answer(200, ResultJson());

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.Equal(["ExecutionStarted", "TaskScheduled", "TaskCompleted", "ExecutionCompleted"], h.Store.HistoryTypes(submission.Id));
        Assert.Equal("attempt 1", h.Store.Row(submission.Id).History.Events[1].Detail);
        Assert.Empty(h.Store.TableHistoryTypes(submission.Id));
        Assert.Equal(0, h.Store.HistoryBatches);
    }

    [Fact]
    public async Task Claim_StoresTaskScheduledWithTheClaim()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        IReadOnlyList<string>? storedDuringRun = null;
        h.Runner.Then((_, _) =>
        {
            storedDuringRun = h.Store.HistoryTypes(submission.Id);
            return Task.FromResult(ScriptedRunner.Response(200, ResultJson()));
        });

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);

        Assert.Equal(["ExecutionStarted", "TaskScheduled"], storedDuringRun);
    }

    [Fact]
    public async Task Retry_TaskFailedStoredWithTheQueuedTransition()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Unavailable("connection refused").Answer(200, ResultJson());

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct);
        var afterFirst = h.Store.Row(submission.Id);
        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 2), Ct);

        Assert.Equal(SubmissionStatus.Queued, afterFirst.Status);
        Assert.Equal("TaskFailed", afterFirst.History.Events[^1].EventType);
        Assert.Equal("connection refused", afterFirst.History.Events[^1].Detail);
        Assert.Equal(["ExecutionStarted", "TaskScheduled", "TaskFailed", "TaskScheduled", "TaskCompleted", "ExecutionCompleted"], h.Store.HistoryTypes(submission.Id));
        Assert.Equal("attempt 2", h.Store.Row(submission.Id).History.Events[3].Detail);
    }

    [Fact]
    public async Task Terminate_NeverRan_OneExecutionTerminatedWithTheReason()
    {
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();

        await h.Workflow.TerminateAsync(submission.Id, submission.Tenant, "teacher stopped it", Ct);

        var events = h.Store.Row(submission.Id).History.Events;
        Assert.Equal(["ExecutionStarted", "ExecutionTerminated"], events.Select(e => e.EventType));
        Assert.Equal("teacher stopped it", events[1].Detail);
    }

    [Fact]
    public async Task EndLosesItsRace_ItsEventsAreNotRecorded()
    {
        // Terminated while the runner works: the runner's answer comes too late, and its
        // TaskCompleted must not appear in a history that ends with ExecutionTerminated.
        var h = new WorkflowHarness();
        var submission = await h.AcceptedAsync();
        h.Runner.Then(async (_, ct) =>
        {
            await h.Workflow.TerminateAsync(submission.Id, submission.Tenant, "stop", ct);
            return ScriptedRunner.Response(200, ResultJson());
        });

        await h.Workflow.RunAsync(new WorkMessage(submission.Id, 1), Ct).WaitAsync(Guard, Ct);

        Assert.Equal(["ExecutionStarted", "TaskScheduled", "ExecutionTerminated"], h.Store.HistoryTypes(submission.Id));
        Assert.Equal(SubmissionStatus.Terminated, h.Store.Row(submission.Id).Status);
    }
}
