using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// <see cref="ISubmissionStore"/> over Azure Storage: instance rows in the <c>Submissions</c> table
/// (PartitionKey = id, RowKey = <c>instance</c>; each carries the history of its own transitions),
/// other history rows (callback deliveries) in <c>SubmissionHistory</c>, the
/// listing index in <c>SubmissionsByTenant</c> (<see cref="SubmissionIndex"/>), and the
/// request and result documents in the row when small (<see cref="SubmissionEntity.MaxInlineBytes"/>),
/// else in the private container <c>submissions</c> as <c>{id}/request.json</c> and
/// <c>{id}/result.json</c>. Tables and the container are created when
/// first used. Every update is a single-entity conditional replace (never a batch transaction,
/// whose If-Match Azurite ignores).
/// </summary>
public sealed class TableSubmissionStore : ISubmissionStore, IAsyncDisposable, IDisposable
{
    /// <summary>Table of the instance rows.</summary>
    public const string SubmissionsTable = "Submissions";

    /// <summary>Table of the history rows.</summary>
    public const string HistoryTable = "SubmissionHistory";

    /// <summary>Table of the listing index (tenant → submissions, newest first).</summary>
    public const string IndexTable = "SubmissionsByTenant";

    /// <summary>Container of the request and result documents.</summary>
    public const string Container = "submissions";

    /// <summary>The row property holding the token of the write that stored it (see <see cref="TryUpdateAsync"/>).</summary>
    internal const string WriteTokenProperty = "WriteToken";

    private readonly StorageTable _submissions;
    private readonly StorageTable _history;
    private readonly StorageContainer _blobs;
    private readonly SubmissionIndex _index;
    private readonly ILogger _logger;
    private readonly RecentWrites _recent;
    private readonly BulkWriter<Submission> _later;
    private readonly TimeSpan _listingDelay;

    // Ids listed ahead (ListAheadAsync) whose row is not created yet, with the creation ticks of
    // their entry: CreateAsync of that very submission skips the entry. Bounded: past the bound an
    // id is not remembered and its create writes the entry again (an idempotent upsert).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _listedAhead = new(StringComparer.Ordinal);

    /// <summary>Creates the store.</summary>
    /// <param name="account">The storage account.</param>
    /// <param name="logger">Logs history writes that failed (history is best effort); none when null.</param>
    /// <param name="time">The clock of <see cref="Recent"/>'s ages; the system's when null.</param>
    /// <param name="workflow">The workflow's settings (<see cref="WorkflowOptions.WriteBehindMs"/>); the defaults when null.</param>
    public TableSubmissionStore(StorageAccount account, ILogger<TableSubmissionStore>? logger = null, TimeProvider? time = null, IOptions<WorkflowOptions>? workflow = null)
        : this((account ?? throw new ArgumentNullException(nameof(account))).Tables, account.Blobs, logger, time, workflow is null ? null : TimeSpan.FromMilliseconds(workflow.Value.WriteBehindMs))
    {
    }

    /// <summary>Creates the store over given service clients (tests: clients with their own pipeline policies).</summary>
    /// <param name="tables">The table service.</param>
    /// <param name="blobs">The blob service.</param>
    /// <param name="logger">Logs best-effort writes that failed.</param>
    /// <param name="time">The clock of copies' ages and of entries listed later.</param>
    /// <param name="listingDelay">How long an entry listed later waits for others of its tenant (the default of <see cref="WorkflowOptions.WriteBehindMs"/> when null; zero: listed before the answer).</param>
    internal TableSubmissionStore(TableServiceClient tables, Azure.Storage.Blobs.BlobServiceClient blobs, ILogger? logger = null, TimeProvider? time = null, TimeSpan? listingDelay = null)
    {
        time ??= TimeProvider.System;
        _recent = new RecentWrites(time);
        _submissions = new StorageTable(tables, SubmissionsTable);
        _history = new StorageTable(tables, HistoryTable);
        _blobs = new StorageContainer(blobs, Container);
        _index = new SubmissionIndex(tables, IndexTable);
        _logger = logger ?? NullLogger.Instance;
        _listingDelay = listingDelay ?? TimeSpan.FromMilliseconds(new WorkflowOptions().WriteBehindMs);
        _later = new BulkWriter<Submission>("listing entries", static row => row.Tenant, static row => row.Id, _index.AddManyAsync, _listingDelay, time, _logger);
    }

    /// <summary>Listing entries taken by <see cref="CreateListedLaterAsync"/> and not written yet.</summary>
    internal int ListingsWaiting => _later.Waiting;

    /// <inheritdoc/>
    public Task<Submission> CreateAsync(Submission submission, ReadOnlyMemory<byte> request, CancellationToken cancellationToken) =>
        CreateAsync(submission, request, Task.CompletedTask, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// A request of at most <see cref="SubmissionEntity.MaxInlineBytes"/> is kept in the row; a
    /// larger one goes to the request blob. The blob, the index entry and <paramref name="armed"/>
    /// run side by side, the row after all three: a row never exists without its request (a worker
    /// that sees the row can run it) nor without its entry (every row is listed). A crash before the
    /// row leaves an orphan blob (overwritten on retry) and an entry whose row is missing (listings
    /// skip it).
    /// </remarks>
    public Task<Submission> CreateAsync(Submission submission, ReadOnlyMemory<byte> request, Task armed, CancellationToken cancellationToken) =>
        CreateAsync(submission, request, armed, listLater: false, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// The entry is given to a <see cref="BulkWriter{T}"/> once the row is inserted, and
    /// written with the tenant's others within <see cref="WorkflowOptions.WriteBehindMs"/> (a
    /// listing by this process writes them first); the caller's reconcile check writes it if this
    /// process dies first. A row found stored already (a replay) gets nothing: its own create listed it.
    /// With a zero delay it is listed before the answer, as by a plain create.
    /// </remarks>
    public Task<Submission> CreateListedLaterAsync(Submission submission, ReadOnlyMemory<byte> request, CancellationToken cancellationToken) =>
        CreateAsync(submission, request, Task.CompletedTask, listLater: _listingDelay > TimeSpan.Zero, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>A transaction per hundred rows of a tenant (<see cref="SubmissionIndex.AddManyAsync"/>).</remarks>
    public Task EnsureListedAsync(IReadOnlyCollection<Submission> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var row in rows)
        {
            StorageKeys.RequireSafeId(row.Id, nameof(rows));
        }

        return rows.Count == 0 ? Task.CompletedTask : _index.AddManyAsync(rows, cancellationToken);
    }

    /// <summary>Writes the listing entries still waiting and stops taking new ones (the process is stopping).</summary>
    /// <returns>A task.</returns>
    public ValueTask DisposeAsync() => _later.DisposeAsync();

    /// <summary>As <see cref="DisposeAsync"/>, blocking (a container disposed synchronously): bounded by the writer's stop timeout.</summary>
    public void Dispose() => _later.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task<Submission> CreateAsync(Submission submission, ReadOnlyMemory<byte> request, Task armed, bool listLater, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(armed);
        StorageKeys.RequireSafeId(submission.Id, nameof(submission));

        var inline = request.Length <= SubmissionEntity.MaxInlineBytes;
        submission = submission with { InlineRequest = inline ? request.ToArray() : null };
        await Task.WhenAll(
            armed,
            inline ? Task.CompletedTask : _blobs.WriteAsync(RequestBlob(submission.Id), request, cancellationToken),
            listLater || ListedAhead(submission) ? Task.CompletedTask : _index.AddAsync(submission, cancellationToken)).ConfigureAwait(false);
        var entity = SubmissionEntity.ToEntity(submission);
        Submission created;
        try
        {
            var response = await _submissions.RunAsync((table, ct) => table.AddEntityAsync(entity, ct), cancellationToken).ConfigureAwait(false);
            created = Wrote(submission with { ETag = response.Headers.ETag?.ToString() });
        }
        catch (RequestFailedException error) when (StorageErrors.IsConflict(error))
        {
            _recent.Forget(submission.Id);
            // Already created (a redelivered start, an idempotent replay): the stored row is the answer.
            var stored = await GetAsync(submission.Id, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Submission {submission.Id} existed at insert time but was deleted before it could be read.");
            if (!listLater && !SubmissionIndex.IsEntryOf(stored, submission.Tenant, submission.CreatedTime.UtcTicks))
            {
                // The entry just written is not the stored row's (another creation time or tenant): remove the stray.
                await _index.RemoveAsync(submission.Tenant, submission.CreatedTime, submission.Id, cancellationToken).ConfigureAwait(false);
            }

            return stored;
        }

        if (listLater && !_later.TryAdd(created))
        {
            // The writer is full or stopping: list it now, as a plain create does (before its answer).
            await _index.AddAsync(created, cancellationToken).ConfigureAwait(false);
        }

        return created;
    }

    /// <summary>At most this many ids listed ahead are remembered at once.</summary>
    internal const int MaxListedAhead = 10_000;

    /// <inheritdoc/>
    public async Task ListAheadAsync(IReadOnlyCollection<Submission> submissions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submissions);
        foreach (var submission in submissions)
        {
            StorageKeys.RequireSafeId(submission.Id, nameof(submissions));
        }

        await _index.AddManyAsync(submissions, cancellationToken).ConfigureAwait(false);
        foreach (var submission in submissions.Take(Math.Max(0, MaxListedAhead - _listedAhead.Count)))
        {
            _listedAhead[submission.Id] = submission.CreatedTime.UtcTicks;
        }
    }

    /// <summary>Whether the entry of <paramref name="submission"/> was written ahead (then forgotten: it is used once).</summary>
    private bool ListedAhead(Submission submission) =>
        _listedAhead.TryRemove(submission.Id, out var ticks) && ticks == submission.CreatedTime.UtcTicks;

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
    /// <remarks>Copies are kept of this store's own creates and updates, and forgotten when an update finds the row changed or gone, and on purge.</remarks>
    public Submission? Recent(string id, TimeSpan maxAge) => _recent.Recent(id, maxAge);

    private Submission Wrote(Submission row)
    {
        _recent.Wrote(row);
        return row;
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

        // Every write carries a token of its own: when the client's retry of a write whose reply was
        // lost (a network timeout) answers 412, the row tells whether that 412 is our own first try.
        var entity = SubmissionEntity.ToEntity(submission);
        var token = Guid.NewGuid().ToString("N");
        entity[WriteTokenProperty] = token;
        try
        {
            var response = await _submissions.RunAsync((table, ct) => table.UpdateEntityAsync(entity, new ETag(submission.ETag), TableUpdateMode.Replace, ct), cancellationToken).ConfigureAwait(false);
            return Wrote(submission with { ETag = response.Headers.ETag?.ToString() });
        }
        catch (RequestFailedException error) when (StorageErrors.IsConditionFailed(error))
        {
            // Either another writer won (the caller re-reads and decides again), or the write landed
            // and only its reply was lost: then it is ours, and answering "lost" would make the
            // caller give up a transition it made (the batch stall: a terminal row never recorded,
            // a claimed row left Running until the reconcile pass).
            var current = await _submissions.RunAsync((table, ct) => table.GetEntityIfExistsAsync<TableEntity>(submission.Id, SubmissionEntity.RowKey, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
            if (current.HasValue && string.Equals(current.Value!.GetString(WriteTokenProperty), token, StringComparison.Ordinal))
            {
                return Wrote(submission with { ETag = current.Value.ETag.ToString() });
            }

            _recent.Forget(submission.Id);
            return null;
        }
        catch (RequestFailedException error) when (StorageErrors.IsNotFound(error))
        {
            _recent.Forget(submission.Id);
            return null; // the row was purged
        }
    }

    /// <inheritdoc/>
    /// <remarks>By id: the row first (a small request is in it), then the blob.</remarks>
    public Task<byte[]?> ReadRequestAsync(string id, CancellationToken cancellationToken) =>
        ReadDocumentAsync(id, static row => row.InlineRequest, RequestBlob, cancellationToken);

    /// <inheritdoc/>
    public Task<byte[]?> ReadRequestAsync(Submission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        return DocumentOfAsync(submission, submission.InlineRequest, RequestBlob, cancellationToken);
    }

    /// <inheritdoc/>
    public Task WriteResultAsync(string id, ReadOnlyMemory<byte> result, CancellationToken cancellationToken)
    {
        StorageKeys.RequireSafeId(id, nameof(id));
        return _blobs.WriteAsync(ResultBlob(id), result, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>A result of at most <see cref="SubmissionEntity.MaxInlineBytes"/> rides on the terminal write; a larger one is written to the result blob now.</remarks>
    public async Task<Submission> AttachResultAsync(Submission submission, ReadOnlyMemory<byte> result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        if (result.Length <= SubmissionEntity.MaxInlineBytes)
        {
            return submission with { HasResult = true, InlineResult = result.ToArray() };
        }

        await WriteResultAsync(submission.Id, result, cancellationToken).ConfigureAwait(false);
        return submission with { HasResult = true, InlineResult = null };
    }

    /// <inheritdoc/>
    /// <remarks>By id: the row first (a small result is in it), then the blob.</remarks>
    public Task<byte[]?> ReadResultAsync(string id, CancellationToken cancellationToken) =>
        ReadDocumentAsync(id, static row => row.InlineResult, ResultBlob, cancellationToken);

    /// <inheritdoc/>
    public Task<byte[]?> ReadResultAsync(Submission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        return submission.HasResult ? DocumentOfAsync(submission, submission.InlineResult, ResultBlob, cancellationToken) : Task.FromResult<byte[]?>(null);
    }

    /// <summary>A document by id: the row's copy (one read), else its blob.</summary>
    private async Task<byte[]?> ReadDocumentAsync(string id, Func<Submission, byte[]?> inRow, Func<string, string> blob, CancellationToken cancellationToken)
    {
        if (!StorageKeys.IsSafeId(id))
        {
            return null;
        }

        return (await GetAsync(id, cancellationToken).ConfigureAwait(false) is { } row ? inRow(row) : null)
            ?? await _blobs.ReadAsync(blob(id), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A document of a row in hand: its own copy, else its blob (no read of the row).</summary>
    private Task<byte[]?> DocumentOfAsync(Submission submission, byte[]? inRow, Func<string, string> blob, CancellationToken cancellationToken) =>
        inRow is not null ? Task.FromResult<byte[]?>(inRow)
        : StorageKeys.IsSafeId(submission.Id) ? _blobs.ReadAsync(blob(submission.Id), cancellationToken)
        : Task.FromResult<byte[]?>(null);

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
    /// <remarks>One entity-group transaction (one partition: the submission's history), upserts so that
    /// a client retry after a lost reply is harmless. Failures are logged and swallowed, as for one event.</remarks>
    public async Task AppendHistoryAsync(string id, IReadOnlyList<HistoryEvent> historyEvents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(historyEvents);
        StorageKeys.RequireSafeId(id, nameof(id));
        if (historyEvents.Count is 0 or > TableTransactions.MaxActions)
        {
            foreach (var historyEvent in historyEvents)
            {
                await AppendHistoryAsync(id, historyEvent, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var entities = historyEvents.Select(e => (ITableEntity)HistoryEntity.ToEntity(id, e)).ToList();
        try
        {
            await _history.RunAsync((table, ct) => TableTransactions.UpsertAsync(table, entities, TableUpdateMode.Replace, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is RequestFailedException or AggregateException)
        {
            WorkflowStorageLog.HistoryNotRecorded(_logger, id, string.Join(",", historyEvents.Select(e => e.EventType)), StorageErrors.Describe(error));
        }
    }

    /// <inheritdoc/>
    /// <remarks>The row's own events (<see cref="Submission.History"/>) merged with the history table's, in time order.</remarks>
    public async Task<IReadOnlyList<HistoryEvent>> ReadHistoryAsync(string id, CancellationToken cancellationToken)
    {
        if (!StorageKeys.IsSafeId(id))
        {
            return [];
        }

        var row = GetAsync(id, cancellationToken);
        var table = ReadHistoryTableAsync(id, cancellationToken);
        await Task.WhenAll(row, table).ConfigureAwait(false);
        return HistoryLog.Merge((await row.ConfigureAwait(false))?.History, await table.ConfigureAwait(false));
    }

    /// <inheritdoc/>
    /// <remarks>The row's own events merged with the history table's: one query, no second read of the row.</remarks>
    public async Task<IReadOnlyList<HistoryEvent>> ReadHistoryAsync(Submission row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        return StorageKeys.IsSafeId(row.Id)
            ? HistoryLog.Merge(row.History, await ReadHistoryTableAsync(row.Id, cancellationToken).ConfigureAwait(false))
            : row.History.Events;
    }

    private async Task<IReadOnlyList<HistoryEvent>> ReadHistoryTableAsync(string id, CancellationToken cancellationToken)
    {
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
    /// Queries the tenant's partition of the index over the creation-time range, point-reads the rows
    /// (<see cref="SubmissionIndex.ReadConcurrency"/> at a time) and filters them by status; see
    /// <see cref="SubmissionIndex"/>. Threat: the tenant comes from the query, never from the token,
    /// and every row read is checked to be the tenant's, so a token cannot reach another tenant's rows.
    /// </remarks>
    public async Task<SubmissionPage> ListAsync(SubmissionQuery query, string? continuation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Top, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Top, 1000);

        // This process's own entries listed later are written first: a client that submitted here
        // lists its submission at once (another instance's show within their delay).
        await _later.FlushAsync(query.Tenant, cancellationToken).ConfigureAwait(false);
        return await _index.ListAsync(query, string.IsNullOrEmpty(continuation) ? null : continuation, GetAsync, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Order: history, blobs, index entry, then the row. The row goes last so that a purge
    /// interrupted half-way leaves the instance findable by id, and purging it again finishes the
    /// job. Missing pieces are fine.
    /// </remarks>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (!StorageKeys.IsSafeId(id))
        {
            return;
        }

        _recent.Forget(id);
        var row = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        await DeleteHistoryAsync(id, cancellationToken).ConfigureAwait(false);
        await _blobs.DeletePrefixAsync(id + "/", cancellationToken).ConfigureAwait(false);
        if (row is not null)
        {
            _later.Remove(row.Tenant, id); // not written after the purge
            await _index.RemoveAsync(row.Tenant, row.CreatedTime, id, cancellationToken).ConfigureAwait(false);
        }

        // DeleteEntity treats 404 as success; ETag.All: a purge removes whatever state the row is in.
        await _submissions.RunAsync((table, ct) => table.DeleteEntityAsync(id, SubmissionEntity.RowKey, ETag.All, ct), cancellationToken).ConfigureAwait(false);
        _recent.Forget(id); // again: a write of this process that ended while the purge ran
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
