using Rce.Core.Tenancy;
using Rce.Functions.Security;

namespace Rce.Functions.Api;

/// <summary>
/// <c>/api/keys</c>: an admin key manages its own tenant's keys (the CLI's <c>rce keys</c> over HTTP).
/// Creating tenants stays with the operator (the CLI), so an admin key can never reach another
/// tenant: another tenant's key id answers 404, like any resource of another tenant.
/// </summary>
internal static class KeyEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/keys", CreateAsync).WithName("CreateApiKey").RequireRole(ApiKeyRoles.Admin);
        app.MapGet("/api/keys", ListAsync).WithName("ListApiKeys").RequireRole(ApiKeyRoles.Admin);
        app.MapDelete("/api/keys/{keyId}", RevokeAsync).WithName("RevokeApiKey").RequireRole(ApiKeyRoles.Admin);
    }

    private sealed record CreateKeyRequest(string? Roles);

    private static object View(ApiKey key) => new
    {
        keyId = key.KeyId,
        tenant = key.Tenant,
        roles = ApiKeyRolesText.Format(key.Roles),
        createdTime = key.CreatedAt,
        revokedTime = key.RevokedAt,
    };

    private static async Task<IResult> CreateAsync(HttpContext context, IApiKeyStore store, TimeProvider time)
    {
        var ct = context.RequestAborted;
        var (bytes, problem) = await RequestBody.ReadAsync(context.Request, 16 * 1024, ct);
        if (problem is not null)
        {
            return problem;
        }

        var (request, parseProblem) = RequestBody.Parse<CreateKeyRequest>(bytes!);
        if (parseProblem is not null)
        {
            return parseProblem;
        }

        if (!ApiKeyRolesText.TryParse(request!.Roles, out var roles, out var error))
        {
            return Problems.Invalid(new() { ["roles"] = [error] }, false);
        }

        var issued = ApiKeyFormat.Issue(Caller.Of(context).Tenant, roles, time.GetUtcNow());
        await store.CreateAsync(issued.Key, ct);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new { keyId = issued.Key.KeyId, tenant = issued.Key.Tenant, roles = ApiKeyRolesText.Format(roles), createdTime = issued.Key.CreatedAt, key = issued.Plaintext }, ApiJson.Output, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IApiKeyStore store)
    {
        var keys = await store.ListAsync(Caller.Of(context).Tenant, context.RequestAborted);
        return Results.Json(keys.Select(View), ApiJson.Output);
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, string keyId, IApiKeyStore store, TimeProvider time)
    {
        var ct = context.RequestAborted;
        if (keyId.Length > 64 || await store.GetAsync(keyId, ct) is not { } key || key.Tenant != Caller.Of(context).Tenant)
        {
            return Problems.NotFound("key");
        }

        var revoked = await store.RevokeAsync(keyId, time.GetUtcNow(), ct);
        return revoked is null ? Problems.NotFound("key") : Results.Json(View(revoked), ApiJson.Output);
    }
}
