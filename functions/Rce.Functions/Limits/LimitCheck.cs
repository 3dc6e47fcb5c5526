using Rce.Core.RateLimiting;

namespace Rce.Functions.Limits;

/// <summary>One atomic check: its windows, an optional in-flight claim, and whether it refuses when Redis is down.</summary>
internal sealed record LimitCheck(IReadOnlyList<RateLimitRule> Rules, InFlightClaim? InFlight, bool FailClosed);
