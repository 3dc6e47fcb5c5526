using Rce.Core.Grading;
using Rce.Core.Verdicts;
using static Rce.Core.Tests.Grading.GradingData;

namespace Rce.Core.Tests.Grading;

public sealed class GraderBatchTests
{
    private static Task<GradeReport> Grade(FakeGradingBackend backend, IReadOnlyList<TestCase> tests, bool allOrNothing = true, int parallelism = 1, CheckerSpec? checker = null) =>
        new Grader().GradeAsync(backend, tests, checker ?? CheckerSpec.Default, new GradingOptions(BatchesAllOrNothing: allOrNothing), parallelism, Ct);

    private static TestCase[] MixedBatches() =>
    [
        Pass("a1", 1, "a"),
        Fail("a2", 1, "a"),
        Pass("single", 5),
        Pass("a3", 1, "a"),
        Pass("b1", 2, "b"),
        Pass("b2", 2, "b"),
    ];

    [Fact]
    public async Task GradeAsync_FailureInBatch_RestOfBatchSkippedAndNotStarted()
    {
        var backend = new FakeGradingBackend();
        var report = await Grade(backend, MixedBatches());

        Assert.Equal(
            [Verdict.Accepted, Verdict.WrongAnswer, Verdict.Accepted, Verdict.Skipped, Verdict.Accepted, Verdict.Accepted],
            report.Tests.Select(t => t.Verdict));
        Assert.DoesNotContain("a3", backend.Started);
        Assert.Contains("single", backend.Started);
    }

    [Fact]
    public async Task GradeAsync_AllOrNothing_FailedBatchScoresZeroKeepingVerdicts()
    {
        var report = await Grade(new FakeGradingBackend(), MixedBatches());

        Assert.Equal([0.0, 0.0, 5.0, 0.0, 2.0, 2.0], report.Tests.Select(t => t.Points));
        Assert.Equal(Verdict.Accepted, report.Tests[0].Verdict);
        Assert.Equal((9.0, 12.0), (report.Score, report.MaxScore));
        Assert.Equal(Verdict.WrongAnswer, report.Verdict);
    }

    [Fact]
    public async Task GradeAsync_NotAllOrNothing_PassedTestsInFailedBatchKeepPoints()
    {
        var report = await Grade(new FakeGradingBackend(), MixedBatches(), allOrNothing: false);

        Assert.Equal([1.0, 0.0, 5.0, 0.0, 2.0, 2.0], report.Tests.Select(t => t.Points));
        Assert.Equal(Verdict.Skipped, report.Tests[3].Verdict);
        Assert.Equal(10, report.Score);
    }

    [Fact]
    public async Task GradeAsync_AllOrNothingPartialPointsInBatch_BatchScoresZeroVerdictsStayAccepted()
    {
        var backend = new FakeGradingBackend
        {
            OnCheck = (t, _, _) => Task.FromResult(new CheckResult(Verdict.Accepted, t.Id == "p2" ? 0.5 : t.Points, null)),
        };
        TestCase[] tests = [Pass("p1", 1, "p"), Pass("p2", 1, "p"), Pass("p3", 1, "p"), Pass("q1", 1, "q")];

        var report = await Grade(backend, tests, checker: new CheckerSpec(CheckerKind.Custom, Language: "c", Source: "x"));

        Assert.All(report.Tests, t => Assert.Equal(Verdict.Accepted, t.Verdict));
        Assert.Equal([0.0, 0.0, 0.0, 1.0], report.Tests.Select(t => t.Points));
        Assert.Equal(Verdict.Accepted, report.Verdict);
    }

    [Fact]
    public async Task GradeAsync_BatchFailureRunsConcurrently_LaterBatchTestReportedSkippedEvenIfRun()
    {
        // With enough parallelism every test may start before the failure is known; the report
        // must still be the sequential one.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var backend = new FakeGradingBackend
        {
            OnRun = async (t, ct) =>
            {
                if (t.Id == "a2")
                {
                    await release.Task.WaitAsync(ct);
                }

                return FakeGradingBackend.Echo(t);
            },
        };
        var grading = Grade(backend, MixedBatches(), parallelism: 6);
        release.SetResult();
        var report = await grading.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(Verdict.Skipped, report.Tests[3].Verdict);
        Assert.Null(report.Tests[3].Run);
        Assert.Equal(9, report.Score);
    }
}
