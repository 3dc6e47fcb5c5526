using Azure.Data.Tables;
using Rce.Core.Tenancy;

namespace Rce.Infrastructure.Tenancy;

/// <summary>
/// The rows of the tenancy tables. <c>tenants</c>: PartitionKey = tenant name, RowKey = empty,
/// CreatedAt. <c>apikeys</c>: PartitionKey = key id, RowKey = empty, Tenant, Roles (text,
/// <c>submit,read,admin</c>), SecretHash (binary, 32 bytes: SHA-256 of the secret), CreatedAt and,
/// once revoked, RevokedAt.
/// </summary>
/// <remarks>
/// One partition per key id: the hot path is a point read by key id, and separate partitions
/// spread that load. Only the hash of a secret is ever written: a leaked table or backup grants no
/// access.
/// </remarks>
internal static class ApiKeyRows
{
    /// <summary>The RowKey of every row: the partition key is the identity.</summary>
    public const string RowKey = "";

    public static TableEntity Tenant(Tenant tenant) => new(tenant.Name, RowKey) { ["CreatedAt"] = tenant.CreatedAt };

    public static TableEntity Key(ApiKey key)
    {
        var row = new TableEntity(key.KeyId, RowKey)
        {
            ["Tenant"] = key.Tenant,
            ["Roles"] = ApiKeyRolesText.Format(key.Roles),
            ["SecretHash"] = key.SecretHash,
            ["CreatedAt"] = key.CreatedAt,
        };
        if (key.RevokedAt is { } revokedAt)
        {
            row["RevokedAt"] = revokedAt;
        }

        return row;
    }

    public static ApiKey ToKey(TableEntity row) => new(
        row.PartitionKey,
        row.GetString("Tenant") ?? string.Empty,
        ParseRoles(row.GetString("Roles")),
        row.GetBinary("SecretHash") ?? [],
        row.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        row.GetDateTimeOffset("RevokedAt"));

    // Fails safe: a row whose roles this version cannot read (written by a newer one, or edited by
    // hand) grants no role rather than a guessed one.
    private static ApiKeyRoles ParseRoles(string? text) =>
        ApiKeyRolesText.TryParse(text, out var roles, out _) ? roles : ApiKeyRoles.None;
}
