using System.Text.Json;
using Rce.Functions.Queues;
using Rce.Infrastructure.Queues;

namespace Rce.Functions.Hosting;

/// <summary>
/// The custom-handler side of hosted mode: the host's readiness probe <c>GET /</c> and one
/// <c>POST /&lt;FunctionName&gt;</c> per queue function. Success answers the empty output document; a
/// failure answers 500 so that the host retries the message and poisons it at maxDequeueCount.
/// </summary>
internal static class CustomHandlerEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Json(new { status = "ready" }));
        foreach (var (name, _) in QueueFunctions.All)
        {
            app.MapPost("/" + name, (HttpContext context, QueueFunctions functions) => InvokeAsync(context, name, functions)).ExcludeFromDescription();
        }
    }

    private static async Task<IResult> InvokeAsync(HttpContext context, string name, QueueFunctions functions)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            return Results.Problem(detail: "The invocation is not JSON.", statusCode: StatusCodes.Status400BadRequest);
        }

        using (document)
        {
            if (!InvocationPayload.TryRead(document.RootElement, out var text, out var dequeueCount, out var error))
            {
                return Results.Problem(detail: error, statusCode: StatusCodes.Status400BadRequest);
            }

            var function = functions.Find(name)!;
            var invocation = context.Request.Headers["X-Azure-Functions-InvocationId"].ToString();
            await function(new QueueTriggerMessage(text, dequeueCount, invocation, null), context.RequestAborted);
            return Results.Json(new { Outputs = new { }, Logs = Array.Empty<string>(), ReturnValue = (object?)null });
        }
    }
}
