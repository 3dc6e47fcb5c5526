using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// <see cref="ISubmissionStore"/> over Azure Storage: instance rows in the <c>Submissions</c> table
/// (PartitionKey = id, RowKey = <c>instance</c>), history rows in <c>SubmissionHistory</c>, and the
/// request and result documents in the private container <c>submissions</c> as
/// <c>{id}/request.json</c> and <c>{id}/result.json</c>. Tables and the container are created when
/// first used. Every update is a single-entity conditional replace (never a batch transaction,
/// whose If-Match Azurite ignores).
/// </summary>
public sealed class TableSubmissionStore : ISubmissionStore
{
    /// <summary>Table of the instance rows.</summary>
    public const string SubmissionsTable = "Submissions";

    /// <summary>Table of the history rows.</summary>
    public const string HistoryTable = "SubmissionHistory";

    /// <summary>Container of the request and result documents.</summary>
    public const string Container = "submissions";

    private readonly StorageTable _submissions;
    private readonly StorageTable _history;
    private readonly StorageContainer _blobs;
    private readonly ILogger _logger;

    /// <summary>Creates the store.</summary>
    /// <param name="account">The storage account.</param>
    /// <param name="logger">Logs history writes that failed (history is best effort); none when null.</param>
    public TableSubmissionStore(StorageAccount account, ILogger<TableSubmissionStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        _submissions = new StorageTable(account.Tables, SubmissionsTable);
        _history = new StorageTable(account.Tables, HistoryTable);
        _blobs = new StorageContainer(account.Blobs, Container);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc/>
    public async Task<Submission> CreateAsync(Submission submission, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        StorageKeys.RequireSafeId(submission.Id, nameof(submission));

        // Blob first: a row never exists without its request, so a worker that sees the row can run it.
        // A crash between the two leaves an orphan blob, which is harmless and overwritten on retry.
        await _blobs.WriteAsync(RequestBlob(submission.Id), request, cancellationToken).ConfigureAwait(false);
        var entity = SubmissionEntity.ToEntity(submission);
        try
        {
            var response = await _submissions.RunAsync((table, ct) => table.AddEntityAsync(entity, ct), cancellationToken).ConfigureAwait(false);
            return submission with { ETag = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException error) when (StorageErrors.IsConflict(error))
        {
            // Already created (a redelivered start, an idempotent replay): the stored row is the answer.
            return await GetAsync(submission.Id, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Submission {submission.Id} existed at insert time but was deleted before it could be read.");
        }
    }

    /// <inheritdoc/>
    public async Task<Submission?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!StorageKeys.IsSafeId(id))
        {
            return null; // no such row can exist
        }

        var response = await _submissions.RunAsync((table, ct) => table.GetEntityIfExistsAsync<TableEntity>(id, SubmissionEntity.RowKey, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        return response.HasValue ? SubmissionEntity.FromEntity(response.Value!) : null;
    }

    /// <inheritdoc/>
    public async Task<Submission?> TryUpdateAsync(Submission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        StorageKeys.RequireSafeId(submission.Id, nameof(submission));
        if (submission.ETag is null)
        {
            // An unconditional write would break the compare-and-set every transition relies on.
            throw new ArgumentException("A submission update must carry the ETag it was derived from.", nameof(submission));
        }

        var entity = SubmissionEntity.ToEntity(submission);
        try
        {
            var response = await _submissions.RunAsync((table, ct) => table.UpdateEntityAsync(entity, new ETag(submission.ETag), TableUpdateMode.Replace, ct), cancellationToken).ConfigureAwait(false);
            return submission with { ETag = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException error) when (StorageErrors.IsConditionFailed(error) || StorageErrors.IsNotFound(error))
        {
            return null; // another writer won, or the row was purged: the caller re-reads and decides again
        }
    }

    /// <inheritdoc/>
    public Task<byte[]?> ReadRequestAsync(string id, CancellationToken cancellationToken) =>
        StorageKeys.IsSafeId(id) ? _blobs.ReadAsync(RequestBlob(id), cancellationToken) : Task.FromResult<byte[]?>(null);

    /// <inheritdoc/>
    public Task WriteResultAsync(string id, ReadOnlyMemory<byte> result, CancellationToken cancellationToken)
    {
        StorageKeys.RequireSafeId(id, nameof(id));
        return _blobs.WriteAsync(ResultBlob(id), result, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<byte[]?> ReadResultAsync(string id, CancellationToken cancellationToken) =>
        StorageKeys.IsSafeId(id) ? _blobs.ReadAsync(ResultBlob(id), cancellationToken) : Task.FromResult<byte[]?>(null);

    /// <inheritdoc/>
    /// <remarks>
    /// Storage failures are logged and swallowed: the port's contract is best effort, and a failed
    /// history write must not abort the step that follows a won transition (batch record, waiters,
    /// callbacks). Cancellation still propagates.
    /// </remarks>
    public async Task AppendHistoryAsync(string id, HistoryEvent historyEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(historyEvent);
        StorageKeys.RequireSafeId(id, nameof(id));
        var entity = HistoryEntity.ToEntity(id, historyEvent);
        try
        {
            await _history.RunAsync((table, ct) => table.AddEntityAsync(entity, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is RequestFailedException or AggregateException)
        {
            WorkflowStorageLog.HistoryNotRecorded(_logger, id, historyEvent.EventType, StorageErrors.Describe(error));
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<HistoryEvent>> ReadHistoryAsync(string id, CancellationToken cancellationToken)
    {
        if (!StorageKeys.IsSafeId(id))
        {
            return [];
        }

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {id}");
        return await _history.RunAsync<IReadOnlyList<HistoryEvent>>(
            async (table, ct) =>
            {
                var events = new List<HistoryEvent>();
                await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: ct).ConfigureAwait(false))
                {
                    events.Add(HistoryEntity.FromEntity(entity));
                }

                return events;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The filter is on non-key properties, so the service scans: a page may hold fewer than
    /// <see cref="SubmissionQuery.Top"/> rows (even none) and still have a continuation. Threat: a
    /// continuation token only says where to resume; the tenant filter is applied to every page, so
    /// a token from another tenant's listing reveals nothing of it. A malformed token fails the query
    /// (<see cref="RequestFailedException"/> 400 from the service).
    /// </remarks>
    public async Task<SubmissionPage> ListAsync(SubmissionQuery query, string? continuation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Top, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Top, 1000);
        var filter = SubmissionListFilter.Build(query);
        var resumeFrom = string.IsNullOrEmpty(continuation) ? null : continuation;
        return await _submissions.RunAsync(
            async (table, ct) =>
            {
                await foreach (var page in table.QueryAsync<TableEntity>(filter, query.Top, cancellationToken: ct).AsPages(resumeFrom, query.Top).ConfigureAwait(false))
                {
                    var items = page.Values.Select(SubmissionEntity.FromEntity).ToList();
                    return new SubmissionPage(items, string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
                }

                return new SubmissionPage([], null);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Order: history, blobs, then the row. The row goes last so that a purge interrupted half-way
    /// leaves the instance findable, and purging it again finishes the job. Missing pieces are fine.
    /// </remarks>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (!StorageKeys.IsSafeId(id))
        {
            return;
        }

        await DeleteHistoryAsync(id, cancellationToken).ConfigureAwait(false);
        await _blobs.DeletePrefixAsync(id + "/", cancellationToken).ConfigureAwait(false);

        // DeleteEntity treats 404 as success; ETag.All: a purge removes whatever state the row is in.
        await _submissions.RunAsync((table, ct) => table.DeleteEntityAsync(id, SubmissionEntity.RowKey, ETag.All, ct), cancellationToken).ConfigureAwait(false);
    }

    private Task DeleteHistoryAsync(string id, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {id}");
        return _history.RunAsync(
            async (table, ct) =>
            {
                var keys = new List<string>();
                await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: ct).ConfigureAwait(false))
                {
                    keys.Add(entity.RowKey);
                }

                // Deletes only, all in one partition: a transaction saves round trips and no ETag matters.
                foreach (var chunk in keys.Chunk(TableTransactions.MaxActions))
                {
                    await TableTransactions.DeleteAsync(table, id, chunk, ct).ConfigureAwait(false);
                }
            },
            cancellationToken);
    }

    private static string RequestBlob(string id) => id + "/request.json";

    private static string ResultBlob(string id) => id + "/result.json";
}
