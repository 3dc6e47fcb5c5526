using Rce.Core.Executions;

namespace Rce.Core.Runners;

/// <summary>
/// What one runner said about itself: readiness (its <c>/health</c>: sandbox built, at least one
/// language passed its self-test), slots, and its language catalog. Used by readiness, queue
/// statistics and <c>GET /api/languages</c>; never by the execution path.
/// </summary>
/// <param name="Runner">The runner's base URL.</param>
/// <param name="Healthy">Whether it answered 200 on <c>/health</c>.</param>
/// <param name="Reason">Why it is not healthy (its own reason, or the transport failure); null when healthy.</param>
/// <param name="SlotsTotal">Boxes it runs at once; null when unknown.</param>
/// <param name="SlotsBusy">Boxes busy at the time of the probe; null when unknown.</param>
/// <param name="Languages">Its catalog; empty when it did not answer.</param>
public sealed record RunnerProbe(Uri Runner, bool Healthy, string? Reason, int? SlotsTotal, int? SlotsBusy, IReadOnlyList<LanguageDto> Languages);
