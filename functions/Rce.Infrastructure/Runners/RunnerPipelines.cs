using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Rce.Core.Runners;

namespace Rce.Infrastructure.Runners;

/// <summary>Builds the Polly pipelines of the runner client: per runner (breaker, timeout) and per call (retry).</summary>
internal static class RunnerPipelines
{
    /// <summary>
    /// Polly arms a timeout with <c>CancelAfter</c>, which rejects more than about 49 days; the
    /// runner's own maxima keep real timeouts to hours, so a day is never reached by a valid request.
    /// </summary>
    private static readonly TimeSpan LongestTimeout = TimeSpan.FromDays(1);

    /// <summary>
    /// The circuit breaker of one runner, outside its per-attempt timeout so that timeouts count
    /// against the runner. Keyed by the runner's base URL (its instance name in telemetry).
    /// </summary>
    public static ResiliencePipeline<HttpResponseMessage> ForRunner(RunnerEndpoint runner, RunnerClientOptions options, TimeProvider time, ILogger logger)
    {
        var margin = TimeSpan.FromMilliseconds(options.TimeoutMarginMs);
        return new ResiliencePipelineBuilder<HttpResponseMessage> { Name = "rce-runner", InstanceName = runner.BaseUrl.ToString(), TimeProvider = time }
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = options.CircuitFailureRatio,
                MinimumThroughput = options.CircuitMinimumThroughput,
                SamplingDuration = TimeSpan.FromMilliseconds(options.CircuitSamplingDurationMs),
                BreakDuration = TimeSpan.FromMilliseconds(options.CircuitBreakDurationMs),
                ShouldHandle = args => ValueTask.FromResult(RunnerFailures.CountsAgainstRunner(args.Outcome, args.Context.CancellationToken)),
                OnOpened = args =>
                {
                    runner.MarkOpened(time, args.BreakDuration);
                    RunnerClientLog.CircuitOpened(logger, runner.BaseUrl, (long)args.BreakDuration.TotalMilliseconds);
                    return default;
                },
                OnClosed = _ =>
                {
                    runner.MarkClosed();
                    RunnerClientLog.CircuitClosed(logger, runner.BaseUrl);
                    return default;
                },
            })
            .AddTimeout(new HttpTimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(Timeout(args.Context, runner, margin)),
            })
            .Build();
    }

    /// <summary>The retries of one call; each attempt picks its runner anew (see <see cref="RunnerFailures"/>).</summary>
    public static ResiliencePipeline<HttpResponseMessage> ForCalls(RunnerPool pool, RunnerClientOptions options, TimeProvider time, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { Name = "rce-runner-calls", TimeProvider = time };
        if (options.RetryCount == 0)
        {
            return builder.Build();
        }

        return builder.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = options.RetryCount,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMs),

            // Retry-After comes with answers, and answers are not retried (but 503, to another runner).
            ShouldRetryAfterHeader = false,
            ShouldHandle = args => ValueTask.FromResult(RunnerFailures.ShouldRetry(args.Outcome, args.Context, pool)),
            OnRetry = args =>
            {
                if (args.Context.Properties.TryGetValue(RunnerCall.Key, out var call) && call.Last is { } last)
                {
                    RunnerClientLog.Retrying(logger, last.BaseUrl, args.AttemptNumber + 1, RunnerFailures.Describe(args.Outcome), (long)args.RetryDelay.TotalMilliseconds);
                }

                return default;
            },
        }).Build();
    }

    private static TimeSpan Timeout(ResilienceContext context, RunnerEndpoint runner, TimeSpan margin)
    {
        if (!context.Properties.TryGetValue(RunnerCall.Key, out var call))
        {
            throw new InvalidOperationException("A runner attempt ran outside a runner call.");
        }

        var timeout = RunnerCallTimeout.Compute(call.Request, runner.Slots, margin);
        return timeout < LongestTimeout ? timeout : LongestTimeout;
    }
}
