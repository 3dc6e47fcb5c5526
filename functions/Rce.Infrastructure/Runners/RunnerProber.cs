using System.Net.Http.Json;
using System.Text.Json;
using Rce.Core.Executions;
using Rce.Core.Runners;

namespace Rce.Infrastructure.Runners;

/// <summary>
/// Probes one runner's <c>/health</c> and <c>/v1/languages</c>. Outside the resilience pipelines on
/// purpose: a probe must report a broken runner as it is, not retry it into looking healthy, and it
/// must not count against (or be refused by) the execution circuit breaker.
/// </summary>
internal static class RunnerProber
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<RunnerProbe> ProbeAsync(HttpClient http, RunnerEndpoint runner, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            using var healthRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(runner.BaseUrl, "health"));
            using var health = await http.SendAsync(healthRequest, timeout.Token).ConfigureAwait(false);
            var body = await health.Content.ReadFromJsonAsync<HealthBody>(Json, timeout.Token).ConfigureAwait(false);

            using var languagesRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(runner.BaseUrl, "v1/languages"));
            languagesRequest.Headers.Authorization = runner.Authorization;
            using var languages = await http.SendAsync(languagesRequest, timeout.Token).ConfigureAwait(false);
            var list = languages.IsSuccessStatusCode
                ? await languages.Content.ReadFromJsonAsync<List<LanguageDto>>(Json, timeout.Token).ConfigureAwait(false) ?? []
                : [];

            var healthy = health.IsSuccessStatusCode;
            var reason = healthy ? null : body?.Reason ?? $"health answered {(int)health.StatusCode}";
            return new RunnerProbe(runner.BaseUrl, healthy, reason, body?.Slots?.Total, body?.Slots?.Busy, list);
        }
        catch (Exception error) when (error is HttpRequestException or JsonException || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var reason = error is OperationCanceledException ? "timed out" : error.Message;
            return new RunnerProbe(runner.BaseUrl, false, reason, null, null, []);
        }
    }

    private sealed record HealthBody(string? Status, string? Reason, SlotsBody? Slots);

    private sealed record SlotsBody(int Total, int Busy);
}
