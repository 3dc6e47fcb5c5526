namespace Rce.Core.Submissions;

/// <summary>
/// The last row this process wrote for each submission, with when: a status poll of a submission
/// this process runs (most of them, in the self-hosted mode) is answered from here instead of a
/// table read, as long as the copy is young enough (<see cref="Recent"/>).
/// </summary>
/// <remarks>
/// <para>
/// Invariant: a copy is only ever an answer to a reader, never the base of a transition (those read
/// the store, or use <see cref="FreshRows"/>, whose compare-and-set catches staleness).
/// </para>
/// <para>
/// What a copy can miss is a write by another process (a terminate, purge or reconcile through
/// another instance sharing the storage): the store forgets a copy on any write of its own that
/// finds the row changed (412) or gone, and a copy is never older than the age the reader allows,
/// so such a write shows at most that late. Two writes of one row in this process that finish out
/// of order could leave the older copy for that long too; the next write or the age replaces it.
/// </para>
/// <para>
/// Bounded: at most <c>capacity</c> copies, the oldest recorded dropped first, and an expired copy
/// is dropped when asked for (a dropped copy costs the next poll its read, nothing else). A copy
/// does not keep the request (<see cref="Submission.InlineRequest"/>): no answer shows it.
/// </para>
/// </remarks>
public sealed class RecentWrites
{
    private readonly BoundedById<Entry> _rows;
    private readonly TimeProvider _time;

    /// <summary>Creates an empty set.</summary>
    /// <param name="time">The clock of the ages.</param>
    /// <param name="capacity">Most copies kept.</param>
    public RecentWrites(TimeProvider time, int capacity = 2048)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _rows = new BoundedById<Entry>(capacity);
    }

    /// <summary>Copies kept now (expired ones included until they are dropped).</summary>
    public int Count => _rows.Count;

    /// <summary>Records <paramref name="row"/> as just written by this process.</summary>
    /// <param name="row">The row as stored (with its new ETag).</param>
    public void Wrote(Submission row)
    {
        ArgumentNullException.ThrowIfNull(row);
        _rows.Put(row.Id, new Entry(row with { InlineRequest = null }, _time.GetTimestamp()));
    }

    /// <summary>Forgets the copy of <paramref name="id"/>: the row changed under this process, or is gone.</summary>
    /// <param name="id">Submission id.</param>
    public void Forget(string id) => _rows.TryTake(id, out _);

    /// <summary>The copy of <paramref name="id"/> if this process wrote it at most <paramref name="maxAge"/> ago.</summary>
    /// <param name="id">Submission id.</param>
    /// <param name="maxAge">How old a copy the reader accepts; zero or less: none.</param>
    /// <returns>The row, or null (read the store).</returns>
    public Submission? Recent(string id, TimeSpan maxAge)
    {
        if (maxAge <= TimeSpan.Zero || !_rows.TryGet(id, out var entry))
        {
            return null;
        }

        if (_time.GetElapsedTime(entry.At) <= maxAge)
        {
            return entry.Row;
        }

        // Too old for this reader; removed only if not replaced meanwhile.
        _rows.Remove(id, entry);
        return null;
    }

    private sealed record Entry(Submission Row, long At);
}
