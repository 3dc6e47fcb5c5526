namespace Rce.Core.Submissions;

/// <summary>
/// Rows this process has just written and is about to act on again (a created row, which the claim
/// of its first run message needs): handing the row over in memory saves the claim its read.
/// </summary>
/// <remarks>
/// Invariant: a row from here is only ever used as the base of a compare-and-set write. If it is
/// stale (another worker, a terminate), the write fails with 412 and the caller reads the row from
/// the store as before, so a stale or missing entry costs a round trip, never a wrong transition.
/// Each entry is taken at most once. The number of entries is bounded: rows whose message is
/// handled by another instance are never taken here, and the oldest are dropped.
/// </remarks>
public sealed class FreshRows
{
    private readonly BoundedById<Submission> _rows;

    /// <summary>Creates an empty set.</summary>
    /// <param name="capacity">Most rows kept; older ones are dropped first.</param>
    public FreshRows(int capacity = 1024) => _rows = new BoundedById<Submission>(capacity);

    /// <summary>Rows currently kept.</summary>
    public int Count => _rows.Count;

    /// <summary>Keeps <paramref name="row"/> (with its ETag) for one later <see cref="Take"/>.</summary>
    /// <param name="row">A stored row.</param>
    public void Put(Submission row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.ETag is null)
        {
            return; // not stored: no compare-and-set could use it
        }

        _rows.Put(row.Id, row);
    }

    /// <summary>Takes the row kept for <paramref name="id"/>, if any.</summary>
    /// <param name="id">Submission id.</param>
    /// <returns>The row, or null.</returns>
    public Submission? Take(string id) => _rows.TryTake(id, out var row) ? row : null;
}
