using Rce.Core.Executions;
using Rce.Core.Runners;

namespace Rce.Functions.Api;

/// <summary>
/// The runners' languages and health, probed at most every few seconds: validation, readiness and
/// <c>GET /api/languages</c> share one probe instead of each calling every runner per request.
/// </summary>
public sealed class RunnerCatalog(IRunnerClient runners, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private (IReadOnlyList<RunnerProbe> Probes, long At)? _last;

    /// <inheritdoc />
    public void Dispose() => _refresh.Dispose();

    /// <summary>The latest probes (refreshed when older than 10 s).</summary>
    public async Task<IReadOnlyList<RunnerProbe>> ProbesAsync(CancellationToken cancellationToken)
    {
        if (_last is { } last && time.GetElapsedTime(last.At) < Fresh)
        {
            return last.Probes;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_last is { } again && time.GetElapsedTime(again.At) < Fresh)
            {
                return again.Probes;
            }

            var probes = await runners.ProbeAsync(cancellationToken).ConfigureAwait(false);
            // Only a probe where some runner answered is cached: a transient outage is re-probed at once.
            _last = probes.Any(p => p.Languages.Count > 0) ? (probes, time.GetTimestamp()) : null;
            return probes;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>Languages offered by at least one healthy runner, by id; null when no runner answered.</summary>
    public async Task<IReadOnlyDictionary<string, LanguageDto>?> LanguagesAsync(CancellationToken cancellationToken)
    {
        var probes = await ProbesAsync(cancellationToken).ConfigureAwait(false);
        var answered = probes.Where(p => p.Languages.Count > 0).ToList();
        if (answered.Count == 0)
        {
            return null;
        }

        var languages = new Dictionary<string, LanguageDto>(StringComparer.Ordinal);
        foreach (var language in answered.SelectMany(p => p.Languages))
        {
            languages.TryAdd(language.Id, language);
        }

        return languages;
    }
}
