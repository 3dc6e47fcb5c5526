using Microsoft.Extensions.Options;
using Rce.Core.RateLimiting;
using StackExchange.Redis;

namespace Rce.Infrastructure.Redis;

/// <summary>
/// <see cref="IRateLimiter"/> on Redis: exact sliding windows (a log of counted units per key) and
/// in-flight sets scored by deadline, checked and counted by one atomic Lua script per check
/// (<see cref="RateLimitScripts"/>, which documents the clock, atomicity and key layout).
/// Keys are <see cref="RedisOptions.KeyPrefix"/> followed by the rule's or claim's key.
/// </summary>
/// <remarks>
/// <para>Decision values: when refused, <see cref="RateLimitDecision.Policy"/> is the refusing policy
/// that needs the longest wait, <c>Remaining</c> is 0 and <c>RetryAfter</c> is the time after which the
/// same request would fit that policy if nothing else were counted meanwhile — for a window, until
/// enough of its oldest units have left it (a request costing more than the limit never fits:
/// <c>RetryAfter</c> is then one window); for an in-flight set, until its earliest deadline, at least
/// 1 s (releases usually come much earlier). When allowed, <c>Policy</c> is the one with the least
/// budget left after counting, <c>Remaining</c> that budget and <c>RetryAfter</c> zero.</para>
/// <para><c>Reset</c> is the time until that policy's budget is whole again: until every unit now
/// counted in the window has left it (one full window right after counting), or until the latest
/// in-flight deadline has passed; zero when nothing is counted.</para>
/// </remarks>
public sealed class RedisRateLimiter : IRateLimiter
{
    private readonly RedisConnection _connection;
    private readonly TimeProvider _time;
    private readonly string _prefix;

    /// <summary>Creates the limiter over <paramref name="connection"/>.</summary>
    /// <param name="connection">The shared Redis connection.</param>
    /// <param name="options">The options (key prefix).</param>
    /// <param name="timeProvider">The app's clock, only to turn in-flight deadlines into lifetimes.</param>
    public RedisRateLimiter(RedisConnection connection, IOptions<RedisOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _prefix = options.Value.KeyPrefix;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A rule or the claim is invalid, or the keys do not share a hash tag.</exception>
    public async Task<RateLimitDecision> CheckAsync(IReadOnlyList<RateLimitRule> rules, InFlightClaim? inFlight, CancellationToken cancellationToken)
    {
        var request = RateLimitRequest.Create(_prefix, rules, inFlight, _time.GetUtcNow());
        return await _connection.RunAsync(
            "rate-limit check",
            async database => Decode(await database.ScriptEvaluateAsync(RateLimitScripts.Check, request.Keys, request.Values).ConfigureAwait(false), request),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task ReleaseAsync(string key, string submissionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrEmpty(submissionId);
        RedisKey redisKey = _prefix + key;
        await _connection.RunAsync(
            "in-flight release",
            database => database.SortedSetRemoveAsync(redisKey, submissionId),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<long> InFlightAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        RedisKey[] keys = [_prefix + key];
        return await _connection.RunAsync(
            "in-flight count",
            async database => (long)await database.ScriptEvaluateAsync(RateLimitScripts.CountInFlight, keys).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>Never throws: any failure, the caller's cancellation included, answers <see langword="false"/>.</remarks>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _connection.RunAsync("ping", database => database.PingAsync(), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception error) when (error is RateLimiterUnavailableException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Reads the script's answer; a malformed one is a store failure (the caller sees "unavailable").</summary>
    private static RateLimitDecision Decode(RedisResult result, RateLimitRequest request)
    {
        var values = (long[]?)result;
        if (values is not { Length: 6 } || values[1] < 1 || values[1] > request.Policies.Length)
        {
            throw new InvalidOperationException("The rate-limit script answered in an unexpected shape.");
        }

        return new RateLimitDecision(
            Allowed: values[0] == 1,
            Policy: request.Policies[values[1] - 1],
            Limit: checked((int)values[2]),
            Remaining: checked((int)values[3]),
            Reset: TimeSpan.FromMicroseconds(values[4]),
            RetryAfter: TimeSpan.FromMicroseconds(values[5]));
    }
}
