using System.ComponentModel.DataAnnotations;

namespace Rce.Infrastructure.Redis;

/// <summary>
/// Settings of the Redis store of rate limits and quotas (configuration section <c>Redis</c>):
/// either <c>Redis__ConnectionString</c> (local runs, tests) or, for Azure Cache for Redis,
/// <c>Redis__HostName</c> with <c>Redis__UseEntraId=true</c> and <c>Redis__UserName</c>.
/// Validated at startup (<see cref="RedisOptionsRules"/>).
/// </summary>
/// <remarks>
/// No access key is ever configured for Azure: the app authenticates with its managed identity's
/// Microsoft Entra tokens (<see cref="RedisEntraAuthenticator"/>). A connection string may carry a
/// password for a self-hosted Redis; it is then a secret and is never logged.
/// </remarks>
public sealed class RedisOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Redis";

    /// <summary>
    /// A StackExchange.Redis configuration string, for example <c>127.0.0.1:6379</c>. Exactly one of
    /// this and <see cref="HostName"/> is set. No default. The timeouts, retry and reconnect settings
    /// of this adapter override whatever the string says about them.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Bound on each Redis call (connection wait excepted, see <see cref="RedisConnection"/>), in ms:
    /// a slow store must not slow every request. The default value is 250.
    /// </summary>
    [Range(10, 60_000)]
    public int CallTimeoutMs { get; set; } = 250;

    /// <summary>
    /// Prefix of every key this app writes, so that one Redis can serve several apps. Must not
    /// contain braces (it would change the keys' hash tags) or white space. The default value is <c>rce:</c>.
    /// </summary>
    [StringLength(64)]
    [RegularExpression(@"^[^{}\s]*$", ErrorMessage = "Redis__KeyPrefix must not contain braces or white space.")]
    public string KeyPrefix { get; set; } = "rce:";

    /// <summary>
    /// Host name of an Azure Cache for Redis (for example <c>rce-abc.redis.cache.windows.net</c>),
    /// reached over TLS on <see cref="Port"/>. Requires <see cref="UseEntraId"/>. No default.
    /// </summary>
    public string? HostName { get; set; }

    /// <summary>TLS port of <see cref="HostName"/>. The default value is 6380.</summary>
    [Range(1, 65_535)]
    public int Port { get; set; } = 6380;

    /// <summary>
    /// Authenticate with Microsoft Entra ID tokens of the app's managed identity instead of a
    /// password. The default value is <see langword="false"/>.
    /// </summary>
    public bool UseEntraId { get; set; }

    /// <summary>
    /// The Redis user of the managed identity: its object (principal) id, as named in the cache's
    /// data access policy assignment. Required with <see cref="UseEntraId"/>. No default.
    /// </summary>
    [StringLength(128)]
    public string? UserName { get; set; }

    /// <summary>
    /// Client id of a user-assigned managed identity; unset for the system-assigned one. No default.
    /// </summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// How long before a token expires it is replaced, in seconds (tokens whose lifetime is shorter
    /// than twice this are replaced at half their lifetime). The default value is 300.
    /// </summary>
    [Range(1, 3_600)]
    public int TokenRefreshMarginSeconds { get; set; } = 300;

    /// <summary><see cref="CallTimeoutMs"/> as a time span.</summary>
    internal TimeSpan CallTimeout => TimeSpan.FromMilliseconds(CallTimeoutMs);

    /// <summary>
    /// Bound on establishing a connection (TCP, TLS, AUTH, HELLO and the client's configuration
    /// reads), four call timeouts but at least 1 s: it runs off the request path, and a handshake
    /// that never fits its bound would never connect at all.
    /// </summary>
    internal TimeSpan ConnectTimeout => TimeSpan.FromMilliseconds(Math.Max(1_000, 4 * CallTimeoutMs));
}
