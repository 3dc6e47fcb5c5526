using Rce.Core.Executions;
using Rce.Runner.Hosting;

namespace Rce.Runner.Api;

/// <summary>Route table of the runner.</summary>
public static class RunnerEndpoints
{
    /// <summary>Maps <c>/v1/executions</c>, <c>/v1/languages</c>, <c>/health</c> and <c>/health/live</c>.</summary>
    public static IEndpointRouteBuilder MapRunnerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/executions", ExecutionEndpoints.ExecuteAsync);
        app.MapGet("/v1/languages", Languages);
        app.MapGet("/health/live", () => Results.Ok(new { status = "Healthy" }));
        app.MapGet("/health", Health);
        return app;
    }

    private static IResult Languages(SandboxHost host)
    {
        var tests = host.SelfTests;
        return Results.Ok(host.Catalog.Available.Select(l => new LanguageDto(
            l.Id, l.Name, tests.GetValueOrDefault(l.Id)?.Version, l.IsCompiled, l.Extensions, tests.GetValueOrDefault(l.Id)?.Passed == true)));
    }

    /// <summary>Readiness: the sandbox probe passed and at least one language passed its self-test.</summary>
    private static IResult Health(SandboxHost host)
    {
        var tests = host.SelfTests;
        var ready = host.Sandbox is not null && host.SelfTestsDone && tests.Values.Any(t => t.Passed);
        var body = new
        {
            status = ready ? "Healthy" : "Unhealthy",
            reason = host.Problem ?? (host.SelfTestsDone ? (ready ? null : "no language passed its self-test") : "self-tests are running"),
            sandbox = host.Sandbox?.Capabilities,
            slots = host.Sandbox is null ? null : new { total = host.Sandbox.SlotCount, busy = host.Sandbox.SlotsBusy },
            languages = tests.Values.OrderBy(t => t.LanguageId, StringComparer.Ordinal).Select(t => new { id = t.LanguageId, version = t.Version, passed = t.Passed, detail = t.Detail }),
        };
        return Results.Json(body, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
