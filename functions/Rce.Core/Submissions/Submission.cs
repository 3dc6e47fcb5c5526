using Rce.Core.Verdicts;

namespace Rce.Core.Submissions;

/// <summary>
/// The instance row of one submission's workflow (durable-style-workflow §3.1). Every change is a
/// compare-and-set on <see cref="ETag"/>: a store answers "lost" when another writer changed the
/// row first, and the loser re-reads and decides again. The row holds what lists and status queries need, and the
/// request and the result when they are small (<see cref="InlineRequest"/>, <see cref="InlineResult"/>);
/// larger ones live in blobs.
/// </summary>
public sealed record Submission
{
    /// <summary>A new submission (or batch) id: 32 lowercase hex digits, random, as the API's routes expect.</summary>
    /// <returns>The id.</returns>
    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// The id of member <paramref name="index"/> of batch <paramref name="batchId"/>: 32 lowercase hex
    /// digits derived from both, so that whoever stores the batch again under its id (a replay of
    /// its request) stores the same members, once each. Unguessable as the batch id is.
    /// </summary>
    /// <param name="batchId">The batch's id.</param>
    /// <param name="index">The member's position in the batch (0-based).</param>
    /// <returns>The id.</returns>
    public static string MemberId(string batchId, int index)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"rce batch member\n{batchId}\n{index}"), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }

    /// <summary>Instance id: 32 lowercase hex digits (a GUID in N format, as Durable's).</summary>
    public required string Id { get; init; }

    /// <summary>The tenant that owns it; every read is scoped to it.</summary>
    public required string Tenant { get; init; }

    /// <summary>Workflow status.</summary>
    public SubmissionStatus Status { get; init; }

    /// <summary>What a running submission is doing (<c>running</c>, <c>grading</c>); null otherwise.</summary>
    public string? Phase { get; init; }

    /// <summary>The final verdict; null until terminal (Terminated keeps null).</summary>
    public Verdict? Verdict { get; init; }

    /// <summary>Points earned; null until completed.</summary>
    public double? Score { get; init; }

    /// <summary>Points available; null until completed.</summary>
    public double? MaxScore { get; init; }

    /// <summary>Language id of the request.</summary>
    public required string Language { get; init; }

    /// <summary>Queue it waits in.</summary>
    public SubmissionPriority Priority { get; init; }

    /// <summary>Where to POST the result when terminal; null for none.</summary>
    public string? CallbackUrl { get; init; }

    /// <summary>The LMS's metadata.</summary>
    public SubmissionMetadata Metadata { get; init; } = SubmissionMetadata.Empty;

    /// <summary>Tests the runner will run (a stdin-only request counts as one).</summary>
    public int TestCount { get; init; }

    /// <summary>Wall-time limit of one test, in milliseconds (for the runner call timeout).</summary>
    public int TestWallMs { get; init; }

    /// <summary>Wall-time limit of the compile step, in milliseconds (0 when nothing is compiled).</summary>
    public int CompileWallMs { get; init; }

    /// <summary>When it was accepted.</summary>
    public DateTimeOffset CreatedTime { get; init; }

    /// <summary>Last change of the row.</summary>
    public DateTimeOffset LastUpdatedTime { get; init; }

    /// <summary>When the current (or last) attempt started.</summary>
    public DateTimeOffset? StartedTime { get; init; }

    /// <summary>When it became terminal.</summary>
    public DateTimeOffset? CompletedTime { get; init; }

    /// <summary>Attempts started so far (runner calls), 0 while never started.</summary>
    public int Attempt { get; init; }

    /// <summary>
    /// While Running: until when the worker that holds it may still be working. After that a
    /// redelivered message or the reconcile pass may take it over (the holder died).
    /// </summary>
    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>
    /// While Running: a token of the worker that holds <see cref="LeaseUntil"/>, new for every claim.
    /// A worker that created the row already claimed (a local run) tells by it that the stored row
    /// is its own and not one another request created first.
    /// </summary>
    public string? LeaseOwner { get; init; }

    /// <summary>Why it failed or was terminated; null otherwise.</summary>
    public string? Reason { get; init; }

    /// <summary>The batch it belongs to, if any.</summary>
    public string? BatchId { get; init; }

    /// <summary>Its position in the batch (0-based); -1 outside a batch.</summary>
    public int BatchIndex { get; init; } = -1;

    /// <summary>The instance it restarts (same input), if any.</summary>
    public string? RestartOf { get; init; }

    /// <summary>Whether a result was stored (true once Completed): <see cref="InlineResult"/>, or else the result blob.</summary>
    public bool HasResult { get; init; }

    /// <summary>
    /// The runner request body when the store keeps it in the row (small requests: no blob to write
    /// at creation nor to read when the run starts); null when it is in the request blob. Source and
    /// stdin: never log it.
    /// </summary>
#pragma warning disable CA1819 // A document carried with the row, copied with it by `with`; never mutated.
    public byte[]? InlineRequest { get; init; }

    /// <summary>The runner's result JSON when the store keeps it in the row (see <see cref="ISubmissionStore.AttachResultAsync"/>); null otherwise.</summary>
    public byte[]? InlineResult { get; init; }
#pragma warning restore CA1819

    /// <summary>Top-level stdout/stderr/exitCode are served (a stdin request without tests).</summary>
    public bool SingleRun { get; init; }

    /// <summary>
    /// Outbox flag of the completion callback: set by the terminal transition itself (same
    /// compare-and-set write) when <see cref="CallbackUrl"/> is set, cleared once delivery reached a
    /// final outcome. While it is set the callback is owed and the reconcile pass re-drives it (see
    /// <see cref="CallbackOutbox"/>).
    /// </summary>
    public bool CallbackPending { get; init; }

    /// <summary>The callback attempt last handed to the queue (1-based); 0 when none was. Only a message of this attempt may send.</summary>
    public int CallbackAttempt { get; init; }

    /// <summary>When attempt <see cref="CallbackAttempt"/> is due to run; null when no callback is owed.</summary>
    public DateTimeOffset? CallbackDueTime { get; init; }

    /// <summary>The history events of the row's own transitions, stored with them (see <see cref="HistoryLog"/>).</summary>
    public HistoryLog History { get; init; } = HistoryLog.Empty;

    /// <summary>Opaque concurrency token of the stored row; null before it is stored.</summary>
    public string? ETag { get; init; }
}
