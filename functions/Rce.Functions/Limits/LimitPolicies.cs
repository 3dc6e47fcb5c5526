using Microsoft.Extensions.Options;
using Rce.Core.RateLimiting;

namespace Rce.Functions.Limits;

/// <summary>
/// Builds the checks of each kind of request from the settings. A check is all-or-nothing, so a
/// request refused by its user's window is not counted against its tenant either, and a batch that
/// does not fit a quota is refused whole. A check fails closed if any of its policies does.
/// </summary>
internal sealed class LimitPolicies(IOptions<RateLimitOptions> options)
{
    public const string AnonymousName = "anonymous";
    public const string TenantRequestsName = "tenant-requests";
    public const string UserSubmissionsName = "user-submissions";
    public const string UserBatchesName = "user-batches";
    public const string HourlyName = "tenant-submissions-hour";
    public const string DailyName = "tenant-submissions-day";
    public const string InFlightName = "tenant-in-flight";

    private RateLimitOptions O => options.Value;

    /// <summary>Unauthenticated or failed-authentication request from an address.</summary>
    public LimitCheck Anonymous(string address) =>
        Check([Rule(AnonymousName, LimitKeys.Anonymous(address), O.Anonymous)], null, O.Anonymous);

    /// <summary>Any authenticated request but the two submitting routes.</summary>
    public LimitCheck TenantRequest(string tenant) =>
        Check([Rule(TenantRequestsName, LimitKeys.TenantRequests(tenant), O.TenantRequests)], null, O.TenantRequests);

    /// <summary><c>POST /api/submissions</c>: the tenant's request window and the user's submission window.</summary>
    public LimitCheck Submit(string tenant, string user) =>
        Check(
            [Rule(TenantRequestsName, LimitKeys.TenantRequests(tenant), O.TenantRequests), Rule(UserSubmissionsName, LimitKeys.UserSubmissions(tenant, user), O.UserSubmissions)],
            null,
            O.TenantRequests,
            O.UserSubmissions);

    /// <summary><c>POST /api/batches</c>: the tenant's request window and the user's batch window.</summary>
    public LimitCheck Batch(string tenant, string user) =>
        Check(
            [Rule(TenantRequestsName, LimitKeys.TenantRequests(tenant), O.TenantRequests), Rule(UserBatchesName, LimitKeys.UserBatches(tenant, user), O.UserBatches)],
            null,
            O.TenantRequests,
            O.UserBatches);

    /// <summary>Quotas of new submissions: hourly and daily windows (cost N) and the in-flight cap.</summary>
    public LimitCheck Quota(string tenant, IReadOnlyList<string> submissionIds, DateTimeOffset deadline) =>
        Check(
            [
                Rule(HourlyName, LimitKeys.HourlySubmissions(tenant), O.TenantHourlySubmissions, submissionIds.Count),
                Rule(DailyName, LimitKeys.DailySubmissions(tenant), O.TenantDailySubmissions, submissionIds.Count),
            ],
            new InFlightClaim(InFlightName, LimitKeys.InFlight(tenant), O.TenantInFlight.Limit, submissionIds, deadline),
            O.TenantHourlySubmissions,
            O.TenantDailySubmissions,
            O.TenantInFlight);

    /// <summary>Whether a Redis outage makes health 503 (some policy fails closed) rather than Degraded.</summary>
    public bool AnyFailsClosed =>
        new[] { O.Anonymous, O.UserSubmissions, O.UserBatches, O.TenantRequests, O.TenantHourlySubmissions, O.TenantDailySubmissions, O.TenantInFlight }.Any(p => p.FailClosed);

    private static RateLimitRule Rule(string name, string key, RateLimitPolicyOptions policy, int cost = 1) =>
        new(name, key, policy.Limit, TimeSpan.FromSeconds(policy.WindowSeconds), cost);

    private static LimitCheck Check(IReadOnlyList<RateLimitRule> rules, InFlightClaim? inFlight, params RateLimitPolicyOptions[] policies) =>
        new(rules, inFlight, policies.Any(p => p.FailClosed));
}
