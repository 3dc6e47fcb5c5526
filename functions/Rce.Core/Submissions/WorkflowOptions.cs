using System.ComponentModel.DataAnnotations;

namespace Rce.Core.Submissions;

/// <summary>
/// Settings of the submission workflow (section <c>Workflow</c>). Defaults are the production
/// values; tests shorten the lease margin and the reconcile delay to exercise crash recovery.
/// </summary>
public sealed class WorkflowOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Workflow";

    /// <summary>Runner calls per submission before it ends Failed with IE (transport failures and runner 5xx only).</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>First retry delay; doubles per attempt, with ±20 % jitter.</summary>
    [Range(0, 3_600_000)]
    public int RetryBaseDelayMs { get; set; } = 2_000;

    /// <summary>Cap of the retry delay.</summary>
    [Range(0, 86_400_000)]
    public int RetryMaxDelayMs { get; set; } = 60_000;

    /// <summary>Added to the runner call's own timeout to form the processing lease of a Running submission.</summary>
    [Range(0, 3_600_000)]
    public int LeaseMarginMs { get; set; } = 60_000;

    /// <summary>Delay of the reconcile check that re-enqueues lost work (and re-arms itself while the instance is active).</summary>
    [Range(100, 86_400_000)]
    public int ReconcileDelayMs { get; set; } = 300_000;

    /// <summary>An instance not terminal this long after creation is failed with IE by the reconcile pass.</summary>
    [Range(1_000, 7 * 86_400_000L)]
    public long DeadlineMs { get; set; } = 3_600_000;

    /// <summary>
    /// How long past its due time a callback attempt may go unseen before the reconcile pass counts
    /// it lost and sends the next one. Must exceed one delivery attempt (queue pickup plus the
    /// callback HTTP timeout), or a slow attempt gets a duplicate.
    /// </summary>
    /// <value>The default value is 120 000 ms (2 minutes).</value>
    [Range(1_000, 86_400_000)]
    public int CallbackRedriveGraceMs { get; set; } = 120_000;

    /// <summary>
    /// A callback still owed this long after the submission ended is abandoned (flag cleared,
    /// <c>CallbackAbandoned</c> recorded) instead of re-driven. Only a chain that has stopped is
    /// abandoned, so this never cuts a retry schedule short.
    /// </summary>
    /// <value>The default value is 86 400 000 ms (1 day).</value>
    [Range(60_000, 30 * 86_400_000L)]
    public long CallbackGiveUpMs { get; set; } = 86_400_000;

    /// <summary>Runner calls this process makes at once; waiting high-priority submissions go first.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentRuns { get; set; } = 64;

    /// <summary>The runner call timeout's margin for box setup, checkers and queueing (see RunnerCallTimeout).</summary>
    [Range(0, 3_600_000)]
    public int RunnerTimeoutMarginMs { get; set; } = 10_000;

    /// <summary>
    /// A <c>wait=true</c> submission that a free worker of the accepting process runs at once is
    /// stored when it ends (one write), or after this long if it is still running (or at the wait
    /// bound, if sooner). 0: stored before it runs, as every other submission. Until it is stored it
    /// exists only in the accepting process and the waiting request, whose client has no id yet.
    /// </summary>
    /// <value>The default value is 2 000 ms.</value>
    [Range(0, 200_000)]
    public int SyncStoreAfterMs { get; set; } = 2_000;

    /// <summary>
    /// Rows written behind, in bulk: the listing entry of an asynchronous submission whose reconcile
    /// check is its group's (<see cref="ReconcileAhead"/>), and the item of a batch member that
    /// ended, wait at most this long for others of their tenant or batch and go out with them in one
    /// request (one per hundred). A reader through the writing process sees them at once; through
    /// another instance, at most this late; if the process dies first, the reconcile check that
    /// covers the submission writes them. 0: written before the 202, or at the member's end.
    /// </summary>
    /// <value>The default value is 1 000 ms.</value>
    [Range(0, 60_000)]
    public int WriteBehindMs { get; set; } = 1_000;

    /// <summary>Slots assumed per runner when computing the call timeout (1 = the safe side).</summary>
    [Range(1, 1024)]
    public int RunnerSlots { get; set; } = 1;
}
