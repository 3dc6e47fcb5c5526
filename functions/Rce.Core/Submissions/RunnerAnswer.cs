using System.Text.Json;
using Rce.Core.Executions;
using Rce.Core.Verdicts;

namespace Rce.Core.Submissions;

/// <summary>
/// Reads a runner's answer for the workflow. Threat: the body comes from a runner or a proxy in
/// front of it; nothing in it is trusted beyond its JSON shape, and problem text is cut short.
/// </summary>
internal static class RunnerAnswer
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The verdict of a code; an unknown code is IE (a runner newer than us is our fault, not the program's).</summary>
    public static Verdict ParseVerdict(string? code) =>
        VerdictCodes.TryParse(code, out var verdict) ? verdict.Value : Verdict.InternalError;

    /// <summary>Parses a 200 body; false when it is not a result with a verdict (a broken runner).</summary>
    public static bool TryParseResult(ReadOnlyMemory<byte> body, out ExecutionResponse result)
    {
        try
        {
            result = JsonSerializer.Deserialize<ExecutionResponse>(body.Span, Json)!;
            return result is not null && result.Verdict is not null;
        }
        catch (JsonException)
        {
            result = null!;
            return false;
        }
    }

    /// <summary>": detail" (or title) of a problem body, at most 300 characters; empty when there is none.</summary>
    public static string Problem(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            // Only string values: a runner (or a proxy in front of it) may send anything here.
            static string? Text(JsonElement o, string name) => o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var text = root.ValueKind == JsonValueKind.Object ? Text(root, "detail") ?? Text(root, "title") : null;
            return string.IsNullOrEmpty(text) ? string.Empty : ": " + (text.Length > 300 ? text[..300] : text);
        }
        catch (JsonException)
        {
            return string.Empty;
        }
    }
}
