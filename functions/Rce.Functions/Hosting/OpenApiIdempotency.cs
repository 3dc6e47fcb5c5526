using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Rce.Functions.Hosting;

/// <summary>
/// Declares the optional <c>Idempotency-Key</c> header on the two operations that honour it
/// (<c>POST /api/submissions</c> and <c>POST /api/batches</c>): the handlers read it from the
/// request, so the document would not know of it otherwise.
/// </summary>
internal static class OpenApiIdempotency
{
    private static readonly HashSet<string> Honoured = new(["api/submissions", "api/batches"], StringComparer.Ordinal);

    public static void Configure(OpenApiOptions options) =>
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.HttpMethod == "POST" && Honoured.Contains(context.Description.RelativePath ?? string.Empty))
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "Idempotency-Key",
                    In = ParameterLocation.Header,
                    Required = false,
                    Description = "Scoped to the tenant for 24 h: the same key with the same body (and query) answers what the first request created, without running anything again; with another body, 422.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255 },
                });
            }

            return Task.CompletedTask;
        });
}
