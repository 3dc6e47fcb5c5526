using System.Collections.Concurrent;

namespace Rce.Core.Submissions;

/// <summary>
/// Submission ids whose reconcile check is sent before the ids are handed out: one check message for
/// a group of future submissions instead of one message per submission on the accept path.
/// </summary>
/// <remarks>
/// <para>
/// Invariant (durable-style-workflow §3.3, "the check exists before the row"): an id is handed out
/// only after the message listing it was sent, and <see cref="Covers"/> says yes only while that
/// check is still at least half the reconcile delay away, so a row created with a covered id always
/// has a check that will see it. A check that runs early is harmless: it finds the row Queued and
/// fresh or Running under a live lease, and arms itself again for those ids; an id that never got
/// a row (its request was refused, or the process died first) costs the check one read.
/// </para>
/// <para>
/// Groups are sized to the recent rate of accepts (one id at a time when they are rare, up to
/// <see cref="WorkMessage.MaxGroup"/> under load), and an id is handed out only within
/// <see cref="HandOutWindow"/> of its group's send, so a check runs at least the reconcile delay
/// less that window after the row it watches was created.
/// </para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds no unmanaged resource.")]
public sealed class ReconcileAhead
{
    /// <summary>Largest group armed at once.</summary>
    public const int MaxGroup = 64;

    /// <summary>Most ids remembered as covered at once (ids of refused requests linger until they age out).</summary>
    public const int MaxOutstanding = 10_000;

    private readonly IWorkQueues _queues;
    private readonly TimeProvider _time;
    private readonly TimeSpan _delay;
    private readonly SemaphoreSlim _arming = new(1, 1);
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, long> _handedOut = new(StringComparer.Ordinal);
    private Stack<string> _group = new();
    private long _groupSentAt;
    private int _groupSize;
    private long _prunedAt;

    /// <summary>Creates an empty source; the first take arms the first group.</summary>
    /// <param name="queues">Where the check messages go.</param>
    /// <param name="reconcileDelay">The reconcile delay (the checks' visibility delay).</param>
    /// <param name="time">The clock.</param>
    public ReconcileAhead(IWorkQueues queues, TimeSpan reconcileDelay, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(time);
        _queues = queues;
        _delay = reconcileDelay;
        _time = time;
    }

    /// <summary>How long after its group's send an id may still be handed out: a quarter of the reconcile delay, at most 10 s.</summary>
    public TimeSpan HandOutWindow => TimeSpan.FromTicks(Math.Min(_delay.Ticks / 4, TimeSpan.FromSeconds(10).Ticks));

    /// <summary>Ids handed out and not yet claimed by <see cref="Covers"/> (refused requests' ids until they age out).</summary>
    public int Outstanding => _handedOut.Count;

    /// <summary>A new submission id whose reconcile check is already armed (unless <see cref="MaxOutstanding"/> ids await their rows); arms a new group when none is left.</summary>
    /// <param name="cancellationToken">Cancels the wait for, or the send of, a group's check.</param>
    /// <returns>The id (32 lowercase hex digits).</returns>
    public async Task<string> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTake() is { } id)
            {
                return id;
            }

            await _arming.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (TryTake() is { } taken)
                {
                    return taken; // armed by another taker while this one waited
                }

                var ids = Enumerable.Range(0, NextSize()).Select(_ => Submission.NewId()).ToArray();
                await _queues.EnqueueAsync(WorkQueueId.Reconcile, new WorkMessage(Submission.NewId(), Ids: ids), _delay, cancellationToken).ConfigureAwait(false);
                lock (_lock)
                {
                    _group = new Stack<string>(ids);
                    _groupSize = ids.Length;
                    _groupSentAt = _time.GetTimestamp();
                    return HandOut(_group.Pop()); // this taker's, whatever the window: it waited for this send
                }
            }
            finally
            {
                _arming.Release();
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="id"/> came from <see cref="TakeAsync"/> and its check is still far
    /// enough ahead to see the row about to be created; each id answers yes at most once.
    /// </summary>
    /// <param name="id">Submission id.</param>
    /// <returns>True: no check of its own is needed.</returns>
    public bool Covers(string id) =>
        _handedOut.TryRemove(id, out var sentAt) && _time.GetElapsedTime(sentAt) < _delay / 2;

    private string? TryTake()
    {
        lock (_lock)
        {
            if (_group.Count == 0 || _time.GetElapsedTime(_groupSentAt) >= HandOutWindow)
            {
                return null;
            }

            return HandOut(_group.Pop());
        }
    }

    /// <summary>Remembers <paramref name="id"/> as covered (under the lock); past the bound it is handed out uncovered, and its accept arms a check of its own.</summary>
    private string HandOut(string id)
    {
        if (_handedOut.Count >= MaxOutstanding && _time.GetElapsedTime(_prunedAt) >= TimeSpan.FromSeconds(1))
        {
            _prunedAt = _time.GetTimestamp(); // at most once a second: a flood of refused requests costs no scan per take
            Prune();
        }

        if (_handedOut.Count < MaxOutstanding)
        {
            _handedOut[id] = _groupSentAt;
        }

        return id;
    }

    /// <summary>The next group's size: doubled when the last one ran out, else what of it was used (at least 1).</summary>
    private int NextSize()
    {
        lock (_lock)
        {
            if (_groupSize == 0)
            {
                return 1;
            }

            var used = _groupSize - _group.Count;
            return _group.Count == 0 ? Math.Min(MaxGroup, 2 * _groupSize) : Math.Max(1, used);
        }
    }

    /// <summary>Drops ids handed out whose check is too near to cover them any more (their requests were refused or died).</summary>
    private void Prune()
    {
        foreach (var (id, sentAt) in _handedOut)
        {
            if (_time.GetElapsedTime(sentAt) >= _delay / 2)
            {
                _handedOut.TryRemove(new KeyValuePair<string, long>(id, sentAt));
            }
        }
    }
}
