namespace Rce.Core.Tenancy;

/// <summary>
/// Authenticates a presented API key against the <see cref="IApiKeyStore"/>, with a short per-instance
/// cache of lookups (<see cref="AuthOptions.CacheSeconds"/>, at most 5 s, so that a revoked key is
/// refused within 5 s). Thread-safe; one instance per process.
/// </summary>
/// <remarks>
/// The order of checks is chosen so that only a holder of the right secret can tell a revoked key
/// from a wrong one (even in logs): the secret is verified before revocation is looked at. A caller
/// can still tell by timing whether a key id exists (a miss skips the hash); key ids are not
/// secret, so that reveals nothing the key lists do not.
/// </remarks>
public sealed class ApiKeyAuthenticator
{
    /// <summary>Most key ids cached at once (about 3 MB); a full cache is emptied.</summary>
    public const int CacheCapacity = 10_000;

    private readonly ApiKeyLookupCache _cache;

    /// <summary>Creates the authenticator.</summary>
    /// <param name="store">The key store.</param>
    /// <param name="timeProvider">The clock of the cache.</param>
    /// <param name="options">The settings.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="AuthOptions.CacheSeconds"/> is outside 0–5.</exception>
    public ApiKeyAuthenticator(IApiKeyStore store, TimeProvider timeProvider, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(options);

        // Checked here too, not only at startup validation: the 5 s revocation promise depends on it.
        ArgumentOutOfRangeException.ThrowIfNegative(options.CacheSeconds, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.CacheSeconds, AuthOptions.MaxCacheSeconds, nameof(options));
        _cache = new ApiKeyLookupCache(store, timeProvider, TimeSpan.FromSeconds(options.CacheSeconds), CacheCapacity);
    }

    /// <summary>Authenticates <paramref name="presented"/>, the whole key as sent by the caller.</summary>
    /// <param name="presented">The key, or null/empty when none was sent.</param>
    /// <param name="cancellationToken">Stops this caller's wait (a shared storage read goes on for others).</param>
    /// <returns>The principal, or why not. Never logs or keeps the presented key.</returns>
    /// <exception cref="Exception">The store failed (our fault, not the caller's): propagated as is.</exception>
    public async ValueTask<AuthenticationResult> AuthenticateAsync(string? presented, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return AuthenticationResult.Fail(AuthFailureReason.Missing);
        }

        if (!ApiKeyFormat.TryParse(presented, out var parsed))
        {
            return AuthenticationResult.Fail(AuthFailureReason.Malformed);
        }

        var stored = await _cache.GetAsync(parsed.KeyId, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return AuthenticationResult.Fail(AuthFailureReason.Unknown);
        }

        if (!ApiKeyFormat.SecretMatches(stored, parsed.Secret))
        {
            return AuthenticationResult.Fail(AuthFailureReason.WrongSecret);
        }

        if (stored.Revoked)
        {
            return AuthenticationResult.Fail(AuthFailureReason.Revoked);
        }

        return AuthenticationResult.Success(new ApiKeyPrincipal(stored.Tenant, stored.KeyId, stored.Roles));
    }
}
