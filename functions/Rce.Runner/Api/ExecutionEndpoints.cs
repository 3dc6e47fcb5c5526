using Rce.Core.Executions;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Rce.Runner.Execution;
using Rce.Runner.Hosting;

namespace Rce.Runner.Api;

/// <summary><c>POST /v1/executions</c>: compile once, run every test, grade.</summary>
internal static class ExecutionEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<IResult> ExecuteAsync(HttpContext context, SandboxHost host, ExecutionService service, IOptions<RunnerOptions> options, IOptions<Rce.Core.Limits.LimitsOptions> limits, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxRequestBytes;
        if (context.Request.ContentLength > max)
        {
            return Problems.TooLarge($"the request body exceeds {max} bytes");
        }

        // Read at most max + 1 bytes whatever the transport says, then parse from memory.
        byte[] body;
        try
        {
            body = await BoundedBody.ReadAsync(context.Request.Body, max, cancellationToken).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problems.TooLarge($"the request body exceeds {max} bytes");
        }

        if (body.Length > max)
        {
            return Problems.TooLarge($"the request body exceeds {max} bytes");
        }

        ExecutionRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<ExecutionRequest>(body, Json);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            return Problems.Validation(new() { [field] = ["is not valid JSON of the expected type"] });
        }

        if (request is null)
        {
            return Problems.Validation(new() { ["body"] = ["must be a JSON object"] });
        }

        if (host.Executor is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Sandbox unavailable", detail: host.Problem);
        }

        var validation = new RequestValidator(options.Value, limits.Value.RunLimits, host.FindUsable).Validate(request);
        if (validation.Execution is null)
        {
            return validation.TooLarge ? Problems.TooLarge(validation.Errors.First().Value[0]) : Problems.Validation(validation.Errors);
        }

        var response = await service.ExecuteAsync(validation.Execution, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(response);
    }
}

/// <summary>RFC 9457 problem details for the caller's mistakes.</summary>
internal static class Problems
{
    public static ValidationProblem Validation(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: "The request is invalid: " + string.Join("; ", errors.Select(e => $"{e.Key} {e.Value[0]}")), title: "Invalid execution request");

    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large", detail: detail);
}
