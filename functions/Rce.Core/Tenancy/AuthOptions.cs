using System.ComponentModel.DataAnnotations;

namespace Rce.Core.Tenancy;

/// <summary>Settings of API-key authentication (section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Auth";

    /// <summary>Upper bound of <see cref="CacheSeconds"/>: the promise that a revoked key is refused within 5 s.</summary>
    public const int MaxCacheSeconds = 5;

    /// <summary>
    /// How long one instance reuses a key lookup (found or not) before it reads storage again, in
    /// seconds; 0 reads storage on every request.
    /// </summary>
    /// <value>The default value is 2 (seconds).</value>
    /// <remarks>
    /// A revocation is seen by every instance at most this long after it is stored, hence the bound
    /// of <see cref="MaxCacheSeconds"/>.
    /// </remarks>
    [Range(0, MaxCacheSeconds)]
    public int CacheSeconds { get; set; } = 2;
}
