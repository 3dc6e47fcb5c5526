namespace Rce.Core.Submissions;

/// <summary>
/// History rows of a step not written yet, taken exactly once: by the delayed writer or by the
/// step's next history write, whichever comes first (<see cref="SubmissionWorkflow"/>'s run start).
/// </summary>
internal sealed class PendingHistory
{
    private IReadOnlyList<HistoryEvent>? _events;

    /// <summary>Holds <paramref name="events"/> until taken.</summary>
    /// <param name="events">The rows, oldest first.</param>
    public PendingHistory(IReadOnlyList<HistoryEvent> events) => _events = events;

    /// <summary>The rows, the first time; empty after that.</summary>
    /// <returns>The rows to write now.</returns>
    public IReadOnlyList<HistoryEvent> Take() => Interlocked.Exchange(ref _events, null) ?? [];
}
