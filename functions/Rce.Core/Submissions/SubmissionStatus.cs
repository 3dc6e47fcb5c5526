namespace Rce.Core.Submissions;

/// <summary>
/// Where a submission is in its workflow. Statuses are not verdicts (design §5): the verdict is
/// null until the status is terminal.
/// </summary>
public enum SubmissionStatus
{
    /// <summary>Accepted and persisted, waiting for a worker (or for its retry back-off).</summary>
    Queued,

    /// <summary>A worker holds it and is calling a runner.</summary>
    Running,

    /// <summary>The runner answered; the verdict is final (whatever it is, CE and WA included).</summary>
    Completed,

    /// <summary>The service could not process it (runner unavailable after its retries, poison): verdict IE with the reason.</summary>
    Failed,

    /// <summary>Stopped by a terminate request before it finished.</summary>
    Terminated,
}

/// <summary>Rules on <see cref="SubmissionStatus"/>.</summary>
public static class SubmissionStatuses
{
    /// <summary>Whether no further transition can happen.</summary>
    /// <param name="status">The status.</param>
    /// <returns>True for Completed, Failed and Terminated.</returns>
    public static bool IsTerminal(this SubmissionStatus status) =>
        status is SubmissionStatus.Completed or SubmissionStatus.Failed or SubmissionStatus.Terminated;

    /// <summary>Parses a status name case-insensitively.</summary>
    /// <param name="text">The name.</param>
    /// <param name="status">The status when known.</param>
    /// <returns>Whether the name is a status.</returns>
    public static bool TryParse(string? text, out SubmissionStatus status)
    {
        // By name only: Enum.TryParse would also take numbers and OR comma lists together.
        foreach (var value in Enum.GetValues<SubmissionStatus>())
        {
            if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                status = value;
                return true;
            }
        }

        status = default;
        return false;
    }
}
