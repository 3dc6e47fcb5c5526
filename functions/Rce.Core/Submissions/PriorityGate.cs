namespace Rce.Core.Submissions;

/// <summary>
/// Bounds this process's concurrent runner calls and admits waiting high-priority submissions
/// before normal ones. The Functions host fetches each queue independently, so "served first"
/// cannot be decided by the queues alone; it is decided here, where submissions meet the runners.
/// </summary>
public sealed class PriorityGate
{
    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource> _high = new();
    private readonly Queue<TaskCompletionSource> _normal = new();
    private int _free;

    /// <summary>Creates a gate.</summary>
    /// <param name="capacity">Calls admitted at once.</param>
    public PriorityGate(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _free = capacity;
    }

    /// <summary>Calls admitted at once.</summary>
    public int Capacity { get; }

    /// <summary>Calls admitted now.</summary>
    public int Busy
    {
        get
        {
            lock (_lock)
            {
                return Capacity - _free;
            }
        }
    }

    /// <summary>Callers waiting for a place now (a cancelled waiter counts until a release passes it by).</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _high.Count + _normal.Count;
            }
        }
    }

    /// <summary>Takes a place if one is free for <paramref name="priority"/> now, without waiting.</summary>
    /// <param name="priority">The submission's priority.</param>
    /// <returns>The place (dispose it to give it back), or null when the caller would have to wait.</returns>
    public IDisposable? TryEnter(SubmissionPriority priority)
    {
        lock (_lock)
        {
            if (_free > 0 && (priority == SubmissionPriority.High || _high.Count == 0))
            {
                _free--;
                return new Place(this);
            }

            return null;
        }
    }

    /// <summary>Waits for a place; dispose the result to give it back.</summary>
    /// <param name="priority">The submission's priority.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The place.</returns>
    public async Task<IDisposable> EnterAsync(SubmissionPriority priority, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (_free > 0 && (priority == SubmissionPriority.High || _high.Count == 0))
            {
                _free--;
                return new Place(this);
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (priority == SubmissionPriority.High ? _high : _normal).Enqueue(waiter);
        }

        using (cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)))
        {
            // A cancelled waiter stays queued; Release skips it (TrySetResult fails), so no place leaks.
            await waiter.Task.ConfigureAwait(false);
        }

        return new Place(this);
    }

    private void Release()
    {
        lock (_lock)
        {
            while (_high.Count > 0 || _normal.Count > 0)
            {
                var next = _high.Count > 0 ? _high.Dequeue() : _normal.Dequeue();
                if (next.TrySetResult())
                {
                    return; // the place passes to the waiter
                }
            }

            _free++;
        }
    }

    private sealed class Place(PriorityGate gate) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
