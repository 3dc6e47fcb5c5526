using Rce.Core.Verdicts;

namespace Rce.Core.Submissions;

/// <summary>A batch: many submissions accepted together (a class regraded at once).</summary>
/// <param name="Id">Batch id (32 hex digits).</param>
/// <param name="Tenant">Owner.</param>
/// <param name="CreatedTime">When it was accepted.</param>
/// <param name="Count">Submissions in it.</param>
public sealed record Batch(string Id, string Tenant, DateTimeOffset CreatedTime, int Count);

/// <summary>One member of a batch, as recorded by the fan-in.</summary>
/// <param name="Index">Position in the request (0-based).</param>
/// <param name="SubmissionId">The submission.</param>
/// <param name="Status">Its status as last recorded (Queued until it ends).</param>
/// <param name="Verdict">Its verdict once terminal.</param>
public sealed record BatchItem(int Index, string SubmissionId, SubmissionStatus Status, Verdict? Verdict);

/// <summary>
/// Persistence of batches (port). The fan-in is counter-free (durable-style-workflow §3.4,
/// "counter-free alternative"): the worker that wins a submission's terminal transition records
/// it on the batch's item row, and progress is counted when read. No hot counter row, so a batch of
/// 1,000 finishing on many workers never serialises on one ETag.
/// </summary>
public interface IBatchStore
{
    /// <summary>Inserts the item rows, then the batch row (the batch exists only once all its items do).</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="submissionIds">Its submissions in order.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>A task.</returns>
    Task CreateAsync(Batch batch, IReadOnlyList<string> submissionIds, CancellationToken cancellationToken);

    /// <summary>Reads a batch row.</summary>
    /// <param name="id">Batch id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The batch, or null when unknown.</returns>
    Task<Batch?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Reads every item row, in order.</summary>
    /// <param name="id">Batch id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The items.</returns>
    Task<IReadOnlyList<BatchItem>> GetItemsAsync(string id, CancellationToken cancellationToken);

    /// <summary>Records a member's terminal state (idempotent: the same terminal state written twice is one result).</summary>
    /// <param name="batchId">Batch id.</param>
    /// <param name="item">The member's new state.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    Task RecordAsync(string batchId, BatchItem item, CancellationToken cancellationToken);

    /// <summary>
    /// Records a member's terminal state as <see cref="RecordAsync"/> does, but may write it a short
    /// while later, in bulk with other members of its batch (one request for many members instead of
    /// one each); readers through this process see it at once. Only for the winner of the member's
    /// end: the batch's reconcile check comes back while any member it saw was active, and records a
    /// member whose row has ended from that row, which is what records it if this process dies
    /// first. Optional: a store without bulk writes records it now.
    /// </summary>
    /// <param name="batchId">Batch id.</param>
    /// <param name="item">The member's terminal state.</param>
    /// <param name="cancellationToken">Cancels the write if it is made now.</param>
    /// <returns>A task.</returns>
    Task RecordLaterAsync(string batchId, BatchItem item, CancellationToken cancellationToken) => RecordAsync(batchId, item, cancellationToken);
}
