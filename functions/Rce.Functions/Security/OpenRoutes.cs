namespace Rce.Functions.Security;

/// <summary>
/// Routes that need no key and are never limited: readiness and liveness (probes must not be
/// throttled into restarts) and the OpenAPI document. Everything else under <c>/api</c> needs a key.
/// The custom-handler routes are outside <c>/api</c>, exist only in hosted mode and listen on loopback.
/// </summary>
internal static class OpenRoutes
{
    public static bool NeedsKey(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        && !path.StartsWithSegments("/api/health", StringComparison.OrdinalIgnoreCase)
        && !path.StartsWithSegments("/api/openapi", StringComparison.OrdinalIgnoreCase);
}
