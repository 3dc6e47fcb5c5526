using System.Globalization;
using System.Security.Cryptography;
using Rce.Core.RateLimiting;
using StackExchange.Redis;

namespace Rce.Infrastructure.Redis;

/// <summary>
/// The keys and arguments of one <see cref="RateLimitScripts.Check"/> call, validated: a caller's
/// mistake throws <see cref="ArgumentException"/> here, before anything reaches Redis.
/// </summary>
internal sealed class RateLimitRequest
{
    /// <summary>Largest cost of one rule (a batch); each unit is one sorted-set member.</summary>
    public const int MaxCost = 10_000;

    /// <summary>Most submission ids in one in-flight claim.</summary>
    public const int MaxClaimIds = 10_000;

    /// <summary>Longest window: a year (a window's log is kept that long).</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(366);

    // Parameter names of IRateLimiter.CheckAsync, for the exceptions.
    private const string RulesParameter = "rules";
    private const string ClaimParameter = "inFlight";

    private RateLimitRequest(RedisKey[] keys, RedisValue[] values, string[] policies)
    {
        Keys = keys;
        Values = values;
        Policies = policies;
    }

    /// <summary>KEYS of the script: the rules' sets, then the in-flight set.</summary>
    public RedisKey[] Keys { get; }

    /// <summary>ARGV of the script.</summary>
    public RedisValue[] Values { get; }

    /// <summary>Policy names in script order (the script answers with a 1-based index into this).</summary>
    public string[] Policies { get; }

    /// <summary>Validates and lays out a check.</summary>
    /// <param name="keyPrefix">The store's key prefix.</param>
    /// <param name="rules">The windows.</param>
    /// <param name="claim">The in-flight claim, if any.</param>
    /// <param name="now">The caller's clock, only to turn the claim's deadline into a lifetime.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentException">A rule or the claim is invalid, or the keys do not share a hash tag.</exception>
    public static RateLimitRequest Create(string keyPrefix, IReadOnlyList<RateLimitRule> rules, InFlightClaim? claim, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (rules.Count == 0 && claim is null)
        {
            throw new ArgumentException("A check needs at least one rule or an in-flight claim.", RulesParameter);
        }

        var keys = new List<string>(rules.Count + 1);
        var policies = new List<string>(rules.Count + 1);
        var values = new List<RedisValue>(3 + (3 * rules.Count) + 3 + (claim?.SubmissionIds.Count ?? 0))
        {
            rules.Count,
            // Unique per call, so that members (call id, rule, unit) never collide with another call's.
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
        };
        foreach (var rule in rules)
        {
            Validate(rule, RulesParameter);
            keys.Add(rule.Key);
            policies.Add(rule.Policy);
            values.Add(rule.Limit);
            values.Add((long)Math.Ceiling(rule.Window.TotalMilliseconds));
            values.Add(rule.Cost);
        }

        if (claim is not null)
        {
            Validate(claim, ClaimParameter);
            keys.Add(claim.Key);
            policies.Add(claim.Policy);
            values.Add(claim.Max);
            // The deadline becomes a lifetime here and a server-clock deadline in the script, so
            // that expiry is judged on one clock. A deadline already past still lives 1 ms.
            values.Add(Math.Max(1L, (long)Math.Ceiling((claim.Deadline - now).TotalMilliseconds)));
            values.Add(claim.SubmissionIds.Count);
            foreach (var id in claim.SubmissionIds)
            {
                values.Add(id);
            }
        }

        HashTags.RequireSameSlot(keys);
        return new RateLimitRequest(
            [.. keys.Select(key => new RedisKey(keyPrefix + key))],
            [.. values],
            [.. policies]);
    }

    private static void Validate(RateLimitRule rule, string paramName)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentException.ThrowIfNullOrWhiteSpace(rule.Policy, paramName);
        ArgumentException.ThrowIfNullOrWhiteSpace(rule.Key, paramName);
        if (rule.Limit < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, rule.Limit, $"Rule '{rule.Policy}': the limit must be at least 1.");
        }

        if (rule.Window < TimeSpan.FromMilliseconds(1) || rule.Window > MaxWindow)
        {
            throw new ArgumentOutOfRangeException(paramName, rule.Window, $"Rule '{rule.Policy}': the window must be between 1 ms and {MaxWindow.TotalDays} days.");
        }

        if (rule.Cost is < 0 or > MaxCost)
        {
            throw new ArgumentOutOfRangeException(paramName, rule.Cost, string.Create(CultureInfo.InvariantCulture, $"Rule '{rule.Policy}': the cost must be between 0 and {MaxCost}."));
        }
    }

    private static void Validate(InFlightClaim claim, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(claim.Policy, paramName);
        ArgumentException.ThrowIfNullOrWhiteSpace(claim.Key, paramName);
        ArgumentNullException.ThrowIfNull(claim.SubmissionIds, paramName);
        if (claim.Max < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, claim.Max, $"Claim '{claim.Policy}': the maximum must not be negative.");
        }

        if (claim.SubmissionIds.Count > MaxClaimIds)
        {
            throw new ArgumentOutOfRangeException(paramName, claim.SubmissionIds.Count, $"Claim '{claim.Policy}': at most {MaxClaimIds} ids per claim.");
        }

        foreach (var id in claim.SubmissionIds)
        {
            ArgumentException.ThrowIfNullOrEmpty(id, paramName);
        }
    }
}
