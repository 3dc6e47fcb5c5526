using System.Text.Json.Nodes;
using Rce.Core.Submissions;
using Rce.Core.Tenancy;
using Rce.Functions.Limits;
using Rce.Functions.Security;

namespace Rce.Functions.Api;

/// <summary>Management shaped like Durable Functions' HTTP API (durable-style-workflow §1), over submissions.</summary>
internal static class InstanceEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/instances", ListAsync).WithName("ListInstances").RequireRole(ApiKeyRoles.Read);
        app.MapGet("/api/instances/{id}", GetAsync).WithName("GetInstance").RequireRole(ApiKeyRoles.Read);
        app.MapPost("/api/instances/{id}/terminate", TerminateAsync).WithName("TerminateInstance").RequireRole(ApiKeyRoles.Admin);
        app.MapDelete("/api/instances/{id}", PurgeAsync).WithName("PurgeInstance").RequireRole(ApiKeyRoles.Admin);
        app.MapPost("/api/instances/{id}/restart", RestartAsync).WithName("RestartInstance").RequireRole(ApiKeyRoles.Admin);
    }

    private static JsonObject Status(Submission s, bool showInput) => new()
    {
        ["name"] = "SubmissionWorkflow",
        ["instanceId"] = s.Id,
        ["runtimeStatus"] = s.Status switch { SubmissionStatus.Queued => "Pending", var other => other.ToString() },
        ["input"] = showInput ? new JsonObject { ["language"] = s.Language, ["tests"] = s.TestCount, ["batchId"] = s.BatchId } : null,
        ["customStatus"] = new JsonObject { ["phase"] = s.Phase, ["attempts"] = s.Attempt, ["reason"] = s.Reason },
        ["output"] = s.Status.IsTerminal() ? new JsonObject { ["verdict"] = s.Verdict is { } v ? Rce.Core.Verdicts.VerdictCodes.ToCode(v) : null, ["score"] = s.Score, ["maxScore"] = s.MaxScore } : null,
        ["createdTime"] = s.CreatedTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        ["lastUpdatedTime"] = s.LastUpdatedTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
    };

    private static async Task<Submission?> FindAsync(HttpContext context, string id, ISubmissionStore store) =>
        id.Length == 32 && await store.GetAsync(id, context.RequestAborted) is { } s && s.Tenant == SubmissionEndpoints.Tenant(context) ? s : null;

    private static async Task<IResult> GetAsync(HttpContext context, string id, ISubmissionStore store, bool? showHistory, bool? showInput)
    {
        if (await FindAsync(context, id, store) is not { } s)
        {
            return Results.NotFound();
        }

        var body = Status(s, showInput ?? true);
        body["historyEvents"] = showHistory == true
            ? new JsonArray([.. (await store.ReadHistoryAsync(s, context.RequestAborted)).Select(e => (JsonNode)new JsonObject
            {
                ["EventType"] = e.EventType, ["FunctionName"] = e.Name, ["Timestamp"] = e.Timestamp.ToString("O", System.Globalization.CultureInfo.InvariantCulture), ["Reason"] = e.Detail,
            })])
            : null;
        if (!s.Status.IsTerminal())
        {
            context.Response.Headers.Location = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.Path}";
            context.Response.Headers.RetryAfter = "5";
            return Results.Json(body, ApiJson.Output, statusCode: 202);
        }

        return Results.Json(body, ApiJson.Output);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ISubmissionStore store, string? runtimeStatus, DateTimeOffset? createdTimeFrom, DateTimeOffset? createdTimeTo, int? top, bool? showInput)
    {
        var statuses = new List<SubmissionStatus>();
        foreach (var name in (runtimeStatus ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Unknown names are ignored, as Durable does; Pending is our Queued.
            if (name.Equals("Pending", StringComparison.OrdinalIgnoreCase))
            {
                statuses.Add(SubmissionStatus.Queued);
            }
            else if (SubmissionStatuses.TryParse(name, out var status))
            {
                statuses.Add(status);
            }
        }

        if (runtimeStatus is not null && statuses.Count == 0)
        {
            context.Response.Headers["x-ms-continuation-token"] = string.Empty;
            return Results.Json(Array.Empty<object>(), ApiJson.Output);
        }

        if (top is < 1 or > 1000)
        {
            return Problems.BadRequest("top must be between 1 and 1000.");
        }

        var continuation = context.Request.Headers["x-ms-continuation-token"].ToString();
        SubmissionPage page;
        try
        {
            page = await store.ListAsync(new SubmissionQuery(SubmissionEndpoints.Tenant(context), statuses, createdTimeFrom, createdTimeTo, top ?? 100), string.IsNullOrEmpty(continuation) ? null : continuation, context.RequestAborted);
        }
        catch (FormatException)
        {
            return Problems.BadRequest("x-ms-continuation-token is not a token this API issued.");
        }

        context.Response.Headers["x-ms-continuation-token"] = page.Continuation ?? string.Empty;
        return Results.Json(page.Items.Select(s => Status(s, showInput ?? false)), ApiJson.Output);
    }

    private static async Task<IResult> TerminateAsync(HttpContext context, string id, string? reason, SubmissionWorkflow workflow)
    {
        var outcome = id.Length == 32
            ? await workflow.TerminateAsync(id, SubmissionEndpoints.Tenant(context), reason is { Length: > 500 } ? reason[..500] : reason, context.RequestAborted)
            : TerminateOutcome.NotFound;
        return outcome switch
        {
            TerminateOutcome.Terminated => Results.Accepted(),
            TerminateOutcome.AlreadyTerminal => Results.Problem(detail: "The instance already ended.", statusCode: StatusCodes.Status410Gone, title: "Gone."),
            _ => Results.NotFound(),
        };
    }

    private static async Task<IResult> PurgeAsync(HttpContext context, string id, ISubmissionStore store)
    {
        if (await FindAsync(context, id, store) is not { } s)
        {
            return Results.NotFound();
        }

        if (!s.Status.IsTerminal())
        {
            return Results.Problem(detail: "Only an ended instance can be purged; terminate it first.", statusCode: StatusCodes.Status412PreconditionFailed, title: "Not ended.");
        }

        await store.DeleteAsync(id, context.RequestAborted);
        return Results.Json(new { instancesDeleted = 1 }, ApiJson.Output);
    }

    private static async Task<IResult> RestartAsync(HttpContext context, string id, ISubmissionStore store, SubmissionService service, TimeProvider clock, LimitGate gate, LimitPolicies policies, WorkflowOptions workflow)
    {
        if (await FindAsync(context, id, store) is not { } s || await store.ReadRequestAsync(s, context.RequestAborted) is not { } body)
        {
            return Results.Problem(detail: "No instance with this id.", statusCode: StatusCodes.Status400BadRequest, title: "Unknown instance.");
        }

        var restarted = s with
        {
            Id = SubmissionService.NewId(), Status = SubmissionStatus.Queued, Phase = null, Verdict = null, Score = null, MaxScore = null,
            CreatedTime = clock.GetUtcNow(), LastUpdatedTime = clock.GetUtcNow(), StartedTime = null, CompletedTime = null, Attempt = 0, LeaseUntil = null,
            Reason = null, BatchId = null, BatchIndex = -1, RestartOf = s.Id, HasResult = false, InlineResult = null, InlineRequest = null, LeaseOwner = null, ETag = null,
        };
        if (await gate.AdmitAsync(context, policies.Quota(restarted.Tenant, [restarted.Id], clock.GetUtcNow().AddMilliseconds(workflow.DeadlineMs))) is { } overQuota)
        {
            return overQuota;
        }

        var stored = await service.AcceptAsync(restarted, body, context.RequestAborted);
        return await SubmissionEndpoints.RespondAsync(context, stored, store, final: false);
    }
}
