using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rce.Core.Submissions;
using Rce.Core.Verdicts;
using Rce.Infrastructure.Storage;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// <see cref="IBatchStore"/> over the <c>Batches</c> table. One partition per batch: the batch row
/// (RowKey <c>batch</c>: Tenant, CreatedTime, Count) and one item row per member (RowKey
/// <c>item-{index:D5}</c>: SubmissionId, Status, Verdict), so reading a batch's progress is one
/// partition query and recording a member touches only its own row (no hot row). The winners'
/// records are written behind (<see cref="RecordLaterAsync"/>), a transaction for many members.
/// </summary>
public sealed class TableBatchStore : IBatchStore, IAsyncDisposable, IDisposable
{
    /// <summary>The table.</summary>
    public const string Table = "Batches";

    /// <summary>Most members of a batch: the item row key holds five digits.</summary>
    public const int MaxItems = 100_000;

    private const string BatchRowKey = "batch";
    private const string ItemPrefix = "item-";

    // "item." is the first key after every "item-…" key ('.' follows '-' in ordinal order).
    private const string ItemRangeEnd = "item.";

    private readonly StorageTable _table;
    private readonly BulkWriter<TableEntity> _later;
    private readonly bool _writeBehind;

    /// <summary>Creates the store.</summary>
    /// <param name="account">The storage account.</param>
    /// <param name="workflow">The workflow's settings (<see cref="WorkflowOptions.WriteBehindMs"/>); the defaults when null.</param>
    /// <param name="logger">Logs records written behind that failed; none when null.</param>
    /// <param name="time">The clock of records written behind; the system's when null.</param>
    public TableBatchStore(StorageAccount account, IOptions<WorkflowOptions>? workflow = null, ILogger<TableBatchStore>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        _table = new StorageTable(account.Tables, Table);
        var delay = TimeSpan.FromMilliseconds((workflow?.Value ?? new WorkflowOptions()).WriteBehindMs);
        _writeBehind = delay > TimeSpan.Zero;
        _later = new BulkWriter<TableEntity>(
            "batch items", static row => row.PartitionKey, static row => row.RowKey, WriteItemsAsync, delay, time ?? TimeProvider.System, (ILogger?)logger ?? NullLogger.Instance);
    }

    /// <summary>Records taken by <see cref="RecordLaterAsync"/> and not written yet.</summary>
    internal int RecordsWaiting => _later.Waiting;

    /// <inheritdoc/>
    /// <remarks>
    /// Items go in entity-group transactions of at most 100 upsert-merges writing only SubmissionId:
    /// re-running a create after a crash is harmless and never resets a member the fan-in already
    /// recorded (a missing Status reads as Queued). The batch row is written last, so a batch that
    /// can be read has all its items.
    /// </remarks>
    public async Task CreateAsync(Batch batch, IReadOnlyList<string> submissionIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(submissionIds);
        StorageKeys.RequireSafeId(batch.Id, nameof(batch));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(submissionIds.Count, MaxItems, nameof(submissionIds));
        await WriteItemsAsync([.. submissionIds.Select((submissionId, index) => new TableEntity(batch.Id, ItemRowKey(index)) { ["SubmissionId"] = submissionId })], cancellationToken).ConfigureAwait(false);

        var row = new TableEntity(batch.Id, BatchRowKey)
        {
            ["Tenant"] = batch.Tenant,
            ["CreatedTime"] = batch.CreatedTime,
            ["Count"] = batch.Count,
        };
        await _table.RunAsync((table, ct) => table.UpsertEntityAsync(row, TableUpdateMode.Replace, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<Batch?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!StorageKeys.IsSafeId(id))
        {
            return null;
        }

        var response = await _table.RunAsync((table, ct) => table.GetEntityIfExistsAsync<TableEntity>(id, BatchRowKey, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        if (!response.HasValue)
        {
            return null;
        }

        var row = response.Value!;
        return new Batch(
            id,
            row.GetString("Tenant") ?? throw new InvalidDataException($"Batch row {id}: Tenant is missing."),
            row.GetDateTimeOffset("CreatedTime") ?? throw new InvalidDataException($"Batch row {id}: CreatedTime is missing."),
            row.GetInt32("Count") ?? 0);
    }

    /// <inheritdoc/>
    /// <remarks>This process's records written behind go out first: a reader here sees its own process's ends at once.</remarks>
    public async Task<IReadOnlyList<BatchItem>> GetItemsAsync(string id, CancellationToken cancellationToken)
    {
        if (!StorageKeys.IsSafeId(id))
        {
            return [];
        }

        await _later.FlushAsync(id, cancellationToken).ConfigureAwait(false);

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {id} and RowKey ge {ItemPrefix} and RowKey lt {ItemRangeEnd}");
        return await _table.RunAsync<IReadOnlyList<BatchItem>>(
            async (table, ct) =>
            {
                // Tables returns a partition in RowKey order, and the zero-padded index makes that the request order.
                var items = new List<BatchItem>();
                await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: ct).ConfigureAwait(false))
                {
                    items.Add(ToItem(row));
                }

                return items;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task RecordAsync(string batchId, BatchItem item, CancellationToken cancellationToken) =>
        WriteItemAsync(ItemRow(batchId, item), cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// Waits at most <see cref="WorkflowOptions.WriteBehindMs"/> for other members of the batch and
    /// goes out with them as one transaction of upsert-merges (per hundred); with a zero delay, or
    /// when the writer is full or stopping, it is written now, as <see cref="RecordAsync"/>.
    /// </remarks>
    public Task RecordLaterAsync(string batchId, BatchItem item, CancellationToken cancellationToken)
    {
        var row = ItemRow(batchId, item);
        return _writeBehind && _later.TryAdd(row) ? Task.CompletedTask : WriteItemAsync(row, cancellationToken);
    }

    /// <summary>Writes the records still waiting and stops taking new ones (the process is stopping).</summary>
    /// <returns>A task.</returns>
    public ValueTask DisposeAsync() => _later.DisposeAsync();

    /// <summary>As <see cref="DisposeAsync"/>, blocking (a container disposed synchronously): bounded by the writer's stop timeout.</summary>
    public void Dispose() => _later.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Upsert-merge, unconditional: recording the same terminal state twice writes the same values.</summary>
    private Task<Azure.Response> WriteItemAsync(TableEntity row, CancellationToken cancellationToken) =>
        _table.RunAsync((table, ct) => table.UpsertEntityAsync(row, TableUpdateMode.Merge, ct), cancellationToken);

    /// <summary>Item rows of one batch (a create's, or the writer's partition), as transactions of upsert-merges, a few at a time.</summary>
    private Task WriteItemsAsync(IReadOnlyCollection<TableEntity> rows, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            rows.Cast<ITableEntity>().Chunk(TableTransactions.MaxActions),
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (chunk, ct) => await _table.RunAsync((table, token) => TableTransactions.UpsertAsync(table, chunk, TableUpdateMode.Merge, token), ct).ConfigureAwait(false));

    /// <summary>The item row recording <paramref name="item"/>: SubmissionId, Status and, once terminal, Verdict.</summary>
    private static TableEntity ItemRow(string batchId, BatchItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        StorageKeys.RequireSafeId(batchId, nameof(batchId));
        ArgumentOutOfRangeException.ThrowIfNegative(item.Index, nameof(item));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(item.Index, MaxItems, nameof(item));
        var row = new TableEntity(batchId, ItemRowKey(item.Index))
        {
            ["SubmissionId"] = item.SubmissionId,
            ["Status"] = item.Status.ToString(),
        };
        if (item.Verdict is { } verdict)
        {
            row["Verdict"] = verdict.ToCode();
        }

        return row;
    }

    private static string ItemRowKey(int index) => ItemPrefix + index.ToString("D5", CultureInfo.InvariantCulture);

    private static BatchItem ToItem(TableEntity row)
    {
        var index = int.Parse(row.RowKey.AsSpan(ItemPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture);
        var status = row.GetString("Status") is { } text
            ? SubmissionStatuses.TryParse(text, out var parsed) ? parsed : throw new InvalidDataException($"Batch item {row.PartitionKey}/{row.RowKey}: Status is not a known value.")
            : SubmissionStatus.Queued;
        Verdict? verdict = row.GetString("Verdict") is { } code
            ? VerdictCodes.TryParse(code, out var v) ? v : throw new InvalidDataException($"Batch item {row.PartitionKey}/{row.RowKey}: Verdict is not a known code.")
            : null;
        return new BatchItem(index, row.GetString("SubmissionId") ?? string.Empty, status, verdict);
    }
}
