using System.Text.Json;
using System.Text.Json.Serialization;
using Rce.Core.Executions;

namespace Rce.Functions.Api;

/// <summary>Body of <c>POST /api/submissions</c>: the runner's execution request plus the workflow's own fields.</summary>
public sealed class SubmissionRequest
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

    /// <summary>Absolute http(s) URL POSTed with the result when the submission ends.</summary>
    public string? CallbackUrl { get; set; }

    /// <summary><c>normal</c> (default) or <c>high</c>.</summary>
    public string? Priority { get; set; }

    public MetadataDto? Metadata { get; set; }

    /// <summary>The part the runner receives, as its wire contract.</summary>
    public ExecutionRequest ToExecution() => new()
    {
        Language = Language, Files = Files, Source = Source, MainFile = MainFile, CompilerOptions = CompilerOptions,
        Args = Args, Stdin = Stdin, Tests = Tests, Limits = Limits, Checker = Checker, Grading = Grading,
    };
}

/// <summary>LMS metadata of a submission.</summary>
public sealed class MetadataDto
{
    public string? UserId { get; set; }

    public string? CourseId { get; set; }

    public string? AssignmentId { get; set; }

    public Dictionary<string, string>? Tags { get; set; }
}

/// <summary>Body of <c>POST /api/batches</c>.</summary>
public sealed class BatchRequest
{
    public List<SubmissionRequest?>? Submissions { get; set; }
}

/// <summary>The JSON options of the API: camelCase, unknown fields refused (a misspelt limit must not be ignored silently).</summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>For writing responses: nulls kept (a null verdict is information).</summary>
    public static JsonSerializerOptions Output { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>For the runner body: nulls dropped so the runner applies its defaults.</summary>
    public static JsonSerializerOptions Runner { get; } = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}
