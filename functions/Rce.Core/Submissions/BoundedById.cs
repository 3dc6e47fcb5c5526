using System.Collections.Concurrent;

namespace Rce.Core.Submissions;

/// <summary>
/// A concurrent map from submission id to a value, holding at most a given number of entries: the
/// oldest put goes first. For in-memory shortcuts whose every miss costs a storage round trip and
/// nothing else (<see cref="FreshRows"/>, <see cref="RecentWrites"/>), so dropping early is harmless.
/// </summary>
/// <typeparam name="TValue">What is kept per id.</typeparam>
internal sealed class BoundedById<TValue>
    where TValue : class
{
    private readonly ConcurrentDictionary<string, TValue> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly int _capacity;

    public BoundedById(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count => _entries.Count;

    /// <summary>Keeps <paramref name="value"/> for <paramref name="id"/> (replacing any), then drops the oldest past the capacity.</summary>
    public void Put(string id, TValue value)
    {
        _entries[id] = value;
        _order.Enqueue(id);
        while (_order.Count > _capacity && _order.TryDequeue(out var oldest))
        {
            // An id put again since is also further back in the queue; dropping it early costs a round trip.
            _entries.TryRemove(oldest, out _);
        }
    }

    public bool TryGet(string id, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TValue value) => _entries.TryGetValue(id, out value);

    public bool TryTake(string id, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TValue value) => _entries.TryRemove(id, out value);

    /// <summary>Removes the entry of <paramref name="id"/> only if it is still <paramref name="value"/> (not replaced meanwhile).</summary>
    public void Remove(string id, TValue value) => _entries.TryRemove(new KeyValuePair<string, TValue>(id, value));
}
