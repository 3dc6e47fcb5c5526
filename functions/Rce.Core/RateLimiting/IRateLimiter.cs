namespace Rce.Core.RateLimiting;

/// <summary>
/// Atomic, all-or-nothing checks of sliding windows and in-flight sets (port; Redis Lua scripts in
/// Rce.Infrastructure, correct across any number of Functions instances).
/// </summary>
public interface IRateLimiter
{
    /// <summary>
    /// Checks every rule (and the in-flight claim, if any) in one atomic step: either all admit the
    /// request and it is counted in every one, or nothing is counted.
    /// </summary>
    /// <param name="rules">The windows (at least one unless <paramref name="inFlight"/> is given).</param>
    /// <param name="inFlight">Optional in-flight claim checked and added with the windows.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="RateLimiterUnavailableException">The store did not answer in time or is down; the caller applies its policy's failure mode.</exception>
    Task<RateLimitDecision> CheckAsync(IReadOnlyList<RateLimitRule> rules, InFlightClaim? inFlight, CancellationToken cancellationToken);

    /// <summary>Removes a finished submission from an in-flight set (idempotent).</summary>
    /// <param name="key">The in-flight set key.</param>
    /// <param name="submissionId">The submission id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    /// <exception cref="RateLimiterUnavailableException">The store is down (the entry then expires at its deadline).</exception>
    Task ReleaseAsync(string key, string submissionId, CancellationToken cancellationToken);

    /// <summary>Counts the in-flight entries not past their deadline.</summary>
    /// <param name="key">The in-flight set key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The count.</returns>
    /// <exception cref="RateLimiterUnavailableException">The store is down.</exception>
    Task<long> InFlightAsync(string key, CancellationToken cancellationToken);

    /// <summary>True when the store answers a ping within the call timeout.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the store is available.</returns>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}
