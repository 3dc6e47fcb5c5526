using System.Text.Json;
using System.Text.Json.Nodes;
using Rce.Core.Submissions;
using Rce.Core.Verdicts;

namespace Rce.Functions.Api;

/// <summary>
/// The status document of a submission (<c>GET /api/submissions/{id}</c>, <c>wait=true</c>, callbacks):
/// the row's state plus, once completed, the runner's per-test results (from the row when small, else the result blob).
/// </summary>
internal static class SubmissionDocument
{
    public static async Task<JsonObject> BuildAsync(Submission s, ISubmissionStore store, CancellationToken cancellationToken)
    {
        var document = new JsonObject
        {
            ["id"] = s.Id,
            ["status"] = s.Status.ToString(),
            ["phase"] = s.Phase,
            ["verdict"] = s.Verdict?.ToCode(),
            ["score"] = s.Score,
            ["maxScore"] = s.MaxScore,
            ["language"] = s.Language,
            ["priority"] = s.Priority == SubmissionPriority.High ? "high" : "normal",
            ["createdTime"] = s.CreatedTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["lastUpdatedTime"] = s.LastUpdatedTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["attempts"] = s.Attempt,
            ["reason"] = s.Reason,
            ["batchId"] = s.BatchId,
            ["metadata"] = JsonSerializer.SerializeToNode(s.Metadata, ApiJson.Output),
        };

        if (s.Status == SubmissionStatus.Completed && await store.ReadResultAsync(s, cancellationToken).ConfigureAwait(false) is { } result)
        {
            var runner = JsonNode.Parse(result)!.AsObject();
            document["compile"] = runner["compile"]?.DeepClone();
            var tests = runner["tests"]?.DeepClone().AsArray() ?? [];
            document["tests"] = tests;
            if (s.SingleRun && tests.Count == 1 && tests[0] is JsonObject only)
            {
                document["stdout"] = only["stdout"]?.DeepClone();
                document["stderr"] = only["stderr"]?.DeepClone();
                document["exitCode"] = only["exitCode"]?.DeepClone();
            }
        }
        else
        {
            document["tests"] = null;
        }

        return document;
    }
}
