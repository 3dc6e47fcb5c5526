namespace Rce.Infrastructure.Redis;

/// <summary>
/// When to replace an Entra token: <c>margin</c> before it expires, at half its lifetime when the
/// margin would leave less than that, earlier if the token says when it should be refreshed, and
/// never sooner than 1 s from now (so a credential handing out tokens that are already expired cannot
/// make a tight loop).
/// </summary>
internal static class TokenRefreshSchedule
{
    /// <summary>The shortest wait between two attempts.</summary>
    public static readonly TimeSpan MinimumDelay = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait after a failed attempt.</summary>
    public static readonly TimeSpan MaximumRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>Delay until the token that expires at <paramref name="expiresOn"/> is replaced.</summary>
    /// <param name="now">The current time.</param>
    /// <param name="expiresOn">When the token expires.</param>
    /// <param name="refreshOn">When the issuer suggests refreshing, if it says.</param>
    /// <param name="margin">How long before expiry to replace it.</param>
    /// <returns>The delay, at least <see cref="MinimumDelay"/>.</returns>
    public static TimeSpan NextRefresh(DateTimeOffset now, DateTimeOffset expiresOn, DateTimeOffset? refreshOn, TimeSpan margin)
    {
        var lifetime = expiresOn - now;
        var delay = lifetime - margin;
        if (delay < lifetime / 2)
        {
            delay = lifetime / 2;
        }

        if (refreshOn is { } suggested && suggested - now < delay)
        {
            delay = suggested - now;
        }

        return delay < MinimumDelay ? MinimumDelay : delay;
    }

    /// <summary>
    /// Delay before trying again after a failed or useless attempt (no token, or not a newer one):
    /// a quarter of what is left of the current token, between 1 s and 30 s, so that a token still
    /// valid for long is not hammered for, and one about to expire is retried often.
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <param name="expiresOn">When the current token expires.</param>
    /// <returns>The delay.</returns>
    public static TimeSpan Retry(DateTimeOffset now, DateTimeOffset expiresOn)
    {
        var delay = (expiresOn - now) / 4;
        return delay < MinimumDelay ? MinimumDelay : delay > MaximumRetryDelay ? MaximumRetryDelay : delay;
    }
}
