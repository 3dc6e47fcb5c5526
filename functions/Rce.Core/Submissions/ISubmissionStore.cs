namespace Rce.Core.Submissions;

/// <summary>
/// Persistence of submissions (port; Azure Tables + Blobs in Rce.Infrastructure). Every update is a
/// single-entity compare-and-set on the row's ETag (durable-style-workflow §3.2).
/// </summary>
public interface ISubmissionStore
{
    /// <summary>Stores the request blob, then inserts the row. Creating an id that exists returns the stored row (redelivery, idempotent replay).</summary>
    /// <param name="submission">The new row (no ETag).</param>
    /// <param name="request">The runner request body (JSON); may hold source and stdin.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>The stored row with its ETag.</returns>
    Task<Submission> CreateAsync(Submission submission, ReadOnlyMemory<byte> request, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new submission as <see cref="CreateAsync(Submission, ReadOnlyMemory{byte}, CancellationToken)"/>
    /// does, but inserts the row only once <paramref name="armed"/> has succeeded (the reconcile check
    /// that must exist before the row). The store's own preparatory writes (request blob, listing
    /// entry) may run while <paramref name="armed"/> does: one round trip on the path instead of two.
    /// </summary>
    /// <param name="submission">The new row (no ETag).</param>
    /// <param name="request">The runner request body (JSON).</param>
    /// <param name="armed">Must complete successfully before the row is inserted; its failure fails the creation with no row.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>The stored row with its ETag.</returns>
    async Task<Submission> CreateAsync(Submission submission, ReadOnlyMemory<byte> request, Task armed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(armed);
        await armed.ConfigureAwait(false);
        return await CreateAsync(submission, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the listing entries of submissions about to be created, in bulk (a batch's members:
    /// one request per hundred entries of a tenant instead of one per member); their
    /// <see cref="CreateAsync(Submission, ReadOnlyMemory{byte}, CancellationToken)"/> then need not
    /// write them again. Optional: a store without a listing index, or without bulk writes, does
    /// nothing here and lists each row when it is created.
    /// </summary>
    /// <param name="submissions">The new rows, before they are created.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>A task; when it has succeeded, every one of them is listed once created.</returns>
    Task ListAheadAsync(IReadOnlyCollection<Submission> submissions, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Stores a new submission as <see cref="CreateAsync(Submission, ReadOnlyMemory{byte}, CancellationToken)"/>
    /// does, except that its listing entry may be written after the row, in bulk with other entries
    /// of its tenant, a short while later (one request for many submissions instead of one each).
    /// Only for a submission whose reconcile check is armed already and will call
    /// <see cref="EnsureListedAsync"/> with its row: that check is what lists it if this process
    /// dies before the entry is written. Optional: a store without bulk writes lists it at once.
    /// </summary>
    /// <param name="submission">The new row (no ETag).</param>
    /// <param name="request">The runner request body (JSON).</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>The stored row with its ETag.</returns>
    Task<Submission> CreateListedLaterAsync(Submission submission, ReadOnlyMemory<byte> request, CancellationToken cancellationToken) =>
        CreateAsync(submission, request, cancellationToken);

    /// <summary>
    /// Writes the listing entries of stored rows (upserts: an entry written already is written the
    /// same again), in bulk: the repair of <see cref="CreateListedLaterAsync"/>, called by the
    /// reconcile check that covers those rows. Optional: a store that always lists at once does nothing.
    /// </summary>
    /// <param name="rows">Rows read from the store.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>A task; when it has succeeded, every one of the rows is listed.</returns>
    Task EnsureListedAsync(IReadOnlyCollection<Submission> rows, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Reads a row.</summary>
    /// <param name="id">Submission id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The row, or null when unknown.</returns>
    Task<Submission?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// The row as this process last wrote it, if that was at most <paramref name="maxAge"/> ago (see
    /// <see cref="RecentWrites"/>): an answer for a status reader, which may miss a write by another
    /// process for that long; never the base of a transition, and without the request. Optional: a
    /// store that keeps no copies answers null, and the reader reads the row.
    /// </summary>
    /// <param name="id">Submission id.</param>
    /// <param name="maxAge">How old a copy the reader accepts.</param>
    /// <returns>The copy, or null.</returns>
    Submission? Recent(string id, TimeSpan maxAge) => null;

    /// <summary>Replaces the row if it still has <see cref="Submission.ETag"/>.</summary>
    /// <param name="submission">The new state, carrying the ETag it was derived from.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored row with its new ETag, or null when another writer won (412) or the row is gone (404).</returns>
    Task<Submission?> TryUpdateAsync(Submission submission, CancellationToken cancellationToken);

    /// <summary>Reads the runner request body.</summary>
    /// <param name="id">Submission id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The body, or null when missing (purged).</returns>
    Task<byte[]?> ReadRequestAsync(string id, CancellationToken cancellationToken);

    /// <summary>Writes (overwrites) the result document; called before the row says Completed, so a completed row always has one.</summary>
    /// <param name="id">Submission id.</param>
    /// <param name="result">The runner's result JSON.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    Task WriteResultAsync(string id, ReadOnlyMemory<byte> result, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="result"/> the submission's result document before its terminal write: a
    /// store that keeps small results in the row returns the row carrying it
    /// (<see cref="Submission.InlineResult"/>; stored by that write); otherwise the result is written
    /// now (<see cref="WriteResultAsync"/>). Either way the returned row has <see cref="Submission.HasResult"/>,
    /// and it must be the state the terminal write is derived from.
    /// </summary>
    /// <param name="submission">The running row.</param>
    /// <param name="result">The runner's result JSON.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The row to end.</returns>
    async Task<Submission> AttachResultAsync(Submission submission, ReadOnlyMemory<byte> result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        await WriteResultAsync(submission.Id, result, cancellationToken).ConfigureAwait(false);
        return submission with { HasResult = true, InlineResult = null };
    }

    /// <summary>The request body of a row: the row's own copy, else the request blob.</summary>
    /// <param name="submission">The row.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The body, or null when missing (purged).</returns>
    Task<byte[]?> ReadRequestAsync(Submission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        return submission.InlineRequest is { } inline ? Task.FromResult<byte[]?>(inline) : ReadRequestAsync(submission.Id, cancellationToken);
    }

    /// <summary>The result document of a row: none unless <see cref="Submission.HasResult"/>; the row's own copy, else the result blob.</summary>
    /// <param name="submission">The row.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The result, or null when there is none.</returns>
    Task<byte[]?> ReadResultAsync(Submission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        return !submission.HasResult ? Task.FromResult<byte[]?>(null)
            : submission.InlineResult is { } inline ? Task.FromResult<byte[]?>(inline)
            : ReadResultAsync(submission.Id, cancellationToken);
    }

    /// <summary>Reads the result document.</summary>
    /// <param name="id">Submission id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The result, or null when none was written.</returns>
    Task<byte[]?> ReadResultAsync(string id, CancellationToken cancellationToken);

    /// <summary>Appends a history event (best effort: history never decides a transition).</summary>
    /// <param name="id">Submission id.</param>
    /// <param name="historyEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    Task AppendHistoryAsync(string id, HistoryEvent historyEvent, CancellationToken cancellationToken);

    /// <summary>Appends history events of one submission, in order, in as few writes as the store can (best effort, as one).</summary>
    /// <param name="id">Submission id.</param>
    /// <param name="historyEvents">The events, oldest first.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>A task.</returns>
    async Task AppendHistoryAsync(string id, IReadOnlyList<HistoryEvent> historyEvents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(historyEvents);
        foreach (var historyEvent in historyEvents)
        {
            await AppendHistoryAsync(id, historyEvent, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the history in order.</summary>
    /// <param name="id">Submission id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The events, oldest first.</returns>
    Task<IReadOnlyList<HistoryEvent>> ReadHistoryAsync(string id, CancellationToken cancellationToken);

    /// <summary>Reads the history of a row in hand, in order: the history it carries is not read again.</summary>
    /// <param name="row">The row, as just read.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The events, oldest first.</returns>
    Task<IReadOnlyList<HistoryEvent>> ReadHistoryAsync(Submission row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        return ReadHistoryAsync(row.Id, cancellationToken);
    }

    /// <summary>Lists a tenant's submissions, newest first, one page at a time.</summary>
    /// <param name="query">Filters and page size.</param>
    /// <param name="continuation">The opaque token of the previous page, or null for the first.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One page.</returns>
    /// <remarks>
    /// Following the tokens to the end yields every matching submission once. A page holds at most
    /// <see cref="SubmissionQuery.Top"/> items and may hold fewer (even none) while a token remains:
    /// a store bounds the work of one page. The token is null only when nothing is left.
    /// </remarks>
    /// <exception cref="FormatException">The continuation is not a token of this store (the caller's fault).</exception>
    Task<SubmissionPage> ListAsync(SubmissionQuery query, string? continuation, CancellationToken cancellationToken);

    /// <summary>Deletes the row, its history, its blobs and its listing entry (purge).</summary>
    /// <param name="id">Submission id.</param>
    /// <param name="cancellationToken">Cancels the deletes.</param>
    /// <returns>A task.</returns>
    Task DeleteAsync(string id, CancellationToken cancellationToken);
}

/// <summary>Filters of <see cref="ISubmissionStore.ListAsync"/>.</summary>
/// <param name="Tenant">Only this tenant's submissions.</param>
/// <param name="Statuses">Only these statuses; null or empty for all.</param>
/// <param name="CreatedFrom">Inclusive lower bound of the creation time.</param>
/// <param name="CreatedTo">Inclusive upper bound of the creation time.</param>
/// <param name="Top">Page size (1–1000).</param>
public sealed record SubmissionQuery(string Tenant, IReadOnlyCollection<SubmissionStatus>? Statuses, DateTimeOffset? CreatedFrom, DateTimeOffset? CreatedTo, int Top);

/// <summary>One page of a listing.</summary>
/// <param name="Items">The rows.</param>
/// <param name="Continuation">Token of the next page; null when there is none.</param>
public sealed record SubmissionPage(IReadOnlyList<Submission> Items, string? Continuation);
