using Rce.Core.Tenancy;
using Rce.Functions.Limits;

namespace Rce.Functions.Security;

/// <summary>
/// Authentication first, then roles, then the tenant's request window. A request without a valid
/// key gets 401 whatever the tenant budgets (it has no tenant); failed attempts are themselves
/// limited per client address, so that guessing keys costs a 429 after the budget.
/// </summary>
internal sealed partial class ApiKeyMiddleware(
    RequestDelegate next,
    ApiKeyAuthenticator authenticator,
    LimitPolicies policies,
    LimitGate gate,
    ClientAddressResolver addresses,
    ILogger<ApiKeyMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!OpenRoutes.NeedsKey(context.Request.Path))
        {
            await next(context);
            return;
        }

        var presented = PresentedKey(context.Request);
        var result = await authenticator.AuthenticateAsync(presented, context.RequestAborted);
        if (result.Principal is not { } principal)
        {
            var address = addresses.Resolve(context);
            LogRefused(logger, result.Failure.ToString());
            if (await gate.AdmitAsync(context, policies.Anonymous(address)) is { } limited)
            {
                await limited.ExecuteAsync(context);
                return;
            }

            context.Response.Headers.WWWAuthenticate = presented is null ? "Bearer realm=\"rce\"" : "Bearer realm=\"rce\", error=\"invalid_token\"";
            await Results.Problem(
                detail: presented is null ? "Send an API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'." : "The API key is not valid.",
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Authentication required.").ExecuteAsync(context);
            return;
        }

        var caller = new Caller(principal.Tenant, principal.KeyId, principal.Roles);
        caller.AttachTo(context);
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<RequiredRole>() is { } required && (caller.Roles & required.Role) == 0)
        {
            await Results.Problem(
                detail: $"This key lacks the '{required.Role.ToString().ToLowerInvariant()}' role.",
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden.").ExecuteAsync(context);
            return;
        }

        if (endpoint?.Metadata.GetMetadata<LimitedByHandler>() is null
            && await gate.AdmitAsync(context, policies.TenantRequest(caller.Tenant)) is { } refused)
        {
            await refused.ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    /// <summary><c>Authorization: Bearer &lt;key&gt;</c>, else <c>X-Api-Key</c>; null when neither carries anything.</summary>
    private static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization["Bearer ".Length..].Trim();
            return token.Length == 0 ? null : token;
        }

        var header = request.Headers["X-Api-Key"].ToString().Trim();
        return header.Length == 0 ? null : header;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Authentication failed: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
