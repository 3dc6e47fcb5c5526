namespace Rce.Core.RateLimiting;

/// <summary>
/// One exact sliding window: at most <paramref name="Limit"/> units accepted in any interval of
/// length <paramref name="Window"/> under <paramref name="Key"/>.
/// </summary>
/// <param name="Policy">Policy name for headers and logs (for example <c>user-submissions</c>).</param>
/// <param name="Key">Counter key, without the store's prefix (for example <c>{tenant:acme}:user:42:submit</c>);
/// keys of one check must share their hash tag (the part in braces) so that one script can touch them all.</param>
/// <param name="Limit">Units allowed per window (≥ 1).</param>
/// <param name="Window">Window length (≥ 1 ms).</param>
/// <param name="Cost">Units this request takes (a batch of N takes N from a quota).</param>
public sealed record RateLimitRule(string Policy, string Key, int Limit, TimeSpan Window, int Cost = 1);
