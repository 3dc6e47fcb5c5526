using Rce.Core.Submissions;

namespace Rce.Functions.Api;

/// <summary>
/// A request that repeats an <c>Idempotency-Key</c> already claimed, with the same body, is answered
/// with the submission the first request created: its code is not run a second time.
/// </summary>
internal static class IdempotentReplay
{
    /// <summary>Beyond <see cref="WorkflowOptions.SyncStoreAfterMs"/>: time for the first request's write to land on a busy machine.</summary>
    internal static readonly TimeSpan StoreMargin = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan LookAgain = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The row of the claim's submission, or null when the first request died before storing it
    /// (the replay then does its work under the same id). No row yet does not say that by itself: a
    /// <c>wait=true</c> submission runs before it is stored, for at most
    /// <see cref="WorkflowOptions.SyncStoreAfterMs"/>, in whichever instance took the first request.
    /// While the claim is younger than that (plus <see cref="StoreMargin"/>) the row is looked for
    /// again every 200 ms instead, so that a client retrying during the run (its own timeout, a
    /// dropped connection) does not run the code twice.
    /// </summary>
    /// <param name="claim">The claim found for the key.</param>
    /// <param name="store">The submissions.</param>
    /// <param name="workflow">For how long a first request may hold its submission unstored.</param>
    /// <param name="time">The clock the claim was dated by.</param>
    /// <param name="cancellationToken">The replay's client went away.</param>
    /// <returns>The original row, or null.</returns>
    public static async Task<Submission?> OriginalAsync(IdempotencyClaim claim, ISubmissionStore store, WorkflowOptions workflow, TimeProvider time, CancellationToken cancellationToken)
    {
        var unstoredAtMost = TimeSpan.FromMilliseconds(workflow.SyncStoreAfterMs) + StoreMargin;
        while (true)
        {
            if (await store.GetAsync(claim.ResourceId, cancellationToken).ConfigureAwait(false) is { } row)
            {
                return row;
            }

            if (time.GetUtcNow() - claim.Claimed >= unstoredAtMost)
            {
                return null;
            }

            await Task.Delay(LookAgain, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
