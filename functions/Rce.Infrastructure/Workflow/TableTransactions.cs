using Azure;
using Azure.Data.Tables;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// Entity-group transactions, used only where no ETag matters (Azurite ignores If-Match inside
/// them): idempotent upserts of new rows and deletes. At most 100 actions, one partition.
/// </summary>
internal static class TableTransactions
{
    /// <summary>The service's limit on actions per transaction.</summary>
    public const int MaxActions = 100;

    /// <summary>Deletes rows of one partition; rows already gone are fine.</summary>
    /// <param name="table">The table.</param>
    /// <param name="partitionKey">The partition.</param>
    /// <param name="rowKeys">At most <see cref="MaxActions"/> row keys.</param>
    /// <param name="cancellationToken">Cancels the deletes.</param>
    /// <returns>A task.</returns>
    public static async Task DeleteAsync(TableClient table, string partitionKey, IReadOnlyCollection<string> rowKeys, CancellationToken cancellationToken)
    {
        var actions = rowKeys.Select(rowKey => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partitionKey, rowKey), ETag.All));
        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        }
        catch (TableTransactionFailedException error) when (error.Status == 404)
        {
            // Someone else deleted one of them meanwhile (a concurrent purge): the whole transaction
            // was refused, so delete one by one, where a 404 counts as done.
            foreach (var rowKey in rowKeys)
            {
                await table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Submits upserts of rows of one partition.</summary>
    /// <param name="table">The table.</param>
    /// <param name="entities">At most <see cref="MaxActions"/> entities of one partition.</param>
    /// <param name="mode">Merge (keep properties not written) or replace.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>A task.</returns>
    public static Task UpsertAsync(TableClient table, IEnumerable<ITableEntity> entities, TableUpdateMode mode, CancellationToken cancellationToken)
    {
        var type = mode == TableUpdateMode.Merge ? TableTransactionActionType.UpsertMerge : TableTransactionActionType.UpsertReplace;
        return table.SubmitTransactionAsync(entities.Select(entity => new TableTransactionAction(type, entity)), cancellationToken);
    }
}
