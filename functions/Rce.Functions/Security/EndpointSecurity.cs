using Rce.Core.Tenancy;

namespace Rce.Functions.Security;

/// <summary>Endpoint metadata: the role a key needs for this route (403 without it).</summary>
internal sealed record RequiredRole(ApiKeyRoles Role);

/// <summary>Endpoint metadata: the handler checks the tenant and user windows itself, once it knows the user (from the body).</summary>
internal sealed record LimitedByHandler;

internal static class EndpointSecurity
{
    public static RouteHandlerBuilder RequireRole(this RouteHandlerBuilder builder, ApiKeyRoles role) =>
        builder.WithMetadata(new RequiredRole(role));

    public static RouteHandlerBuilder LimitedInHandler(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new LimitedByHandler());
}
