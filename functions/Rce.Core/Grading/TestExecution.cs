using Rce.Core.Execution;
using Rce.Core.Verdicts;

namespace Rce.Core.Grading;

/// <summary>Runs and checks one test.</summary>
internal static class TestExecution
{
    /// <summary>Runs <paramref name="test"/>, then checks its output when it ran cleanly.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="test">The test.</param>
    /// <param name="checker">The checker.</param>
    /// <param name="testToken">Cancelled by the caller or when an earlier failure makes this test irrelevant.</param>
    /// <param name="callerToken">The caller's token: its cancellation propagates.</param>
    /// <returns>The test's report; null when it was cancelled because of an earlier failure.</returns>
    public static async Task<TestReport?> RunAsync(IGradingBackend backend, TestCase test, CheckerSpec checker, CancellationToken testToken, CancellationToken callerToken)
    {
        ProcessReport? run = null;
        try
        {
            (var verdict, run) = await backend.RunAsync(test, testToken).ConfigureAwait(false);
            if (verdict is Verdict.CompileError or Verdict.Skipped || !Enum.IsDefined(verdict))
            {
                return new TestReport(test.Id, Verdict.InternalError, run, 0, test.Points, $"the backend reported {verdict} for a run");
            }

            if (verdict != Verdict.Accepted)
            {
                return new TestReport(test.Id, verdict, run, 0, test.Points, null);
            }

            if (test.ExpectedOutput is not { } expected)
            {
                // No answer to compare with: a clean exit within the limits is the whole test.
                return new TestReport(test.Id, Verdict.Accepted, run, test.Points, test.Points, null);
            }

            var check = checker.Kind == CheckerKind.Custom
                ? await backend.CheckCustomAsync(test, run.Stdout, testToken).ConfigureAwait(false)
                : OutputCheckers.Check(checker, run.Stdout.Span, expected.Span, test.Points);
            return FromCheck(test, run, check);
        }
        catch (OperationCanceledException) when (callerToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (testToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex)
        {
            // One test's backend failure is that test's IE, never the whole grading's crash.
            return new TestReport(test.Id, Verdict.InternalError, run, 0, test.Points, ex.Message);
        }
    }

    /// <summary>Turns a checker's result into the test's report, holding the checker to its contract.</summary>
    private static TestReport FromCheck(TestCase test, ProcessReport run, CheckResult? check) => check switch
    {
        null => new TestReport(test.Id, Verdict.InternalError, run, 0, test.Points, "the checker returned no result"),
        { Verdict: Verdict.Accepted, Points: var points } when double.IsNaN(points) =>
            new TestReport(test.Id, Verdict.InternalError, run, 0, test.Points, "the checker awarded NaN points"),
        { Verdict: Verdict.Accepted } => new TestReport(test.Id, Verdict.Accepted, run, Math.Clamp(check.Points, 0, test.Points), test.Points, check.Message),
        { Verdict: Verdict.WrongAnswer or Verdict.InternalError } => new TestReport(test.Id, check.Verdict, run, 0, test.Points, check.Message),
        _ => new TestReport(test.Id, Verdict.InternalError, run, 0, test.Points, $"the checker reported {check.Verdict}"),
    };
}
