using Rce.Core.Grading;
using Rce.Core.Verdicts;
using static Rce.Core.Tests.Grading.GradingData;

namespace Rce.Core.Tests.Grading;

public sealed class GraderTests
{
    private static Task<GradeReport> Grade(FakeGradingBackend backend, IReadOnlyList<TestCase> tests, CheckerSpec? checker = null, int parallelism = 4) =>
        new Grader().GradeAsync(backend, tests, checker ?? CheckerSpec.Default, new GradingOptions(), parallelism, Ct);
    [Fact]
    public async Task GradeAsync_AllPass_AcceptedWithFullScoreInOrder()
    {
        var backend = new FakeGradingBackend();
        var report = await Grade(backend, [Pass("a", 2), Pass("b", 3), Pass("c")]);

        Assert.Equal(Verdict.Accepted, report.Verdict);
        Assert.Equal(["a", "b", "c"], report.Tests.Select(t => t.Id));
        Assert.Equal(6, report.Score);
        Assert.Equal(6, report.MaxScore);
        Assert.Equal(1, backend.CompileCalls);
    }
    [Theory]
    [InlineData(Verdict.CompileError, Verdict.CompileError)]
    [InlineData(Verdict.TimeLimitExceeded, Verdict.CompileError)]
    [InlineData(Verdict.InternalError, Verdict.InternalError)]
    public async Task GradeAsync_CompileFails_AllSkippedNothingRuns(Verdict compile, Verdict overall)
    {
        var backend = new FakeGradingBackend { CompileResult = new CompileStep(compile, null) };
        var report = await Grade(backend, [Pass("a", 2), Pass("b", 3)]);

        Assert.Equal(overall, report.Verdict);
        Assert.All(report.Tests, t => Assert.Equal((Verdict.Skipped, 0.0, false), (t.Verdict, t.Points, t.Run is not null)));
        Assert.Equal(0, report.Score);
        Assert.Equal(5, report.MaxScore);
        Assert.Empty(backend.Started);
    }
    [Fact]
    public async Task GradeAsync_NoExpectedOutput_CleanRunIsAcceptedFailedRunKeepsVerdict()
    {
        var backend = new FakeGradingBackend
        {
            OnRun = (t, _) => Task.FromResult(FakeGradingBackend.Echo(t, t.Id == "re" ? Verdict.RuntimeError : Verdict.Accepted)),
        };
        var report = await Grade(backend, [Case("ok", "anything", expected: null, points: 2), Case("re", "x", expected: null)]);

        Assert.Equal((Verdict.Accepted, 2.0), (report.Tests[0].Verdict, report.Tests[0].Points));
        Assert.Equal((Verdict.RuntimeError, 0.0), (report.Tests[1].Verdict, report.Tests[1].Points));
        Assert.Equal(Verdict.RuntimeError, report.Verdict);
    }
    [Fact]
    public async Task GradeAsync_RunFails_VerdictKeptAndNotChecked()
    {
        var backend = new FakeGradingBackend
        {
            OnRun = (t, _) => Task.FromResult(FakeGradingBackend.Echo(t, Verdict.TimeLimitExceeded)),
            OnCheck = (_, _, _) => Task.FromResult(new CheckResult(Verdict.Accepted, 1, null)),
        };
        var report = await Grade(backend, [Pass("a")], new CheckerSpec(CheckerKind.Custom, Language: "cpp", Source: "x"));

        var test = Assert.Single(report.Tests);
        Assert.Equal((Verdict.TimeLimitExceeded, 0.0), (test.Verdict, test.Points));
        Assert.NotNull(test.Run);
        Assert.Empty(backend.Checked);
    }
    [Fact]
    public async Task GradeAsync_BuiltInCheckerRejects_WrongAnswerWithMessage()
    {
        var report = await Grade(new FakeGradingBackend(), [Case("a", "1\n2\n", "1\n3\n")]);

        var test = Assert.Single(report.Tests);
        Assert.Equal((Verdict.WrongAnswer, 0.0, "line 2 differs"), (test.Verdict, test.Points, test.CheckerMessage));
        Assert.Equal(Verdict.WrongAnswer, report.Verdict);
    }
    [Fact]
    public async Task GradeAsync_CustomChecker_DelegatesWithProgramOutputAndKeepsPartialPoints()
    {
        var backend = new FakeGradingBackend
        {
            OnCheck = (_, _, _) => Task.FromResult(new CheckResult(Verdict.Accepted, 1.5, "half")),
        };
        var report = await Grade(backend, [Case("a", "42", "41", points: 3)], new CheckerSpec(CheckerKind.Custom, Language: "cpp", Source: "x"));

        var (id, output) = Assert.Single(backend.Checked);
        Assert.Equal("a", id);
        Assert.Equal("42"u8.ToArray(), output);
        var test = Assert.Single(report.Tests);
        Assert.Equal((Verdict.Accepted, 1.5, 3.0, "half"), (test.Verdict, test.Points, test.MaxPoints, test.CheckerMessage));
        Assert.Equal((Verdict.Accepted, 1.5, 3.0), (report.Verdict, report.Score, report.MaxScore));
    }
    [Fact]
    public async Task GradeAsync_ParallelismBelowOne_Throws() =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Grade(new FakeGradingBackend(), [Pass("a")], parallelism: 0));
}
