using Rce.Core.Verdicts;

namespace Rce.Core.Grading;

/// <summary>Decides skips and scores from the raw per-test results, in request order.</summary>
/// <remarks>
/// Pure and order-based, so the report does not depend on which test finished first: a test behind a
/// failure (any earlier one with stop-on-first-failure, an earlier one of its batch otherwise) is SK
/// with 0 points whether or not it ran.
/// </remarks>
internal static class GradeAssembler
{
    /// <summary>A test that was not run.</summary>
    public static TestReport Skipped(TestCase test) => new(test.Id, Verdict.Skipped, null, 0, test.Points, null);

    /// <summary>Builds the final per-test reports.</summary>
    /// <param name="tests">The tests, in request order.</param>
    /// <param name="raw">Their raw results; null for tests that were not run or were cancelled.</param>
    /// <param name="options">The grading switches.</param>
    public static TestReport[] Assemble(IReadOnlyList<TestCase> tests, IReadOnlyList<TestReport?> raw, GradingOptions options)
    {
        var reports = new TestReport[tests.Count];
        var anyFailed = false;
        var failedBatches = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tests.Count; i++)
        {
            var test = tests[i];
            var skipped = (options.StopOnFirstFailure && anyFailed) || (test.Batch is { } b && failedBatches.Contains(b));
            if (skipped)
            {
                reports[i] = Skipped(test);
                continue;
            }

            // A test is only left unrun behind a failure, so null here would be a grader bug: say so as IE.
            var report = raw[i] ?? new TestReport(test.Id, Verdict.InternalError, null, 0, test.Points, "the test was not run");
            reports[i] = report;
            if (report.Verdict != Verdict.Accepted)
            {
                anyFailed = true;
                if (test.Batch is { } batch)
                {
                    failedBatches.Add(batch);
                }
            }
        }

        if (options.BatchesAllOrNothing)
        {
            ZeroIncompleteBatches(tests, reports);
        }

        return reports;
    }

    /// <summary>A batch scores only if every test in it is AC with full points; otherwise all of it scores 0.</summary>
    private static void ZeroIncompleteBatches(IReadOnlyList<TestCase> tests, TestReport[] reports)
    {
        var incomplete = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tests.Count; i++)
        {
            if (tests[i].Batch is { } batch && !(reports[i].Verdict == Verdict.Accepted && reports[i].Points >= reports[i].MaxPoints))
            {
                incomplete.Add(batch);
            }
        }

        for (var i = 0; i < tests.Count; i++)
        {
            if (tests[i].Batch is { } batch && incomplete.Contains(batch))
            {
                reports[i] = reports[i] with { Points = 0 };
            }
        }
    }
}
