namespace Rce.Core.Submissions;

/// <summary>Exponential back-off with jitter for workflow retries (durable-style-workflow §3.5).</summary>
public static class RetryDelay
{
    /// <summary>min(base × 2^(attempt−1), cap) × r with r uniform in [0.8, 1.2]: jitter spreads a class's retries after a runner outage.</summary>
    /// <param name="attempt">The attempt that just failed (1-based).</param>
    /// <param name="baseDelay">Delay after the first failure.</param>
    /// <param name="cap">Upper bound before jitter.</param>
    /// <param name="random">Source of the jitter.</param>
    /// <returns>The delay, never negative, at most 7 days (the queue's limit).</returns>
    public static TimeSpan Compute(int attempt, TimeSpan baseDelay, TimeSpan cap, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var raw = Math.Min(baseDelay.TotalMilliseconds * Math.Pow(2, exponent), cap.TotalMilliseconds);
        var jittered = raw * (0.8 + (0.4 * random.NextDouble()));
        return TimeSpan.FromMilliseconds(Math.Clamp(jittered, 0, TimeSpan.FromDays(7).TotalMilliseconds));
    }
}
