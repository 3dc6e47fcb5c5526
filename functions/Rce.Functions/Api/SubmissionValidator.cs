using System.Text;
using Rce.Core.Executions;
using Rce.Core.Submissions;

namespace Rce.Functions.Api;

/// <summary>
/// Validates a submission at the edge, so that a bad request is a 4xx now rather than a Failed
/// submission later. Each error names the JSON path of its field. The runner validates again (it is
/// authoritative); these checks are the ones a client must hear about before anything is queued.
/// </summary>
internal sealed class SubmissionValidator(ApiOptions options)
{
    public sealed record Result(Dictionary<string, string[]> Errors, bool TooLarge, SubmissionPriority Priority, int TestCount, int TestWallMs);

    public Result Validate(SubmissionRequest request, IReadOnlyDictionary<string, LanguageDto>? languages, string prefix = "")
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var tooLarge = false;
        void Error(string field, string message) => errors[prefix + field] = [message];

        if (string.IsNullOrEmpty(request.Language))
        {
            Error("language", "is required");
        }
        else if (languages is not null && !languages.ContainsKey(request.Language))
        {
            Error("language", $"'{Truncate(request.Language)}' is not an available language (GET /api/languages lists them)");
        }

        long size = 0;
        if (request.Source is not null && request.Files is not null)
        {
            Error("source", "give either files or source, not both");
        }
        else if (request.Source is not null)
        {
            size = Encoding.UTF8.GetByteCount(request.Source);
        }
        else if (request.Files is { Count: > 0 })
        {
            for (var i = 0; i < request.Files.Count; i++)
            {
                var file = request.Files[i];
                if (file?.Name is null || file.Content is null)
                {
                    Error($"files[{i}]", "needs name and content");
                    continue;
                }

                size += file.Content.Length;
            }
        }
        else
        {
            Error("source", "give source or files");
        }

        if (size > options.MaxSourceBytes)
        {
            Error("source", $"the source is {size} bytes; at most {options.MaxSourceBytes}");
            tooLarge = true;
        }

        var tests = request.Tests?.Count ?? 0;
        if (tests > options.MaxTests)
        {
            Error("tests", $"at most {options.MaxTests} tests");
        }

        for (var i = 0; request.Tests is not null && i < request.Tests.Count && i < options.MaxTests; i++)
        {
            var test = request.Tests[i];
            if (test is null)
            {
                Error($"tests[{i}]", "must be an object");
            }
            else if (test.Id is null || test.Id.Length is 0 or > 128 || test.Id.Any(char.IsControl))
            {
                Error($"tests[{i}].id", "is required: 1 to 128 characters, no control characters");
            }
        }

        var limits = request.Limits;
        if (limits?.CpuTimeMs is { } cpu && (cpu < 1 || cpu > options.MaxCpuTimeMs))
        {
            Error("limits.cpuTimeMs", $"must be between 1 and {options.MaxCpuTimeMs}");
        }

        if (limits?.WallTimeMs is { } wall && (wall < 1 || wall > options.MaxWallTimeMs))
        {
            Error("limits.wallTimeMs", $"must be between 1 and {options.MaxWallTimeMs}");
        }

        if (limits?.MemoryBytes is { } memory && (memory < 1 << 20 || memory > options.MaxMemoryBytes))
        {
            Error("limits.memoryBytes", $"must be between {1 << 20} and {options.MaxMemoryBytes}");
        }

        var priority = SubmissionPriority.Normal;
        switch (request.Priority)
        {
            case null or "normal":
                break;
            case "high":
                priority = SubmissionPriority.High;
                break;
            default:
                Error("priority", "must be normal or high");
                break;
        }

        if (request.CallbackUrl is not null
            && (!Uri.TryCreate(request.CallbackUrl, UriKind.Absolute, out var callback) || (callback.Scheme != Uri.UriSchemeHttp && callback.Scheme != Uri.UriSchemeHttps) || request.CallbackUrl.Length > 2048))
        {
            Error("callbackUrl", "must be an absolute http or https URL of at most 2048 characters");
        }

        var metadata = request.Metadata;
        foreach (var (field, value) in new[] { ("userId", metadata?.UserId), ("courseId", metadata?.CourseId), ("assignmentId", metadata?.AssignmentId) })
        {
            if (value is { Length: > 256 })
            {
                Error("metadata." + field, "at most 256 characters");
            }
        }

        if (metadata?.Tags is { } tags && (tags.Count > 32 || tags.Any(t => t.Key.Length > 64 || t.Value is null || t.Value.Length > 256)))
        {
            Error("metadata.tags", "at most 32 tags, keys up to 64 and values up to 256 characters");
        }

        var wallMs = limits?.WallTimeMs ?? options.DefaultWallTimeMs;
        return new Result(errors, tooLarge, priority, Math.Max(1, tests), wallMs);
    }

    private static string Truncate(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
