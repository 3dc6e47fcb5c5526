using Rce.Core.Grading;
using Rce.Core.Verdicts;
using static Rce.Core.Tests.Grading.GradingData;

namespace Rce.Core.Tests.Grading;

public sealed class GraderStopTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task GradeAsync_StopOnFirstFailure_LaterTestsSkippedAndNotStarted()
    {
        var backend = new FakeGradingBackend();
        var tests = new[] { Pass("a"), Fail("b"), Pass("c"), Pass("d") };

        var report = await new Grader().GradeAsync(backend, tests, CheckerSpec.Default, new GradingOptions(StopOnFirstFailure: true), 1, Ct);

        Assert.Equal([Verdict.Accepted, Verdict.WrongAnswer, Verdict.Skipped, Verdict.Skipped], report.Tests.Select(t => t.Verdict));
        Assert.Equal(["a", "b"], backend.Started);
        Assert.Equal((Verdict.WrongAnswer, 1.0, 4.0), (report.Verdict, report.Score, report.MaxScore));
    }
    [Fact]
    public async Task GradeAsync_StopOnFirstFailure_LaterTestThatAlreadyPassedIsStillSkipped()
    {
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var backend = new FakeGradingBackend
        {
            OnRun = async (t, ct) =>
            {
                if (t.Id == "slow-fail")
                {
                    await releaseFirst.Task.WaitAsync(ct);
                    return FakeGradingBackend.Echo(t, Verdict.TimeLimitExceeded);
                }

                secondDone.TrySetResult();
                return FakeGradingBackend.Echo(t);
            },
        };
        var tests = new[] { Pass("slow-fail"), Pass("fast") };
        var grading = new Grader().GradeAsync(backend, tests, CheckerSpec.Default, new GradingOptions(StopOnFirstFailure: true), 2, Ct);
        await secondDone.Task.WaitAsync(Guard, Ct);

        releaseFirst.SetResult();
        var report = await grading.WaitAsync(Guard, Ct);

        Assert.Contains("fast", backend.Started);
        Assert.Equal([Verdict.TimeLimitExceeded, Verdict.Skipped], report.Tests.Select(t => t.Verdict));
        Assert.Null(report.Tests[1].Run);
        Assert.Equal(0, report.Score);
    }
    [Fact]
    public async Task GradeAsync_StopOnFirstFailure_LaterTestInFlightIsCancelledAndSkipped()
    {
        var laterStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var laterCancelled = false;
        var backend = new FakeGradingBackend
        {
            OnRun = async (t, ct) =>
            {
                if (t.Id == "fail")
                {
                    await laterStarted.Task.WaitAsync(ct);
                    return FakeGradingBackend.Echo(t, Verdict.RuntimeError);
                }

                laterStarted.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    laterCancelled = true;
                    throw;
                }

                return FakeGradingBackend.Echo(t);
            },
        };
        var tests = new[] { Pass("fail"), Pass("hangs"), Pass("never") };

        var report = await new Grader().GradeAsync(backend, tests, CheckerSpec.Default, new GradingOptions(StopOnFirstFailure: true), 2, Ct).WaitAsync(Guard, Ct);

        Assert.True(laterCancelled);
        Assert.Equal([Verdict.RuntimeError, Verdict.Skipped, Verdict.Skipped], report.Tests.Select(t => t.Verdict));
        Assert.DoesNotContain("never", backend.Started);
        Assert.Equal(Verdict.RuntimeError, report.Verdict);
    }
    [Fact]
    public async Task GradeAsync_StopOnFirstFailurePartialPoints_NotAFailure()
    {
        var backend = new FakeGradingBackend
        {
            OnCheck = (t, _, _) => Task.FromResult(new CheckResult(Verdict.Accepted, t.Points / 2, null)),
        };
        var tests = new[] { Pass("a", 2), Pass("b", 2) };

        var report = await new Grader().GradeAsync(backend, tests, new CheckerSpec(CheckerKind.Custom, Language: "c", Source: "x"), new GradingOptions(StopOnFirstFailure: true), 1, Ct);

        Assert.Equal([Verdict.Accepted, Verdict.Accepted], report.Tests.Select(t => t.Verdict));
        Assert.Equal((Verdict.Accepted, 2.0, 4.0), (report.Verdict, report.Score, report.MaxScore));
    }
}
