using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;

namespace Rce.Functions.Api;

/// <summary>Languages, readiness, liveness and queue statistics.</summary>
internal static class ServiceEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/languages", LanguagesAsync).WithName("ListLanguages");
        app.MapGet("/api/health", HealthAsync).WithName("Health");
        app.MapGet("/api/health/live", () => Results.Json(new { status = "Healthy" })).WithName("HealthLive");
        app.MapGet("/api/queue/stats", StatsAsync).WithName("QueueStats");
    }

    private static async Task<IResult> LanguagesAsync(HttpContext context, RunnerCatalog catalog)
    {
        var languages = await catalog.LanguagesAsync(context.RequestAborted);
        return languages is null
            ? Results.Problem(detail: "No runner answered.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Runners unavailable.")
            : Results.Json(languages.Values.OrderBy(l => l.Id, StringComparer.Ordinal), ApiJson.Output);
    }

    private static async Task<IResult> HealthAsync(HttpContext context, RunnerCatalog catalog, StorageAccount storage)
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
        var ready = storageProblem is null && healthyRunners > 0;
        var failures = new List<string>();
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
                status = ready ? "Healthy" : "Unhealthy",
                failures,
                storage = storageProblem is null ? "Healthy" : "Unhealthy",
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
                runnerCallsInFlight = gate.Busy,
                runnerSlots = new { total = probes.Sum(p => p.SlotsTotal ?? 0), busy = probes.Sum(p => p.SlotsBusy ?? 0) },
            },
            ApiJson.Output);
    }
}
