using System.Net.Http.Headers;
using Polly;

namespace Rce.Infrastructure.Runners;

/// <summary>
/// One runner as the balancer sees it: its address and token, its in-flight calls and its own
/// circuit breaker and timeout pipeline (a failing runner never opens the circuit of another).
/// </summary>
internal sealed class RunnerEndpoint
{
    private int _inFlight;
    private long _openUntilTimestamp;

    public RunnerEndpoint(RunnerEndpointOptions options, int index)
    {
        ArgumentNullException.ThrowIfNull(options);
        var baseUrl = options.BaseUrl.EndsWith('/') ? options.BaseUrl : options.BaseUrl + "/";
        BaseUrl = new Uri(baseUrl, UriKind.Absolute);
        ExecutionsUri = new Uri(BaseUrl, "v1/executions");
        Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        Slots = options.Slots;
        Index = index;
    }

    /// <summary>Base URL; the only thing logged about a runner.</summary>
    public Uri BaseUrl { get; }

    public Uri ExecutionsUri { get; }

    /// <summary>Holds the token: never logged, never in an exception message.</summary>
    public AuthenticationHeaderValue Authorization { get; }

    public int Slots { get; }

    /// <summary>Position in the configuration; breaks ties after round-robin.</summary>
    public int Index { get; }

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Circuit breaker then per-attempt timeout; set once by the balancer after construction.</summary>
    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; set; } = ResiliencePipeline<HttpResponseMessage>.Empty;

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>
    /// Whether the balancer may send here: the circuit is closed, or its break has elapsed so that
    /// the breaker lets one probe through. Polly only moves an open circuit to half-open when a call
    /// arrives, so its state alone would keep a recovered runner out for good while others are healthy.
    /// </summary>
    public bool IsAvailable(TimeProvider time) => time.GetTimestamp() >= Volatile.Read(ref _openUntilTimestamp);

    public void MarkOpened(TimeProvider time, TimeSpan breakDuration) =>
        Volatile.Write(ref _openUntilTimestamp, time.GetTimestamp() + (long)(breakDuration.TotalSeconds * time.TimestampFrequency));

    public void MarkClosed() => Volatile.Write(ref _openUntilTimestamp, 0);
}
