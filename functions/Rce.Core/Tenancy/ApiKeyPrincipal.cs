namespace Rce.Core.Tenancy;

/// <summary>Who made an authenticated request: the key's tenant, the key and its roles.</summary>
/// <param name="Tenant">The tenant the request acts for; it sees only this tenant's data.</param>
/// <param name="KeyId">The key id (safe to log).</param>
/// <param name="Roles">What the key may do.</param>
public sealed record ApiKeyPrincipal(string Tenant, string KeyId, ApiKeyRoles Roles)
{
    /// <summary>Whether the key holds every role in <paramref name="required"/>.</summary>
    /// <param name="required">The roles an operation needs.</param>
    /// <returns>Whether they are all held.</returns>
    public bool Has(ApiKeyRoles required) => (Roles & required) == required;
}
