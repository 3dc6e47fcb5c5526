using Rce.Core.Tenancy;

namespace Rce.Functions.Security;

/// <summary>The authenticated caller of a request: the tenant its key acts for, the key and its roles.</summary>
internal sealed record Caller(string Tenant, string KeyId, ApiKeyRoles Roles)
{
    private static readonly object ItemKey = new();

    public void AttachTo(HttpContext context) => context.Items[ItemKey] = this;

    /// <summary>The caller of an authenticated route. Routes behind the key middleware always have one; a
    /// missing caller is a wiring bug, and failing loudly beats serving another tenant's data.</summary>
    public static Caller Of(HttpContext context) =>
        context.Items.TryGetValue(ItemKey, out var value) && value is Caller caller
            ? caller
            : throw new InvalidOperationException("No authenticated caller on this request.");
}
