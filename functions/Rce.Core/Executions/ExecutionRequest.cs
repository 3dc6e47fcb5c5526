// The wire contract of POST /v1/executions, shared by the runner (which serves it) and the Functions
// app (which validates submissions against it and calls the runner with it). Fields are documented
// in README.md (Runner API).
#pragma warning disable CS1591

namespace Rce.Core.Executions;

/// <summary>Body of <c>POST /v1/executions</c>.</summary>
public sealed class ExecutionRequest
{
    public string? Language { get; set; }

    public List<FileDto?>? Files { get; set; }

    public string? Source { get; set; }

    public string? MainFile { get; set; }

    public List<string?>? CompilerOptions { get; set; }

    public List<string?>? Args { get; set; }

    public string? Stdin { get; set; }

    public List<TestDto?>? Tests { get; set; }

    public LimitsDto? Limits { get; set; }

    public CheckerDto? Checker { get; set; }

    public GradingDto? Grading { get; set; }
}

/// <summary>One file of the program (or an extra input file).</summary>
public sealed class FileDto
{
    public string? Name { get; set; }

    public string? Content { get; set; }

    /// <summary><c>utf8</c> (default) or <c>base64</c>.</summary>
    public string? Encoding { get; set; }
}

/// <summary>One test case.</summary>
public sealed class TestDto
{
    public string? Id { get; set; }

    public string? Input { get; set; }

    public string? ExpectedOutput { get; set; }

    public double? Points { get; set; }

    public string? Batch { get; set; }
}

/// <summary>Per-request limits, each bounded by the runner's maxima.</summary>
public sealed class LimitsDto
{
    public int? CpuTimeMs { get; set; }

    public int? WallTimeMs { get; set; }

    public long? MemoryBytes { get; set; }

    public int? Processes { get; set; }

    public long? StdoutBytes { get; set; }

    public long? StderrBytes { get; set; }

    public long? FileSizeBytes { get; set; }
}

/// <summary>Checker choice.</summary>
public sealed class CheckerDto
{
    /// <summary><c>lines</c> (default), <c>exact</c>, <c>tokens</c>, <c>float</c>, <c>caseInsensitive</c>, <c>unorderedLines</c>, <c>custom</c>.</summary>
    public string? Type { get; set; }

    public double? AbsTolerance { get; set; }

    public double? RelTolerance { get; set; }

    public string? Language { get; set; }

    public string? Source { get; set; }
}

/// <summary>Grading switches.</summary>
public sealed class GradingDto
{
    public bool StopOnFirstFailure { get; set; }

    public bool BatchesAllOrNothing { get; set; } = true;
}
