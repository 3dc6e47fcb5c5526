namespace Rce.Core.Submissions;

/// <summary>The workflow's queues. Names are Storage queue names, fixed so that function.json files can name them.</summary>
public enum WorkQueueId
{
    /// <summary><c>submissions</c>: run a submission.</summary>
    Submissions,

    /// <summary><c>submissions-high</c>: run a high-priority submission.</summary>
    SubmissionsHigh,

    /// <summary><c>reconcile</c>: delayed checks that re-enqueue lost work and fail stuck instances.</summary>
    Reconcile,

    /// <summary><c>callbacks</c>: deliver a completion callback (with its own retry schedule).</summary>
    Callbacks,
}

/// <summary>Queue names.</summary>
public static class WorkQueues
{
    /// <summary>The suffix of poison queues (Functions queue extension rule).</summary>
    public const string PoisonSuffix = "-poison";

    /// <summary>Every workflow queue.</summary>
    public static IReadOnlyList<WorkQueueId> All { get; } = [WorkQueueId.Submissions, WorkQueueId.SubmissionsHigh, WorkQueueId.Reconcile, WorkQueueId.Callbacks];

    /// <summary>The Storage queue name.</summary>
    /// <param name="queue">The queue.</param>
    /// <returns>Its name.</returns>
    public static string Name(this WorkQueueId queue) => queue switch
    {
        WorkQueueId.Submissions => "submissions",
        WorkQueueId.SubmissionsHigh => "submissions-high",
        WorkQueueId.Reconcile => "reconcile",
        WorkQueueId.Callbacks => "callbacks",
        _ => throw new ArgumentOutOfRangeException(nameof(queue)),
    };

    /// <summary>The queue a submission of this priority runs from.</summary>
    /// <param name="priority">The priority.</param>
    /// <returns>The queue.</returns>
    public static WorkQueueId ForPriority(SubmissionPriority priority) =>
        priority == SubmissionPriority.High ? WorkQueueId.SubmissionsHigh : WorkQueueId.Submissions;
}
