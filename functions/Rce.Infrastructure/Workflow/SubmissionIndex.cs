using Azure;
using Azure.Data.Tables;
using Rce.Core.Submissions;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// The listing index: table <c>SubmissionsByTenant</c>, one entry per submission, keyed by
/// <see cref="SubmissionIndexKeys"/> (tenant partition, newest first). A listing queries one
/// partition over a RowKey range and point-reads the rows, instead of scanning every tenant's rows.
/// </summary>
/// <remarks>
/// Invariants: the entry is written before the row (an idempotent upsert), so every row is listed
/// — except an asynchronous submission's under a group's reconcile check, whose entry follows its
/// row in bulk within a second (<see cref="BulkWriter{T}"/>) and is written by that check
/// if its process died first (<c>EnsureListedAsync</c>); it is deleted before the row on purge, so an interrupted purge leaves the row findable by id and
/// purging again finishes. What the entry points at is checked on every read: an entry whose row
/// is missing (a create that died between the two writes) or belongs to another tenant or creation
/// time (a second create of an existing id) is skipped. Status is not in the index: it changes on
/// every transition, and the row is the one place it is written by compare-and-set.
/// </remarks>
internal sealed class SubmissionIndex
{
    /// <summary>Point reads in flight at once while a page is filled.</summary>
    public const int ReadConcurrency = 32;

    private readonly StorageTable _table;

    /// <summary>Wraps the index table of <paramref name="service"/>.</summary>
    /// <param name="service">The table service.</param>
    /// <param name="tableName">The table name.</param>
    public SubmissionIndex(TableServiceClient service, string tableName) => _table = new StorageTable(service, tableName);

    /// <summary>At most this many entries are examined (so rows read) per page: a sparse status filter answers short pages, with a continuation.</summary>
    /// <param name="top">The page size.</param>
    /// <returns>The budget.</returns>
    public static int ExamineBudget(int top) => Math.Max(2 * top, 500);

    /// <summary>Whether <paramref name="row"/> is the submission an entry of <paramref name="tenant"/> at <paramref name="createdUtcTicks"/> points at.</summary>
    /// <param name="row">The row read for the entry's id, or null.</param>
    /// <param name="tenant">The entry's tenant.</param>
    /// <param name="createdUtcTicks">The entry's creation ticks.</param>
    /// <returns>Whether the entry is the row's own.</returns>
    /// <remarks>Within a millisecond, not to the tick: a store that keeps less precision than the key must not hide every row.</remarks>
    public static bool IsEntryOf(Submission? row, string tenant, long createdUtcTicks) =>
        row is not null && string.Equals(row.Tenant, tenant, StringComparison.Ordinal)
        && Math.Abs(row.CreatedTime.UtcTicks - createdUtcTicks) < TimeSpan.TicksPerMillisecond;

    /// <summary>Writes the entry of <paramref name="submission"/> (upsert: writing it again is a no-op).</summary>
    /// <param name="submission">The new submission.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public Task AddAsync(Submission submission, CancellationToken cancellationToken)
    {
        var entity = Entry(submission);
        return _table.RunAsync((table, ct) => table.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct), cancellationToken);
    }

    /// <summary>Writes the entries of <paramref name="submissions"/> (upserts), a transaction per hundred entries of a tenant, a few at once.</summary>
    /// <param name="submissions">New submissions.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>A task.</returns>
    public Task AddManyAsync(IEnumerable<Submission> submissions, CancellationToken cancellationToken)
    {
        var chunks = submissions
            .GroupBy(s => SubmissionIndexKeys.Partition(s.Tenant), StringComparer.Ordinal)
            .SelectMany(tenant => tenant.Select(Entry).Chunk(TableTransactions.MaxActions))
            .ToList();
        return Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (chunk, ct) =>
            await _table.RunAsync((table, token) => TableTransactions.UpsertAsync(table, chunk, TableUpdateMode.Replace, token), ct).ConfigureAwait(false));
    }

    private static TableEntity Entry(Submission submission) =>
        new(SubmissionIndexKeys.Partition(submission.Tenant), SubmissionIndexKeys.Row(submission.CreatedTime, submission.Id))
        {
            // For people reading the table; listings use the keys only.
            ["CreatedTime"] = submission.CreatedTime,
        };

    /// <summary>Deletes the entry of submission <paramref name="id"/> of <paramref name="tenant"/> created at <paramref name="created"/>; a missing one is fine.</summary>
    /// <param name="tenant">Its tenant.</param>
    /// <param name="created">Its creation time.</param>
    /// <param name="id">Its id.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns>A task.</returns>
    public Task RemoveAsync(string tenant, DateTimeOffset created, string id, CancellationToken cancellationToken) =>
        _table.RunAsync((table, ct) => table.DeleteEntityAsync(SubmissionIndexKeys.Partition(tenant), SubmissionIndexKeys.Row(created, id), ETag.All, ct), cancellationToken);

    /// <summary>One page of <paramref name="query"/>, newest first.</summary>
    /// <param name="query">Tenant, filters and page size.</param>
    /// <param name="continuation">A token of an earlier page, or null.</param>
    /// <param name="read">Reads a row by id.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The page; its continuation is null only when no entry is left in the range.</returns>
    /// <exception cref="FormatException">The continuation is not a token of this listing.</exception>
    public Task<SubmissionPage> ListAsync(SubmissionQuery query, string? continuation, Func<string, CancellationToken, Task<Submission?>> read, CancellationToken cancellationToken)
    {
        var resumeAfter = continuation is null ? null : ListContinuation.Decode(continuation);
        var filter = Filter(query, resumeAfter);
        return _table.RunAsync((table, ct) => FillAsync(table, filter, query, read, ct), cancellationToken);
    }

    private static string Filter(SubmissionQuery query, string? resumeAfter)
    {
        // Every value goes through CreateQueryFilter, which quotes and escapes it. Threat: a tenant
        // or token pasted into the text could close the string and widen the query.
        var clauses = new List<string> { TableClient.CreateQueryFilter($"PartitionKey eq {SubmissionIndexKeys.Partition(query.Tenant)}") };
        if (query.CreatedTo is { } to)
        {
            clauses.Add(TableClient.CreateQueryFilter($"RowKey ge {SubmissionIndexKeys.CreatedAtOrBefore(to)}"));
        }

        if (query.CreatedFrom is { } from)
        {
            clauses.Add(TableClient.CreateQueryFilter($"RowKey lt {SubmissionIndexKeys.CreatedAtOrAfter(from)}"));
        }

        if (resumeAfter is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"RowKey gt {resumeAfter}"));
        }

        return string.Join(" and ", clauses);
    }

    /// <summary>
    /// Walks the entries in order, reading rows a chunk at a time, until the page is full, the
    /// budget is spent or the range ends. The continuation is the last entry examined, so the next
    /// page starts right after it: nothing is skipped or repeated.
    /// </summary>
    private static async Task<SubmissionPage> FillAsync(TableClient table, string filter, SubmissionQuery query, Func<string, CancellationToken, Task<Submission?>> read, CancellationToken cancellationToken)
    {
        var wanted = query.Statuses is { Count: > 0 } statuses ? statuses.ToHashSet() : null;
        var budget = ExamineBudget(query.Top);
        var items = new List<Submission>(query.Top);
        var chunk = new List<(string RowKey, long Ticks, string Id)>(ReadConcurrency);
        string? last = null;
        var examined = 0;
        var entries = table.QueryAsync<TableEntity>(filter, Math.Min(budget + 1, 1000), ["RowKey"], cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (entries.ConfigureAwait(false))
        {
            var more = await entries.MoveNextAsync().ConfigureAwait(false);
            while (more && items.Count < query.Top && examined < budget)
            {
                // Unfiltered, every entry should give an item: read no more than the page still needs.
                var size = Math.Min(wanted is null ? query.Top - items.Count : ReadConcurrency, Math.Min(ReadConcurrency, budget - examined));
                chunk.Clear();
                while (more && chunk.Count < size)
                {
                    var rowKey = entries.Current.RowKey;
                    if (SubmissionIndexKeys.TryParse(rowKey, out var ticks, out var id))
                    {
                        chunk.Add((rowKey, ticks, id));
                    }

                    more = await entries.MoveNextAsync().ConfigureAwait(false);
                }

                var rows = await Task.WhenAll(chunk.Select(entry => read(entry.Id, cancellationToken))).ConfigureAwait(false);
                for (var i = 0; i < chunk.Count; i++)
                {
                    examined++;
                    last = chunk[i].RowKey;
                    var row = rows[i];
                    if (IsEntryOf(row, query.Tenant, chunk[i].Ticks) && (wanted is null || wanted.Contains(row!.Status)))
                    {
                        items.Add(row!);
                        if (items.Count == query.Top)
                        {
                            more |= i < chunk.Count - 1;
                            break;
                        }
                    }
                }
            }

            return new SubmissionPage(items, more && last is not null ? ListContinuation.Encode(last) : null);
        }
    }
}
