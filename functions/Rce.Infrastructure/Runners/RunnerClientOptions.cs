using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Rce.Infrastructure.Runners;

/// <summary>
/// Settings of the runner client (configuration section <c>Runners</c>): <c>Runners__Endpoints__0__BaseUrl</c>,
/// <c>Runners__Endpoints__0__Token</c>, <c>Runners__RetryCount</c>, … Validated at startup.
/// </summary>
public sealed class RunnerClientOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Runners";

    /// <summary>The runners to balance over, at least one. No default: each deployment names its own.</summary>
    [Required]
    [MinLength(1)]
    [ValidateEnumeratedItems]
    public IList<RunnerEndpointOptions> Endpoints { get; init; } = [];

    /// <summary>
    /// Attempts after the first one, on transport failures only (and on a 503 when another runner
    /// can take the call). The default value is 2; 0 disables retries.
    /// </summary>
    [Range(0, 10)]
    public int RetryCount { get; set; } = 2;

    /// <summary>Base delay of the exponential back-off between attempts (with jitter), in ms. The default value is 200.</summary>
    [Range(0, 60_000)]
    public int RetryBaseDelayMs { get; set; } = 200;

    /// <summary>Added to each call's timeout (<c>RunnerCallTimeout</c>), in ms. The default value is 10000.</summary>
    [Range(0, 3_600_000)]
    public int TimeoutMarginMs { get; set; } = 10_000;

    /// <summary>Bound on establishing a TCP connection to a runner, in ms. The default value is 5000.</summary>
    [Range(100, 600_000)]
    public int ConnectTimeoutMs { get; set; } = 5_000;

    /// <summary>Failed share of a runner's calls in the sampling window that opens its circuit. The default value is 0.5.</summary>
    [Range(0.01, 1.0)]
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>Calls a runner must have had in the sampling window before its circuit may open. The default value is 4.</summary>
    [Range(2, 10_000)]
    public int CircuitMinimumThroughput { get; set; } = 4;

    /// <summary>Sampling window of a runner's circuit, in ms. The default value is 30000.</summary>
    [Range(500, 3_600_000)]
    public int CircuitSamplingDurationMs { get; set; } = 30_000;

    /// <summary>How long an open circuit keeps calls away from a runner before one probe, in ms. The default value is 15000.</summary>
    [Range(500, 3_600_000)]
    public int CircuitBreakDurationMs { get; set; } = 15_000;

    /// <summary>Largest response body buffered, in bytes; a larger one fails the call. The default value is 256 MiB.</summary>
    [Range(1024, int.MaxValue)]
    public long MaxResponseBytes { get; set; } = 256L << 20;
}
