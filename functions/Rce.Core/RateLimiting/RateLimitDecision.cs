namespace Rce.Core.RateLimiting;

/// <summary>
/// The outcome of one atomic check. When refused, nothing was counted and <see cref="Policy"/> names
/// the refusing rule; when allowed, <see cref="Policy"/> names the rule with the least remaining budget.
/// </summary>
/// <param name="Allowed">True when every rule admitted the request (and it was counted in all of them).</param>
/// <param name="Policy">The most restrictive policy that applied.</param>
/// <param name="Limit">That policy's limit.</param>
/// <param name="Remaining">Units left in that policy now (0 when refused).</param>
/// <param name="Reset">Time until that policy's budget is whole again (RateLimit-Reset).</param>
/// <param name="RetryAfter">When refused, the time until the request would fit; zero when allowed.</param>
public sealed record RateLimitDecision(bool Allowed, string Policy, int Limit, int Remaining, TimeSpan Reset, TimeSpan RetryAfter);
