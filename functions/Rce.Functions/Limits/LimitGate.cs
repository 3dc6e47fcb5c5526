using System.Globalization;
using Microsoft.Extensions.Options;
using Rce.Core.RateLimiting;

namespace Rce.Functions.Limits;

/// <summary>
/// Runs a check against the limiter and turns its outcome into HTTP: null when admitted (the
/// remaining budget of the most restrictive policy goes out as <c>RateLimit-*</c> headers), 429 with
/// <c>Retry-After</c> when refused, 503 with <c>Retry-After</c> when Redis is down and the check
/// fails closed. Under fail-open a Redis outage admits the request unchecked, and says so in the log.
/// </summary>
internal sealed partial class LimitGate(IRateLimiter limiter, IOptions<RateLimitOptions> options, ILogger<LimitGate> logger)
{
    private static readonly object HeadersKey = new();

    public async Task<IResult?> AdmitAsync(HttpContext context, LimitCheck check)
    {
        RateLimitDecision decision;
        try
        {
            decision = await limiter.CheckAsync(check.Rules, check.InFlight, context.RequestAborted);
        }
        catch (RateLimiterUnavailableException error)
        {
            LogUnavailable(logger, check.Rules.Count > 0 ? check.Rules[0].Policy : check.InFlight?.Policy ?? "?", check.FailClosed ? "closed" : "open", error.Message);
            if (!check.FailClosed)
            {
                return null;
            }

            context.Response.Headers.RetryAfter = options.Value.UnavailableRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return Results.Problem(
                detail: "The rate-limit store did not answer; submissions are refused until it does.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Rate limits unavailable.");
        }

        Remember(context, decision);
        if (decision.Allowed)
        {
            return null;
        }

        LogRefused(logger, decision.Policy);
        context.Response.Headers.RetryAfter = Seconds(decision.RetryAfter);
        return Results.Problem(
            detail: $"Limit '{decision.Policy}' of {decision.Limit} reached; retry after {Seconds(decision.RetryAfter)} s.",
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests.");
    }

    /// <summary>Keeps, per request, the decision with the least remaining budget and writes it as headers when the response starts.</summary>
    private static void Remember(HttpContext context, RateLimitDecision decision)
    {
        if (context.Items.TryGetValue(HeadersKey, out var existing) && existing is RateLimitDecision kept)
        {
            if (decision.Allowed && kept.Remaining <= decision.Remaining)
            {
                return;
            }

            context.Items[HeadersKey] = decision;
            return;
        }

        context.Items[HeadersKey] = decision;
        context.Response.OnStarting(() =>
        {
            if (context.Items[HeadersKey] is RateLimitDecision d)
            {
                var headers = context.Response.Headers;
                headers["RateLimit-Limit"] = d.Limit.ToString(CultureInfo.InvariantCulture);
                headers["RateLimit-Remaining"] = Math.Max(0, d.Remaining).ToString(CultureInfo.InvariantCulture);
                headers["RateLimit-Reset"] = Seconds(d.Reset, 0);
                headers["RateLimit-Policy"] = d.Policy;
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>Whole seconds, rounded up so that a client waiting that long is admitted.</summary>
    private static string Seconds(TimeSpan span, int floor = 1) =>
        Math.Max(floor, (long)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate-limit store unavailable for {Policy}; failing {Mode}: {Error}")]
    private static partial void LogUnavailable(ILogger logger, string policy, string mode, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request refused by {Policy}")]
    private static partial void LogRefused(ILogger logger, string policy);
}
