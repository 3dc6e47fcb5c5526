namespace Rce.Core.Verdicts;

/// <summary>The one rule that combines per-test verdicts into an overall verdict.</summary>
/// <remarks>
/// <c>CE</c> if compilation failed (no test runs); otherwise the first present of
/// IE &gt; TLE &gt; MLE &gt; OLE &gt; RE &gt; WA &gt; AC. <c>SK</c> never decides: a submission whose
/// tests were all skipped is decided by the tests that did run.
/// </remarks>
public static class VerdictPrecedence
{
    private static readonly Verdict[] Order =
    [
        Verdict.InternalError,
        Verdict.TimeLimitExceeded,
        Verdict.MemoryLimitExceeded,
        Verdict.OutputLimitExceeded,
        Verdict.RuntimeError,
        Verdict.WrongAnswer,
        Verdict.Accepted,
    ];

    /// <summary>Combines the verdicts of the tests of one submission.</summary>
    /// <param name="compileFailed">Whether compilation failed; if so the answer is <c>CE</c>.</param>
    /// <param name="testVerdicts">The per-test verdicts, in any order.</param>
    /// <returns>The overall verdict; <c>IE</c> when there is nothing to decide from.</returns>
    public static Verdict Combine(bool compileFailed, IEnumerable<Verdict> testVerdicts)
    {
        ArgumentNullException.ThrowIfNull(testVerdicts);
        if (compileFailed)
        {
            return Verdict.CompileError;
        }

        var present = new HashSet<Verdict>(testVerdicts);
        foreach (var verdict in Order)
        {
            if (present.Contains(verdict))
            {
                return verdict;
            }
        }

        // Only skipped tests (or none at all): nothing ran, which is never the program's fault.
        return Verdict.InternalError;
    }
}
