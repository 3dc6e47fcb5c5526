namespace Rce.Core.Verdicts;

/// <summary>
/// The closed vocabulary of outcomes for one test (and, combined, for a submission).
/// </summary>
/// <remarks>
/// The numeric values are part of the public contract (stored, and mapped by compatibility APIs);
/// they never change and new members only ever get new numbers. "Queued" and "Running" are
/// statuses of a submission, never verdicts.
/// </remarks>
public enum Verdict
{
    /// <summary>AC: the program ran within its limits and its output was accepted.</summary>
    Accepted = 1,

    /// <summary>WA: the program ran within its limits but its output was rejected.</summary>
    WrongAnswer = 2,

    /// <summary>TLE: CPU time or wall time exceeded.</summary>
    TimeLimitExceeded = 3,

    /// <summary>MLE: the memory limit was hit (OOM kill or the runtime's own out-of-memory).</summary>
    MemoryLimitExceeded = 4,

    /// <summary>OLE: stdout or stderr exceeded its cap.</summary>
    OutputLimitExceeded = 5,

    /// <summary>RE: non-zero exit, killed by a signal, or (interpreted languages) a syntax error.</summary>
    RuntimeError = 6,

    /// <summary>CE: compilation failed; no test runs.</summary>
    CompileError = 7,

    /// <summary>IE: our failure (sandbox or infrastructure), never the program's; retryable.</summary>
    InternalError = 8,

    /// <summary>SK: not run (skipped after a failure, or inside a failed batch).</summary>
    Skipped = 9,
}
