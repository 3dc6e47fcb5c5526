using Rce.Core.Execution;
using Rce.Core.Verdicts;

namespace Rce.Core.Grading;

/// <summary>
/// Grades a submission: compiles once, runs the tests concurrently through an
/// <see cref="IGradingBackend"/>, checks their outputs and scores them (DMOJ's model).
/// </summary>
/// <remarks>
/// Results are deterministic whatever the completion order: skips (stop on first failure, the rest
/// of a failed batch) are decided afterwards in request order, so a later test that happened to run
/// before an earlier one failed is still reported SK. Running concurrently only saves time: tests
/// are started in request order, a test behind a known failure is not started, and one in flight is
/// cancelled.
/// </remarks>
public sealed class Grader
{
    /// <summary>Grades <paramref name="tests"/>.</summary>
    /// <param name="backend">Compiles and runs the program, and runs a custom checker.</param>
    /// <param name="tests">The tests, in the order their results are reported.</param>
    /// <param name="checker">How outputs are checked.</param>
    /// <param name="options">Stop-on-failure and batch scoring.</param>
    /// <param name="parallelism">The most tests run at once (at least 1).</param>
    /// <param name="cancellationToken">Cancels the grading; the cancellation propagates.</param>
    /// <returns>The graded submission; a backend failure for one test is that test's IE, not an exception.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "An instance API, so hosts can hold and inject a grader.")]
    public async Task<GradeReport> GradeAsync(
        IGradingBackend backend,
        IReadOnlyList<TestCase> tests,
        CheckerSpec checker,
        GradingOptions options,
        int parallelism,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(tests);
        ArgumentNullException.ThrowIfNull(checker);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);

        var maxScore = tests.Sum(static t => t.Points);
        var compile = await CompileAsync(backend, cancellationToken).ConfigureAwait(false);
        if (!compile.Succeeded)
        {
            // A compiler that hit its limits is still the program's CE; only our own failure is IE.
            var verdict = compile.Verdict == Verdict.InternalError ? Verdict.InternalError : Verdict.CompileError;
            return new GradeReport(verdict, compile, tests.Select(GradeAssembler.Skipped).ToArray(), 0, maxScore);
        }

        var raw = await RunTestsAsync(backend, tests, checker, options, parallelism, cancellationToken).ConfigureAwait(false);
        var reports = GradeAssembler.Assemble(tests, raw, options);
        var overall = VerdictPrecedence.Combine(false, reports.Select(static r => r.Verdict));
        return new GradeReport(overall, compile, reports, reports.Sum(static r => r.Points), maxScore);
    }

    private static async Task<CompileStep> CompileAsync(IGradingBackend backend, CancellationToken cancellationToken)
    {
        try
        {
            return await backend.CompileAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // The backend failing is our failure: IE, with the reason where a failed box keeps its own.
            var report = new ProcessReport
            {
                Stdout = ReadOnlyMemory<byte>.Empty,
                Stderr = ReadOnlyMemory<byte>.Empty,
                StopReason = StopReason.SandboxFailure,
                FailureDetail = ex.Message,
            };
            return new CompileStep(Verdict.InternalError, report);
        }
    }

    /// <summary>Runs the tests, at most <paramref name="parallelism"/> at once; null = not run.</summary>
    private static async Task<TestReport?[]> RunTestsAsync(
        IGradingBackend backend,
        IReadOnlyList<TestCase> tests,
        CheckerSpec checker,
        GradingOptions options,
        int parallelism,
        CancellationToken cancellationToken)
    {
        var results = new TestReport?[tests.Count];
        using var run = new GradingRun(tests, options.StopOnFirstFailure, cancellationToken);
        using var slots = new SemaphoreSlim(parallelism, parallelism);
        var started = new List<Task>(tests.Count);
        try
        {
            for (var i = 0; i < tests.Count; i++)
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);

                // Decided as late as possible: a failure seen while waiting for a slot skips this test.
                if (run.TryStart(i) is not { } testToken)
                {
                    slots.Release();
                    continue;
                }

                started.Add(RunOneAsync(i, testToken));
            }
        }
        finally
        {
            // No backend call outlives the grading, even when it is cancelled.
            await Task.WhenAll(started).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return results;

        async Task RunOneAsync(int index, CancellationToken testToken)
        {
            try
            {
                var report = await TestExecution.RunAsync(backend, tests[index], checker, testToken, cancellationToken).ConfigureAwait(false);
                results[index] = report;
                if (report is not null && report.Verdict != Verdict.Accepted)
                {
                    run.Failed(index);
                }
            }
            finally
            {
                slots.Release();
            }
        }
    }
}
