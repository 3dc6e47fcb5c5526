// The wire contract of POST /v1/executions, shared by the runner (which serves it) and the Functions
// app (which validates submissions against it and calls the runner with it). Fields are documented
// in README.md (Runner API).
#pragma warning disable CS1591

namespace Rce.Core.Executions;

/// <summary>Answer of <c>POST /v1/executions</c>.</summary>
public sealed record ExecutionResponse(
    string Verdict,
    double Score,
    double MaxScore,
    CompileDto? Compile,
    IReadOnlyList<TestResultDto> Tests);

/// <summary>The compile step; null for interpreted languages.</summary>
public sealed record CompileDto(string Verdict, string Stdout, string Stderr, long CpuTimeMs, long WallTimeMs, bool Cached);

/// <summary>One test's result.</summary>
public sealed record TestResultDto(
    string Id,
    string Verdict,
    string Stdout,
    string Stderr,
    bool StdoutTruncated,
    bool StderrTruncated,
    long? CpuTimeMs,
    long? WallTimeMs,
    long? MemoryBytes,
    int? ExitCode,
    int? Signal,
    double Points,
    double MaxPoints,
    string? CheckerMessage);

/// <summary>One entry of <c>GET /v1/languages</c>.</summary>
public sealed record LanguageDto(string Id, string Name, string? Version, bool Compiled, IReadOnlyList<string> Extensions, bool SelfTestPassed);
