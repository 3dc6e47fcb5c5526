namespace Rce.Core.Submissions;

/// <summary>Which queue a submission waits in: high is served first (a student waiting on a page).</summary>
public enum SubmissionPriority
{
    /// <summary>The default queue.</summary>
    Normal,

    /// <summary>The high-priority queue, drained before the normal one reaches a runner.</summary>
    High,
}
