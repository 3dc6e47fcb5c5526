using Azure;
using Azure.Data.Tables;
using Rce.Core.Tenancy;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;

namespace Rce.Infrastructure.Tenancy;

/// <summary>
/// <see cref="IApiKeyStore"/> over the tables <c>tenants</c> and <c>apikeys</c> (layout: <see cref="ApiKeyRows"/>).
/// Inserts decide uniqueness (a tenant or key id exists once); revocation is a conditional merge on
/// the row's ETag, so two revocations racing keep the first time.
/// </summary>
/// <remarks>
/// Key ids and tenant names are checked against their formats before they reach a table key or a
/// query: they come from requests and command lines, and a <c>'</c>, <c>/</c> or <c>#</c> could
/// otherwise address another row. A key id that is not well formed cannot exist, so reads answer
/// null for it.
/// </remarks>
public sealed class TableApiKeyStore : IApiKeyStore
{
    /// <summary>The tenants table.</summary>
    public const string TenantsTable = "tenants";

    /// <summary>The keys table.</summary>
    public const string KeysTable = "apikeys";

    private const int MaxRevokeRounds = 4;

    private readonly StorageTable _tenants;
    private readonly StorageTable _keys;

    /// <summary>Creates the store; the tables are created when first used.</summary>
    /// <param name="account">The storage account.</param>
    public TableApiKeyStore(StorageAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        _tenants = new StorageTable(account.Tables, TenantsTable);
        _keys = new StorageTable(account.Tables, KeysTable);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The tenant name is invalid (<see cref="TenantName"/>).</exception>
    public async Task<bool> EnsureTenantAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        RequireTenant(tenant.Name, nameof(tenant));
        try
        {
            await _tenants.RunAsync((table, ct) => table.AddEntityAsync(ApiKeyRows.Tenant(tenant), ct), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException error) when (StorageErrors.IsConflict(error))
        {
            return false;
        }
    }

    /// <inheritdoc/>
    /// <remarks>The tenant row is not checked: callers ensure the tenant first (no transaction spans two tables).</remarks>
    /// <exception cref="ArgumentException">The key id, tenant or hash is malformed.</exception>
    /// <exception cref="InvalidOperationException">A key with this id exists.</exception>
    public async Task CreateAsync(ApiKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!ApiKeyFormat.IsKeyId(key.KeyId) || key.SecretHash is not { Length: ApiKeyFormat.HashBytes })
        {
            throw new ArgumentException("Not a storable key: malformed key id or secret hash.", nameof(key));
        }

        RequireTenant(key.Tenant, nameof(key));
        try
        {
            await _keys.RunAsync((table, ct) => table.AddEntityAsync(ApiKeyRows.Key(key), ct), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (StorageErrors.IsConflict(error))
        {
            throw new InvalidOperationException($"A key with id {key.KeyId} exists already.", error);
        }
    }

    /// <inheritdoc/>
    public async Task<ApiKey?> GetAsync(string keyId, CancellationToken cancellationToken) =>
        (await ReadAsync(keyId, cancellationToken).ConfigureAwait(false))?.Key;

    /// <inheritdoc/>
    /// <remarks>A scan of the keys table (an administrative call; the table holds one row per key).</remarks>
    /// <exception cref="ArgumentException">The tenant name is invalid.</exception>
    public async Task<IReadOnlyList<ApiKey>> ListAsync(string? tenant, CancellationToken cancellationToken)
    {
        if (tenant is not null)
        {
            RequireTenant(tenant, nameof(tenant));
        }

        var filter = tenant is null ? null : TableClient.CreateQueryFilter($"Tenant eq {tenant}");
        var keys = await _keys.RunAsync(
            async (table, ct) =>
            {
                var found = new List<ApiKey>();
                await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct).ConfigureAwait(false))
                {
                    found.Add(ApiKeyRows.ToKey(row));
                }

                return found;
            },
            cancellationToken).ConfigureAwait(false);
        return [.. keys.OrderBy(k => k.CreatedAt).ThenBy(k => k.KeyId, StringComparer.Ordinal)];
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The row kept changing under this call (extreme contention).</exception>
    public async Task<ApiKey?> RevokeAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        for (var round = 0; round < MaxRevokeRounds; round++)
        {
            if (await ReadAsync(keyId, cancellationToken).ConfigureAwait(false) is not { } stored)
            {
                return null;
            }

            if (stored.Key.Revoked)
            {
                return stored.Key;
            }

            var update = new TableEntity(keyId, ApiKeyRows.RowKey) { ["RevokedAt"] = at };
            try
            {
                await _keys.RunAsync((table, ct) => table.UpdateEntityAsync(update, stored.ETag, TableUpdateMode.Merge, ct), cancellationToken).ConfigureAwait(false);
                return stored.Key with { RevokedAt = at };
            }
            catch (RequestFailedException error) when (StorageErrors.IsConditionFailed(error) || StorageErrors.IsNotFound(error))
            {
                // Changed (or deleted) since the read: the next round reads the winner.
            }
        }

        throw new InvalidOperationException($"Key {keyId} kept changing while it was revoked; try again.");
    }

    private async Task<(ApiKey Key, ETag ETag)?> ReadAsync(string keyId, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.IsKeyId(keyId))
        {
            return null;
        }

        var response = await _keys.RunAsync((table, ct) => table.GetEntityIfExistsAsync<TableEntity>(keyId, ApiKeyRows.RowKey, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        return response.HasValue ? (ApiKeyRows.ToKey(response.Value!), response.Value!.ETag) : null;
    }

    private static void RequireTenant(string name, string parameterName)
    {
        if (!TenantName.TryValidate(name, out var error))
        {
            throw new ArgumentException(error, parameterName);
        }
    }
}
