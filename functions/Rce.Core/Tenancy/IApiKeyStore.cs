namespace Rce.Core.Tenancy;

/// <summary>Persistence of tenants and API keys (port; Azure Tables in Rce.Infrastructure).</summary>
public interface IApiKeyStore
{
    /// <summary>Creates the tenant unless it exists.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when it was created now, false when it already existed.</returns>
    Task<bool> EnsureTenantAsync(Tenant tenant, CancellationToken cancellationToken);

    /// <summary>Stores a new key; its key id must be new.</summary>
    /// <param name="key">The key (secret hashed).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    Task CreateAsync(ApiKey key, CancellationToken cancellationToken);

    /// <summary>Finds a key by its id, revoked or not.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The key, or null.</returns>
    Task<ApiKey?> GetAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>Lists keys, of one tenant or of all, ordered by creation time.</summary>
    /// <param name="tenant">The tenant, or null for every tenant.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The keys.</returns>
    Task<IReadOnlyList<ApiKey>> ListAsync(string? tenant, CancellationToken cancellationToken);

    /// <summary>Revokes a key (idempotent: revoking a revoked key keeps its first revocation time).</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="at">The revocation time.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The key as revoked, or null when no such key exists.</returns>
    Task<ApiKey?> RevokeAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken);
}
