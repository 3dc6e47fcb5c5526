using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Rce.Infrastructure.Runners;

/// <summary>
/// Which outcomes are a runner's fault and which may be retried. Decision: only transport failures
/// are retried; a runner's answer (4xx, 5xx) is returned as it is, because it is about the request
/// or the program, and sending it again gives the same answer at the cost of a second execution.
/// The one exception is 503 (sandbox unavailable or not ready): that is about the runner, so it moves
/// the call to ANOTHER runner when one is available, and is returned otherwise — never re-sent to
/// the runner that answered it. Timeouts are not retried: the timeout already allowed for every test
/// at its full wall time, so a second attempt would double a stuck call's cost; the caller's queue decides.
/// </summary>
internal static class RunnerFailures
{
    /// <summary>A failure to reach a runner or to read its answer, not an answer.</summary>
    public static bool IsTransport(Exception exception, CancellationToken callerToken) => exception switch
    {
        // A body over MaxResponseBytes is the same on every runner: not a transport failure.
        HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded } => false,
        HttpRequestException => true,

        // The connect timeout of SocketsHttpHandler surfaces as a cancellation the caller did not ask for.
        OperationCanceledException => !callerToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>Whether an outcome counts against the runner's circuit: it could not serve, whatever the request.</summary>
    public static bool CountsAgainstRunner(Outcome<HttpResponseMessage> outcome, CancellationToken callerToken) =>
        outcome.Exception is { } exception
            ? exception is TimeoutRejectedException || IsTransport(exception, callerToken)
            : outcome.Result?.StatusCode == HttpStatusCode.ServiceUnavailable;

    /// <summary>Whether the call may make another attempt (the pool decides where).</summary>
    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context, RunnerPool pool)
    {
        if (outcome.Exception is { } exception)
        {
            // An open circuit is the breaker's verdict on one runner: another may answer.
            return exception is BrokenCircuitException || IsTransport(exception, context.CancellationToken);
        }

        return outcome.Result?.StatusCode == HttpStatusCode.ServiceUnavailable
            && context.Properties.TryGetValue(RunnerCall.Key, out var call)
            && pool.HasUntriedAvailable(call.Tried);
    }

    /// <summary>A short description for logs: status code or exception type, never a body or message text.</summary>
    public static string Describe(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        HttpRequestException e => $"{nameof(HttpRequestException)} {e.HttpRequestError}",
        { } e => e.GetType().Name,
        null => $"HTTP {(int?)outcome.Result?.StatusCode}",
    };
}
