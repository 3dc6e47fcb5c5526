namespace Rce.Core.Tenancy;

/// <summary>
/// A stored API key. Only the SHA-256 of the secret is kept; the plaintext key
/// (<c>rce_&lt;keyid&gt;_&lt;secret&gt;</c>) is shown once, when it is created.
/// </summary>
/// <param name="KeyId">Public identifier, part of the key; the lookup key of the store.</param>
/// <param name="Tenant">The tenant (an LMS installation) the key acts for.</param>
/// <param name="Roles">What the key may do.</param>
/// <param name="SecretHash">SHA-256 of the secret's bytes (32 bytes).</param>
/// <param name="CreatedAt">When the key was created.</param>
/// <param name="RevokedAt">When the key was revoked; null while it is valid.</param>
public sealed record ApiKey(string KeyId, string Tenant, ApiKeyRoles Roles, byte[] SecretHash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    /// <summary>True once revoked.</summary>
    public bool Revoked => RevokedAt is not null;
}
