using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Rce.Infrastructure.Storage;

namespace Rce.Functions.Hosting;

/// <summary>
/// Storage that does not answer (Azurite or Azure Storage down, timing out, throttling) is the
/// service's trouble, not a bug and not the request's fault: 503 with <c>Retry-After</c>, which
/// clients and proxies know to retry (a submission sent again with its <c>Idempotency-Key</c> is
/// then accepted once), instead of the generic 500, which says "our bug". Every other exception
/// falls through to the default 500 problem.
/// </summary>
internal sealed partial class StorageOutageHandler(IProblemDetailsService problems, ILogger<StorageOutageHandler> logger) : IExceptionHandler
{
    /// <summary>Seconds a client is told to wait: the storage clients' own retries took about this long.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // A client that went away caused its own cancellation; nobody reads the answer.
        if (httpContext.RequestAborted.IsCancellationRequested || !StorageOutage.Is(exception))
        {
            return false;
        }

        LogOutage(logger, httpContext.GetEndpoint()?.DisplayName ?? httpContext.Request.Method, StorageOutage.Describe(exception));
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Storage unavailable.",
                Detail = $"The service's storage did not answer. Try again in {RetryAfterSeconds} s; a submission sent again with the same Idempotency-Key is accepted once.",
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage did not answer {Endpoint}: {Error}; answered 503")]
    private static partial void LogOutage(ILogger logger, string endpoint, string error);
}
