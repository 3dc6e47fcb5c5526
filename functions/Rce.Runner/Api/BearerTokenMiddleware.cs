using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Rce.Runner.Api;

/// <summary>Requires the shared bearer token on every route but <c>/health</c>.</summary>
/// <remarks>
/// Threat: the runner executes whatever it is sent; anyone who can reach it unauthenticated can
/// burn its CPU. The comparison is constant-time so that the token cannot be guessed byte by byte.
/// </remarks>
internal sealed class BearerTokenMiddleware(RequestDelegate next, IOptions<RunnerOptions> options, ILogger<BearerTokenMiddleware> logger)
{
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.Token));

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        var presented = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : string.Empty;

        // Hash both sides so the comparison runs over equal lengths whatever was presented.
        if (presented.Length == 0 || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expected))
        {
            RunnerLog.Rejected(logger, context.Request.Path, StatusCodes.Status401Unauthorized);
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"rce-runner\"";
            await Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: presented.Length == 0 ? "A bearer token is required." : "The bearer token is not valid.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }
}
