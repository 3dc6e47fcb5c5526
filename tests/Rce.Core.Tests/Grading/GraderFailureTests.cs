using Rce.Core.Grading;
using Rce.Core.Verdicts;
using static Rce.Core.Tests.Grading.GradingData;

namespace Rce.Core.Tests.Grading;

public sealed class GraderFailureTests
{
    private static Task<GradeReport> Grade(FakeGradingBackend backend, IReadOnlyList<TestCase> tests, CheckerSpec? checker = null) =>
        new Grader().GradeAsync(backend, tests, checker ?? CheckerSpec.Default, new GradingOptions(), 4, Ct);

    [Fact]
    public async Task GradeAsync_CompileThrows_InternalErrorWithReason()
    {
        var backend = new FakeGradingBackend { CompileFailure = new InvalidOperationException("no slot") };
        var report = await Grade(backend, [Pass("a")]);

        Assert.Equal(Verdict.InternalError, report.Verdict);
        Assert.Equal("no slot", report.Compile.Report?.FailureDetail);
        Assert.Equal(Verdict.Skipped, Assert.Single(report.Tests).Verdict);
    }
    [Fact]
    public async Task GradeAsync_BackendThrowsForOneTest_ThatTestIsInternalError()
    {
        var backend = new FakeGradingBackend
        {
            OnRun = (t, _) => t.Id == "boom" ? throw new InvalidOperationException("box lost") : Task.FromResult(FakeGradingBackend.Echo(t)),
        };
        var report = await Grade(backend, [Pass("a"), Pass("boom"), Pass("c")]);

        Assert.Equal([Verdict.Accepted, Verdict.InternalError, Verdict.Accepted], report.Tests.Select(t => t.Verdict));
        Assert.Equal("box lost", report.Tests[1].CheckerMessage);
        Assert.Equal(Verdict.InternalError, report.Verdict);
        Assert.Equal(2, report.Score);
    }
    [Fact]
    public async Task GradeAsync_CustomCheckerThrows_InternalErrorKeepsRun()
    {
        var backend = new FakeGradingBackend { OnCheck = (_, _, _) => throw new InvalidOperationException("checker box lost") };
        var report = await Grade(backend, [Pass("a")], new CheckerSpec(CheckerKind.Custom, Language: "cpp", Source: "x"));

        var test = Assert.Single(report.Tests);
        Assert.Equal((Verdict.InternalError, "checker box lost"), (test.Verdict, test.CheckerMessage));
        Assert.NotNull(test.Run);
    }
    [Fact]
    public async Task GradeAsync_BackendOwnCancellation_InternalErrorNotPropagated()
    {
        var backend = new FakeGradingBackend { OnRun = (_, _) => throw new TaskCanceledException("backend timeout") };
        var report = await Grade(backend, [Pass("a")]);

        Assert.Equal(Verdict.InternalError, Assert.Single(report.Tests).Verdict);
    }
    [Fact]
    public async Task GradeAsync_CallerCancels_OperationCanceledPropagates()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var backend = new FakeGradingBackend
        {
            OnRun = async (t, ct) =>
            {
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
                return FakeGradingBackend.Echo(t);
            },
        };
        var grading = new Grader().GradeAsync(backend, [Pass("a"), Pass("b"), Pass("c")], CheckerSpec.Default, new GradingOptions(), 2, cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => grading.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }
}
