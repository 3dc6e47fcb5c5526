namespace Rce.Core.Submissions;

/// <summary>
/// The history events an instance row carries itself (<see cref="Submission.History"/>): every
/// transition appends its events to the row it writes, so the history of a transition is stored by
/// the same compare-and-set write, costs no storage call of its own, and can never disagree with the
/// row. Immutable; value equality (two logs with the same events are equal).
/// </summary>
/// <remarks>
/// Bounded (<see cref="MaxEvents"/>, details cut to <see cref="MaxDetailChars"/>), because it rides
/// on every write of the row: past the bound the oldest events after the first are dropped and one
/// <c>HistoryTruncated</c> event says so. Events that are not a transition of the row (callback
/// deliveries) are still appended to the history table (<see cref="ISubmissionStore.AppendHistoryAsync(string, HistoryEvent, CancellationToken)"/>);
/// a reader merges both (<see cref="Merge"/>).
/// </remarks>
public sealed class HistoryLog : IEquatable<HistoryLog>
{
    /// <summary>Most events kept in a row.</summary>
    public const int MaxEvents = 40;

    /// <summary>Longest detail kept in a row's event.</summary>
    public const int MaxDetailChars = 512;

    private readonly HistoryEvent[] _events;

    private HistoryLog(HistoryEvent[] events) => _events = events;

    /// <summary>No events.</summary>
    public static HistoryLog Empty { get; } = new([]);

    /// <summary>The events, oldest first.</summary>
    public IReadOnlyList<HistoryEvent> Events => _events;

    /// <summary>A log of <paramref name="events"/>, bounded as <see cref="Append"/> bounds it.</summary>
    /// <param name="events">Oldest first.</param>
    /// <returns>The log.</returns>
    public static HistoryLog Of(IEnumerable<HistoryEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return Empty.Append([.. events]);
    }

    /// <summary>This log with <paramref name="events"/> after its own.</summary>
    /// <param name="events">The new events, oldest first.</param>
    /// <returns>A new log.</returns>
    public HistoryLog Append(params HistoryEvent[] events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Length == 0)
        {
            return this;
        }

        var all = new List<HistoryEvent>(_events.Length + events.Length);
        all.AddRange(_events);
        all.AddRange(events.Select(Bounded));
        if (all.Count > MaxEvents)
        {
            // Keep the first (ExecutionStarted) and the newest; say what was dropped.
            var dropped = all.Count - MaxEvents + 1;
            var marker = new HistoryEvent("HistoryTruncated", all[dropped].Timestamp, "SubmissionWorkflow", $"{dropped} earlier events dropped");
            all = [all[0], marker, .. all.Skip(dropped + 1)];
        }

        return new HistoryLog([.. all]);
    }

    /// <summary>A row's events and the history table's, in time order (stable: the row's first at equal times).</summary>
    /// <param name="row">The row's own events.</param>
    /// <param name="table">The events appended to the history table.</param>
    /// <returns>One history, oldest first.</returns>
    public static IReadOnlyList<HistoryEvent> Merge(HistoryLog? row, IReadOnlyList<HistoryEvent> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return [.. (row?.Events ?? []).Concat(table).OrderBy(e => e.Timestamp)];
    }

    /// <inheritdoc/>
    public bool Equals(HistoryLog? other) => other is not null && _events.SequenceEqual(other._events);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as HistoryLog);

    /// <inheritdoc/>
    public override int GetHashCode() => _events.Length == 0 ? 0 : HashCode.Combine(_events.Length, _events[^1]);

    /// <inheritdoc/>
    public override string ToString() => string.Join(", ", _events.Select(e => e.EventType));

    private static HistoryEvent Bounded(HistoryEvent e) =>
        e.Detail is { Length: > MaxDetailChars } detail ? e with { Detail = detail[..MaxDetailChars] } : e;
}
