using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Rce.Functions.Security;

namespace Rce.Functions.Hosting;

/// <summary>
/// Declares the API key in the OpenAPI document: the two ways to send it as security schemes, and a
/// requirement on exactly the operations the key middleware guards (<see cref="OpenRoutes"/>), so
/// that generated clients send the key where it is needed and nowhere else.
/// </summary>
internal static class OpenApiSecurity
{
    private const string Bearer = "bearer";
    private const string Header = "apiKeyHeader";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
            document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key (rce_<keyid>_<secret>) as a bearer token.",
            };
            document.Components.SecuritySchemes[Header] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "X-Api-Key",
                Description = "The same API key in the X-Api-Key header.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (OpenRoutes.NeedsKey(new PathString("/" + context.Description.RelativePath)))
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, context.Document)] = [] });
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Header, context.Document)] = [] });
            }

            return Task.CompletedTask;
        });
    }
}
