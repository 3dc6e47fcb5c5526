using Rce.Core.Verdicts;

namespace Rce.Core.Submissions;

/// <summary>
/// A batch's reconcile check, or a part of it: every member its items show unfinished, driven as a
/// single's check drives its submission, and a member that never got a row ended.
/// </summary>
public sealed partial class SubmissionWorkflow
{
    /// <summary>
    /// How long after a batch's creation a member may still have no row because the request that
    /// created the batch is storing it. Past it, the request has ended (the HTTP front end of
    /// Functions cuts a request off at 230 s) or its process died, and the member's code and input,
    /// which were only in that request, exist nowhere: it ends Failed with IE.
    /// </summary>
    public static readonly TimeSpan UnstoredMemberGrace = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Checks batch <paramref name="batchId"/>'s unfinished members (only those in
    /// <paramref name="only"/> for a part of its check); returns those still active, in order. Ids
    /// that are not unfinished members of the batch are dropped; an unknown batch has none.
    /// </summary>
    private async Task<IReadOnlyList<string>> ReconcileBatchAsync(string batchId, IReadOnlyList<string>? only, CancellationToken cancellationToken)
    {
        if (await _batches.GetAsync(batchId, cancellationToken).ConfigureAwait(false) is not { } batch)
        {
            return [];
        }

        var wanted = only?.ToHashSet(StringComparer.Ordinal);
        var active = new List<string>();
        foreach (var item in await _batches.GetItemsAsync(batchId, cancellationToken).ConfigureAwait(false))
        {
            if (!item.Status.IsTerminal()
                && (wanted is null || wanted.Contains(item.SubmissionId))
                && await ReconcileMemberAsync(batch, item, cancellationToken).ConfigureAwait(false))
            {
                active.Add(item.SubmissionId);
            }
        }

        return active;
    }

    /// <summary>One unfinished member's step; returns whether the batch's check must come back for it.</summary>
    private async Task<bool> ReconcileMemberAsync(Batch batch, BatchItem item, CancellationToken cancellationToken)
    {
        if (await _store.GetAsync(item.SubmissionId, cancellationToken).ConfigureAwait(false) is { } current)
        {
            return await ReconcileRowAsync(current, viaBatch: true, cancellationToken).ConfigureAwait(false);
        }

        if (Now - batch.CreatedTime < UnstoredMemberGrace)
        {
            return true; // its request may still be storing it
        }

        // Inserted ended, as any submission's first write is (create-once): if the request that
        // creates it stores its row after all, whichever insert came first is the submission.
        var created = new Submission
        {
            Id = item.SubmissionId,
            Tenant = batch.Tenant,
            Language = "unknown",
            CreatedTime = batch.CreatedTime,
            LastUpdatedTime = batch.CreatedTime,
            BatchId = batch.Id,
            BatchIndex = item.Index,
        };
        var never = Ending(
            created with { History = HistoryLog.Of([StartedEvent(created)]) },
            SubmissionStatus.Failed,
            Verdict.InternalError,
            "never stored: the request that created its batch ended before storing it; submit it again",
            null,
            Now);
        var stored = await _store.CreateAsync(never, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        if (!stored.Status.IsTerminal())
        {
            return await ReconcileRowAsync(stored, viaBatch: true, cancellationToken).ConfigureAwait(false);
        }

        WorkflowLog.Ended(_logger, stored.Id, stored.Status, stored.Verdict is null ? null : stored.Verdict.Value.ToCode());
        await RecordInBatchAsync(stored, cancellationToken).ConfigureAwait(false);
        return false;
    }
}
