using System.ComponentModel.DataAnnotations;

namespace Rce.Functions.Limits;

/// <summary>One policy: a sliding window (or, for in-flight, a cap) and what to do when Redis is down.</summary>
public sealed class RateLimitPolicyOptions
{
    /// <summary>Units allowed per window (requests for rate limits, submissions for quotas).</summary>
    [Range(1, 100_000_000)]
    public int Limit { get; set; }

    /// <summary>Window length in seconds (ignored by the in-flight cap).</summary>
    [Range(1, 31 * 86_400)]
    public int WindowSeconds { get; set; }

    /// <summary>When Redis does not answer: true refuses (503 with Retry-After), false admits unchecked.</summary>
    public bool FailClosed { get; set; }
}

/// <summary>
/// Rate limits (they count HTTP requests) and quotas (they count submissions), section
/// <c>RateLimits</c>. Defaults are the product's; benchmarks and tests raise or shorten them by settings.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Unauthenticated and failed-authentication requests per client address.</summary>
    [Required]
    public RateLimitPolicyOptions Anonymous { get; set; } = new() { Limit = 100, WindowSeconds = 900, FailClosed = false };

    /// <summary><c>POST /api/submissions</c> per end user (tenant + user id).</summary>
    [Required]
    public RateLimitPolicyOptions UserSubmissions { get; set; } = new() { Limit = 10, WindowSeconds = 60, FailClosed = true };

    /// <summary><c>POST /api/batches</c> per end user.</summary>
    [Required]
    public RateLimitPolicyOptions UserBatches { get; set; } = new() { Limit = 2, WindowSeconds = 60, FailClosed = true };

    /// <summary>Every authenticated request of a tenant, polls included.</summary>
    [Required]
    public RateLimitPolicyOptions TenantRequests { get; set; } = new() { Limit = 1_200, WindowSeconds = 60, FailClosed = false };

    /// <summary>Submissions per tenant per hour (a batch counts its N).</summary>
    [Required]
    public RateLimitPolicyOptions TenantHourlySubmissions { get; set; } = new() { Limit = 2_000, WindowSeconds = 3_600, FailClosed = true };

    /// <summary>Submissions per tenant per day.</summary>
    [Required]
    public RateLimitPolicyOptions TenantDailySubmissions { get; set; } = new() { Limit = 20_000, WindowSeconds = 86_400, FailClosed = true };

    /// <summary>Submissions of a tenant not yet terminal (Limit is the cap; WindowSeconds is unused).</summary>
    [Required]
    public RateLimitPolicyOptions TenantInFlight { get; set; } = new() { Limit = 2_000, WindowSeconds = 1, FailClosed = true };

    /// <summary>Proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed. In hosted mode the
    /// Functions host on loopback is added.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Retry-After of a 503 when Redis does not answer and the policy fails closed.</summary>
    [Range(1, 3_600)]
    public int UnavailableRetryAfterSeconds { get; set; } = 5;
}
