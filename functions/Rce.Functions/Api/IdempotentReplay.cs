using Rce.Core.Submissions;

namespace Rce.Functions.Api;

/// <summary>
/// <c>Idempotency-Key</c> (submissions and batches): the header, and a request that repeats a key
/// already claimed with the same body, which is answered with what the first request created:
/// its code is not run a second time.
/// </summary>
internal static class IdempotentReplay
{
    /// <summary>Beyond <see cref="WorkflowOptions.SyncStoreAfterMs"/>: time for the first request's write to land on a busy machine.</summary>
    internal static readonly TimeSpan StoreMargin = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan LookAgain = TimeSpan.FromMilliseconds(200);

    /// <summary>The request's <c>Idempotency-Key</c>: null when it sent none; a 400 problem when it is empty or over 255 characters.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The key, or the problem.</returns>
    public static (string? Key, IResult? Problem) KeyOf(HttpRequest request)
    {
        if (!request.Headers.TryGetValue("Idempotency-Key", out var values))
        {
            return (null, null);
        }

        var key = values.ToString();
        return key.Length is 0 or > 255 ? (null, Problems.BadRequest("Idempotency-Key must be 1 to 255 characters.")) : (key, null);
    }

    /// <summary>422: the key was first used with another body (route and query included).</summary>
    /// <returns>The problem.</returns>
    public static IResult BodyDiffers() =>
        Results.Problem(detail: "This Idempotency-Key was used with a different request body.", statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency key reused.");

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
