using Rce.Core.Executions;
using System.Text;
using Rce.Core.Execution;
using Rce.Core.Grading;
using Rce.Core.Verdicts;
using Rce.Runner.Api;

namespace Rce.Runner.Execution;

/// <summary>Maps a graded submission to the API's answer, truncating outputs to the configured size.</summary>
internal static class ResponseMapper
{
    public static ExecutionResponse Map(GradeReport report, bool compiled, long outputBytes) => new(
        report.Verdict.ToCode(),
        report.Score,
        report.MaxScore,
        compiled ? Compile(report.Compile, outputBytes) : null,
        [.. report.Tests.Select(t => Test(t, outputBytes))]);

    private static CompileDto Compile(CompileStep step, long outputBytes) => new(
        step.Verdict.ToCode(),
        Text(step.Report?.Stdout ?? ReadOnlyMemory<byte>.Empty, outputBytes),
        Text(step.Report?.Stderr ?? ReadOnlyMemory<byte>.Empty, outputBytes),
        Ms(step.Report?.CpuTime ?? TimeSpan.Zero),
        Ms(step.Report?.WallTime ?? TimeSpan.Zero),
        step.CacheHit);

    private static TestResultDto Test(TestReport test, long outputBytes)
    {
        ProcessReport? run = test.Run;
        return new TestResultDto(
            test.Id,
            test.Verdict.ToCode(),
            run is null ? string.Empty : Text(run.Stdout, outputBytes),
            run is null ? string.Empty : Text(run.Stderr, outputBytes),
            run is not null && (run.StdoutTruncated || run.Stdout.Length > outputBytes),
            run is not null && (run.StderrTruncated || run.Stderr.Length > outputBytes),
            run is null ? null : Ms(run.CpuTime),
            run is null ? null : Ms(run.WallTime),
            run?.MemoryBytes,
            run?.ExitCode,
            run?.Signal,
            test.Points,
            test.MaxPoints,
            test.CheckerMessage);
    }

    /// <summary>Lossy UTF-8 of at most <paramref name="max"/> bytes (cut on a byte boundary, then decoded).</summary>
    private static string Text(ReadOnlyMemory<byte> bytes, long max) =>
        Encoding.UTF8.GetString(bytes.Span[..(int)Math.Min(bytes.Length, max)]);

    private static long Ms(TimeSpan t) => (long)Math.Round(t.TotalMilliseconds);
}
