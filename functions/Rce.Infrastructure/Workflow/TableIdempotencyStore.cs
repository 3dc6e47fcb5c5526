using Azure;
using Azure.Data.Tables;
using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// <see cref="IIdempotencyStore"/> over the <c>IdempotencyKeys</c> table: PartitionKey = tenant,
/// RowKey = lowercase hex SHA-256 of the key (client keys may hold characters a RowKey may not), and
/// the properties Key (the client's key itself, returned as given), BodyHash, ResourceId,
/// StatusCode and Expires. The insert decides who owns a key: exactly one request wins it.
/// </summary>
public sealed class TableIdempotencyStore : IIdempotencyStore
{
    /// <summary>The table.</summary>
    public const string Table = "IdempotencyKeys";

    /// <summary>Rounds of insert / read / take-over before giving up (each lost round means another request moved the row).</summary>
    private const int MaxRounds = 4;

    private readonly StorageTable _table;

    /// <summary>Creates the store.</summary>
    /// <param name="account">The storage account.</param>
    public TableIdempotencyStore(StorageAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        _table = new StorageTable(account.Tables, Table);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The tenant is not a valid PartitionKey.</exception>
    /// <exception cref="InvalidOperationException">The row kept changing under this call (extreme contention).</exception>
    public async Task<IdempotencyClaim?> ClaimAsync(IdempotencyClaim claim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        RequireValid(claim);
        var rowKey = StorageKeys.Sha256Hex(claim.Key);
        var entity = ToEntity(claim, rowKey);
        for (var round = 0; round < MaxRounds; round++)
        {
            try
            {
                await _table.RunAsync((table, ct) => table.AddEntityAsync(entity, ct), cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (RequestFailedException error) when (StorageErrors.IsConflict(error))
            {
                // Someone holds the key: read the claim below.
            }

            var stored = await ReadAsync(claim.Tenant, rowKey, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                continue; // deleted since the insert failed: insert again
            }

            var (existing, etag) = stored.Value;
            if (existing.Expires > now)
            {
                return existing;
            }

            try
            {
                // Expired: take it over, conditionally, so two requests reusing an expired key cannot both win.
                await _table.RunAsync((table, ct) => table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace, ct), cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (RequestFailedException error) when (StorageErrors.IsConditionFailed(error) || StorageErrors.IsNotFound(error))
            {
                // Another request took it over first (or it vanished): the next round reads the winner.
            }
        }

        throw new InvalidOperationException("The idempotency key kept changing while it was claimed; try again.");
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A merge of StatusCode, conditional on the row still being this claim (same ResourceId): a claim
    /// that expired and was taken over by another request is left to its new owner.
    /// </remarks>
    public async Task CompleteAsync(IdempotencyClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        RequireValid(claim);
        var rowKey = StorageKeys.Sha256Hex(claim.Key);
        var stored = await ReadAsync(claim.Tenant, rowKey, cancellationToken).ConfigureAwait(false);
        if (stored is not { } found || found.Claim.ResourceId != claim.ResourceId)
        {
            return;
        }

        var update = new TableEntity(claim.Tenant, rowKey) { ["StatusCode"] = claim.StatusCode };
        try
        {
            await _table.RunAsync((table, ct) => table.UpdateEntityAsync(update, found.ETag, TableUpdateMode.Merge, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (StorageErrors.IsConditionFailed(error) || StorageErrors.IsNotFound(error))
        {
            // Changed or gone meanwhile: no longer this claim's row.
        }
    }

    private async Task<(IdempotencyClaim Claim, ETag ETag)?> ReadAsync(string tenant, string rowKey, CancellationToken cancellationToken)
    {
        var response = await _table.RunAsync((table, ct) => table.GetEntityIfExistsAsync<TableEntity>(tenant, rowKey, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        if (!response.HasValue)
        {
            return null;
        }

        var row = response.Value!;
        var claim = new IdempotencyClaim(
            tenant,
            row.GetString("Key") ?? string.Empty,
            row.GetString("BodyHash") ?? string.Empty,
            row.GetString("ResourceId") ?? string.Empty,
            row.GetInt32("StatusCode") ?? 0,
            row.GetDateTimeOffset("Expires") ?? DateTimeOffset.MinValue);
        return (claim, row.ETag);
    }

    private static TableEntity ToEntity(IdempotencyClaim claim, string rowKey) => new(claim.Tenant, rowKey)
    {
        ["Key"] = claim.Key,
        ["BodyHash"] = claim.BodyHash,
        ["ResourceId"] = claim.ResourceId,
        ["StatusCode"] = claim.StatusCode,
        ["Expires"] = claim.Expires,
    };

    private static void RequireValid(IdempotencyClaim claim)
    {
        if (!StorageKeys.IsValidTableKey(claim.Tenant))
        {
            throw new ArgumentException("The tenant is not a valid table key.", nameof(claim));
        }

        ArgumentException.ThrowIfNullOrEmpty(claim.Key, nameof(claim));
    }
}
