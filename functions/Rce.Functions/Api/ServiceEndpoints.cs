using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;
using Rce.Functions.Security;

namespace Rce.Functions.Api;

/// <summary>Languages, readiness, liveness and queue statistics.</summary>
internal static class ServiceEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/languages", LanguagesAsync).WithName("ListLanguages");
        app.MapGet("/api/health", HealthAsync).WithName("Health");
        app.MapGet("/api/health/live", () => Results.Json(new { status = "Healthy" })).WithName("HealthLive");
        app.MapGet("/api/queue/stats", StatsAsync).WithName("QueueStats").RequireRole(Rce.Core.Tenancy.ApiKeyRoles.Read);
    }

    private static async Task<IResult> LanguagesAsync(HttpContext context, RunnerCatalog catalog)
    {
        var languages = await catalog.LanguagesAsync(context.RequestAborted);
        return languages is null
            ? Results.Problem(detail: "No runner answered.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Runners unavailable.")
            : Results.Json(languages.Values.OrderBy(l => l.Id, StringComparer.Ordinal), ApiJson.Output);
    }

    private static async Task<IResult> HealthAsync(HttpContext context, RunnerCatalog catalog, StorageAccount storage, Rce.Core.RateLimiting.IRateLimiter limiter, Limits.LimitPolicies policies)
    {
        var ct = context.RequestAborted;
        string? storageProblem = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await storage.Queues.GetPropertiesAsync(timeout.Token);
        }
        catch (Exception error) when (error is Azure.RequestFailedException or OperationCanceledException or AggregateException)
        {
            storageProblem = "storage did not answer: " + error.GetType().Name;
        }

        var probes = await catalog.ProbesAsync(ct);
        var healthyRunners = probes.Count(p => p.Healthy);

        // Redis down: under fail-closed policies submissions are refused, so the instance is not ready;
        // when every policy fails open it still serves, unchecked, and says Degraded.
        var redisUp = await limiter.PingAsync(ct);
        var redisBlocks = !redisUp && policies.AnyFailsClosed;
        var ready = storageProblem is null && healthyRunners > 0 && !redisBlocks;
        var failures = new List<string>();
        if (!redisUp)
        {
            failures.Add(redisBlocks ? "redis did not answer (rate limits fail closed)" : "redis did not answer (rate limits fail open)");
        }

        if (storageProblem is not null)
        {
            failures.Add(storageProblem);
        }

        if (healthyRunners == 0)
        {
            failures.Add("no runner with passing self-tests answered");
        }

        return Results.Json(
            new
            {
                status = !ready ? "Unhealthy" : redisUp ? "Healthy" : "Degraded",
                failures,
                storage = storageProblem is null ? "Healthy" : "Unhealthy",
                redis = redisUp ? "Healthy" : "Unhealthy",
                runners = probes.Select(p => new { url = p.Runner.ToString(), healthy = p.Healthy, reason = p.Reason, slots = p.SlotsTotal, busy = p.SlotsBusy }),
            },
            ApiJson.Output,
            statusCode: ready ? 200 : 503);
    }

    private static async Task<IResult> StatsAsync(HttpContext context, StorageWorkQueues queues, RunnerCatalog catalog, PriorityGate gate, Hosting.QueueHost host)
    {
        var depths = await queues.GetDepthsAsync(context.RequestAborted);
        var probes = await catalog.ProbesAsync(context.RequestAborted);
        return Results.Json(
            new
            {
                queues = depths.Where(d => !d.Key.EndsWith(WorkQueues.PoisonSuffix, StringComparison.Ordinal)).ToDictionary(d => d.Key, d => d.Value),
                poison = depths.Where(d => d.Key.EndsWith(WorkQueues.PoisonSuffix, StringComparison.Ordinal)).ToDictionary(d => d.Key, d => d.Value),
                inFlight = host.InFlight,
                inFlightByQueue = host.InFlightByQueue,
                backlog = host.Backlog,
                runnerCallsInFlight = gate.Busy,
                runnerSlots = new { total = probes.Sum(p => p.SlotsTotal ?? 0), busy = probes.Sum(p => p.SlotsBusy ?? 0) },
            },
            ApiJson.Output);
    }
}
