using Rce.Core.Execution;
using Rce.Core.Verdicts;

namespace Rce.Core.Grading;

/// <summary>One test case.</summary>
/// <param name="Id">Caller's id, unique within a submission.</param>
/// <param name="Input">Bytes fed to stdin.</param>
/// <param name="ExpectedOutput">Expected answer; null means "AC if it exits 0 within its limits".</param>
/// <param name="Points">Points for this test (default 1).</param>
/// <param name="Batch">Batch name: a batch is scored all-or-nothing, and is skipped after its first failure.</param>
public sealed record TestCase(string Id, ReadOnlyMemory<byte> Input, ReadOnlyMemory<byte>? ExpectedOutput, double Points = 1, string? Batch = null);

/// <summary>Grading switches.</summary>
/// <param name="StopOnFirstFailure">After the first failing test (in order), every later test is SK.</param>
/// <param name="BatchesAllOrNothing">A batch scores its points only if all its tests are AC.</param>
public sealed record GradingOptions(bool StopOnFirstFailure = false, bool BatchesAllOrNothing = true);

/// <summary>What a checker decided.</summary>
/// <param name="Verdict">AC, WA or IE (checker failure).</param>
/// <param name="Points">Points awarded, between 0 and the test's points.</param>
/// <param name="Message">Checker message (for custom checkers: the first 64 KiB of its stdout).</param>
public sealed record CheckResult(Verdict Verdict, double Points, string? Message);

/// <summary>The compile step as the grader sees it.</summary>
/// <param name="Verdict">AC (compiled), CE, or TLE/MLE/OLE (compiler hit its limits), or IE.</param>
/// <param name="Report">The compiler's outputs and measurements; null for interpreted languages.</param>
/// <param name="CacheHit">Whether the artefact came from the compile cache.</param>
public sealed record CompileStep(Verdict Verdict, ProcessReport? Report, bool CacheHit = false)
{
    /// <summary>Whether tests may run.</summary>
    public bool Succeeded => Verdict == Verdict.Accepted;
}

/// <summary>One test's result.</summary>
/// <param name="Id">The test's id.</param>
/// <param name="Verdict">Its verdict (SK when not run).</param>
/// <param name="Run">Outputs and measurements; null when not run.</param>
/// <param name="Points">Points awarded.</param>
/// <param name="MaxPoints">The test's points.</param>
/// <param name="CheckerMessage">The checker's message, if any.</param>
public sealed record TestReport(string Id, Verdict Verdict, ProcessReport? Run, double Points, double MaxPoints, string? CheckerMessage);

/// <summary>The graded submission.</summary>
/// <param name="Verdict">Overall verdict by the precedence rule.</param>
/// <param name="Compile">The compile step.</param>
/// <param name="Tests">Per-test results, in the order of the request.</param>
/// <param name="Score">Sum of awarded points.</param>
/// <param name="MaxScore">Sum of all tests' points.</param>
public sealed record GradeReport(Verdict Verdict, CompileStep Compile, IReadOnlyList<TestReport> Tests, double Score, double MaxScore);

/// <summary>
/// What the grader drives: compile once, run one test, run the custom checker. Implemented over
/// the sandbox (Rce.Sandbox) and by fakes in unit tests.
/// </summary>
public interface IGradingBackend
{
    /// <summary>Compiles the program once (or does nothing for interpreted languages: AC, no report).</summary>
    Task<CompileStep> CompileAsync(CancellationToken cancellationToken = default);

    /// <summary>Runs the compiled program on one test's input in a fresh box.</summary>
    /// <returns>AC (exited 0 within limits), RE, TLE, MLE, OLE or IE, with the report.</returns>
    Task<(Verdict Verdict, ProcessReport Report)> RunAsync(TestCase test, CancellationToken cancellationToken = default);

    /// <summary>Runs the sandboxed custom checker as <c>checker INPUT OUTPUT ANSWER</c> and maps its result (testlib).</summary>
    Task<CheckResult> CheckCustomAsync(TestCase test, ReadOnlyMemory<byte> output, CancellationToken cancellationToken = default);
}
