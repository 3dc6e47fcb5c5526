using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace Rce.Infrastructure.Runners;

/// <summary>
/// The configured runners and how a call picks one: least outstanding calls among the runners whose
/// circuit lets calls through, preferring runners this call has not tried yet; ties go round-robin.
/// Singleton: in-flight counts and circuits are shared by every call of the process.
/// </summary>
/// <remarks>
/// Selection and the in-flight increment are not one atomic step: two concurrent calls may pick the
/// same idle runner. That only skews balance by one call; it never sends to an open circuit.
/// </remarks>
internal sealed class RunnerPool
{
    private readonly RunnerEndpoint[] _endpoints;
    private readonly TimeProvider _time;
    private int _next = -1;

    public RunnerPool(IOptions<RunnerClientOptions> options, TimeProvider time, ILogger<RunnerPool> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var settings = options.Value;
        if (settings.Endpoints.Count == 0)
        {
            throw new OptionsValidationException(RunnerClientOptions.SectionName, typeof(RunnerClientOptions), ["Runners:Endpoints needs at least one runner."]);
        }

        _time = time;
        _endpoints = [.. settings.Endpoints.Select((e, i) => new RunnerEndpoint(e, i))];
        foreach (var endpoint in _endpoints)
        {
            endpoint.Pipeline = RunnerPipelines.ForRunner(endpoint, settings, time, logger);
        }

        Calls = RunnerPipelines.ForCalls(this, settings, time, logger);
    }

    /// <summary>The retry pipeline every call runs in.</summary>
    public ResiliencePipeline<HttpResponseMessage> Calls { get; }

    public IReadOnlyList<RunnerEndpoint> Endpoints => _endpoints;

    /// <summary>
    /// Picks the runner for one attempt, by rank: available and untried, then available, then any
    /// (every circuit open: the breaker rejects at once and the retry's back-off gives them time).
    /// Within a rank, fewest in-flight calls; ties go to the first from a rotating start.
    /// </summary>
    public RunnerEndpoint Select(IReadOnlyList<RunnerEndpoint> tried)
    {
        ArgumentNullException.ThrowIfNull(tried);
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)_endpoints.Length);
        RunnerEndpoint? best = null;
        var bestRank = int.MaxValue;
        var bestInFlight = int.MaxValue;
        for (var i = 0; i < _endpoints.Length; i++)
        {
            var endpoint = _endpoints[(start + i) % _endpoints.Length];
            var rank = endpoint.IsAvailable(_time) ? (tried.Contains(endpoint) ? 1 : 0) : 2;
            var inFlight = endpoint.InFlight;
            if (rank < bestRank || (rank == bestRank && inFlight < bestInFlight))
            {
                (best, bestRank, bestInFlight) = (endpoint, rank, inFlight);
            }
        }

        return best!;
    }

    /// <summary>Whether a runner this call has not tried would take it now.</summary>
    public bool HasUntriedAvailable(IReadOnlyList<RunnerEndpoint> tried) =>
        _endpoints.Any(e => !tried.Contains(e) && e.IsAvailable(_time));
}
