using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Rce.Core.Submissions;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// Rows written behind, in bulk, one partition at a time: listing entries of asynchronous
/// submissions (<see cref="ISubmissionStore.CreateListedLaterAsync"/>, a partition per tenant) and
/// batch members' items (<see cref="IBatchStore.RecordLaterAsync"/>, a partition per batch). An item
/// waits at most <c>delay</c> (or until a transaction's worth, 100, of its partition waits) and goes
/// out with the others as one request per hundred, instead of one request each. What is given here
/// is owed to a reconcile check that writes it again from the submission's row
/// (<see cref="ISubmissionStore.EnsureListedAsync"/>, the batch's check), so nothing here is the only
/// copy of anything: a crash, a write that keeps failing or a full writer makes a row late, never lost.
/// </summary>
/// <typeparam name="T">What is written.</typeparam>
/// <remarks>
/// Invariants: one write at a time per partition (items given while one runs go in the next); an
/// item that failed is tried again, at most <see cref="MaxAttempts"/> times in all; at most
/// <see cref="MaxWaiting"/> items wait (past that, <see cref="TryAdd"/> refuses and the caller
/// writes the item itself); after <see cref="DisposeAsync"/> (the process stopping) what waits is
/// written once and nothing more is taken. A later item of the same key replaces a waiting one.
/// </remarks>
internal sealed class BulkWriter<T> : IAsyncDisposable
{
    /// <summary>Most items waiting at once, all partitions together.</summary>
    public const int MaxWaiting = 10_000;

    /// <summary>Writes of one item before it is left to its reconcile check.</summary>
    public const int MaxAttempts = 3;

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Func<T, string> _partition;
    private readonly Func<T, string> _key;
    private readonly Func<IReadOnlyCollection<T>, CancellationToken, Task> _write;
    private readonly string _what;
    private readonly TimeSpan _delay;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Partition> _partitions = new(StringComparer.Ordinal);
    private int _waiting;
    private bool _stopped;

    /// <summary>Creates the writer.</summary>
    /// <param name="what">What is written, for logs ("listing entries").</param>
    /// <param name="partition">The partition of an item: items of one partition are written together.</param>
    /// <param name="key">The key of an item within its partition.</param>
    /// <param name="write">Writes items of one partition (idempotent upserts).</param>
    /// <param name="delay">How long an item waits for others of its partition.</param>
    /// <param name="time">The clock of the waits.</param>
    /// <param name="logger">Logs writes that failed.</param>
    public BulkWriter(string what, Func<T, string> partition, Func<T, string> key, Func<IReadOnlyCollection<T>, CancellationToken, Task> write, TimeSpan delay, TimeProvider time, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        _what = what;
        _partition = partition;
        _key = key;
        _write = write;
        _delay = delay;
        _time = time;
        _logger = logger;
    }

    /// <summary>Items waiting to be written.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting;
            }
        }
    }

    /// <summary>Takes an item, to be written with its partition's next write.</summary>
    /// <param name="item">The item.</param>
    /// <returns>False when full or stopped: the caller writes the item itself.</returns>
    public bool TryAdd(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var name = _partition(item);
        bool full;
        lock (_lock)
        {
            if (_stopped || _waiting >= MaxWaiting)
            {
                return false;
            }

            var partition = PartitionOf(name);
            var key = _key(item);
            if (!partition.Items.ContainsKey(key))
            {
                _waiting++;
            }

            partition.Items[key] = (item, 0);
            full = partition.Items.Count >= TableTransactions.MaxActions;
            if (!full)
            {
                partition.Timer ??= StartTimer(name);
            }
        }

        if (full)
        {
            _ = WriteInBackgroundAsync(name);
        }

        return true;
    }

    /// <summary>Forgets a waiting item (one whose row is being purged: not written after the purge).</summary>
    /// <param name="partition">Its partition.</param>
    /// <param name="key">Its key.</param>
    public void Remove(string partition, string key)
    {
        lock (_lock)
        {
            if (_partitions.TryGetValue(partition, out var waiting) && waiting.Items.Remove(key))
            {
                _waiting--;
            }
        }
    }

    /// <summary>Writes what waits for <paramref name="partition"/> now: a reader of the partition sees its own process's writes.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="cancellationToken">Cancels the wait and the write; items not written wait again.</param>
    /// <returns>A task; failures are logged, not thrown (the items wait again or are left to their checks).</returns>
    public async Task FlushAsync(string partition, CancellationToken cancellationToken)
    {
        Partition? waiting;
        lock (_lock)
        {
            if (!_partitions.TryGetValue(partition, out waiting) || (waiting.Items.Count == 0 && waiting.Writing.CurrentCount == 1))
            {
                return; // nothing waits, nothing is being written
            }
        }

        await waiting.Writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteWaitingAsync(partition, waiting, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            waiting.Writing.Release();
            Forget(partition, waiting);
        }
    }

    /// <summary>Stops taking entries and writes what waits, once, within a bound.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        string[] partitions;
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            partitions = [.. _partitions.Keys];
            foreach (var partition in _partitions.Values)
            {
                partition.Timer?.Dispose();
                partition.Timer = null;
            }
        }

        using var bound = new CancellationTokenSource(StopTimeout);
        foreach (var partition in partitions)
        {
            try
            {
                await FlushAsync(partition, bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break; // what still waits is listed by its reconcile check
            }
        }
    }

    /// <summary>Drops a partition's state once nothing waits or is written there (batches come and go: their states must not pile up).</summary>
    private void Forget(string name, Partition partition)
    {
        lock (_lock)
        {
            if (partition.Items.Count == 0 && partition.Timer is null && partition.Writing.CurrentCount == 1
                && _partitions.TryGetValue(name, out var current) && ReferenceEquals(current, partition))
            {
                _partitions.Remove(name);
            }
        }
    }

    /// <summary>The partition's state, made when an item comes.</summary>
    private Partition PartitionOf(string name)
    {
        if (!_partitions.TryGetValue(name, out var partition))
        {
            partition = new Partition();
            _partitions[name] = partition;
        }

        return partition;
    }

    private ITimer StartTimer(string partition) => _time.CreateTimer(OnTimer, partition, _delay, Timeout.InfiniteTimeSpan);

    private void OnTimer(object? partition) => _ = WriteInBackgroundAsync((string)partition!);

    /// <summary>A write nobody awaits: it never throws (<see cref="WriteWaitingAsync"/> logs failures and throws only for a cancelled caller, and none is given here).</summary>
    private Task WriteInBackgroundAsync(string partition) => FlushAsync(partition, CancellationToken.None);

    /// <summary>Takes what waits for the partition and writes it; on failure puts back what has attempts left.</summary>
    private async Task WriteWaitingAsync(string name, Partition partition, CancellationToken cancellationToken)
    {
        List<(T Item, int Attempts)> taken;
        lock (_lock)
        {
            taken = [.. partition.Items.Values];
            partition.Items.Clear();
            _waiting -= taken.Count;
            partition.Timer?.Dispose();
            partition.Timer = null;
        }

        if (taken.Count == 0)
        {
            return;
        }

        try
        {
            await _write([.. taken.Select(waiting => waiting.Item)], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            var kept = 0;
            lock (_lock)
            {
                foreach (var (item, attempts) in taken)
                {
                    // A cancelled write (a reader gone) was not a failure of the item; a newer item of its key wins.
                    var next = error is OperationCanceledException ? attempts : attempts + 1;
                    if (!_stopped && next < MaxAttempts && partition.Items.TryAdd(_key(item), (item, next)))
                    {
                        _waiting++;
                        kept++;
                    }
                }

                if (kept > 0)
                {
                    partition.Timer ??= StartTimer(name);
                }
            }

            if (error is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            WorkflowStorageLog.BulkNotWritten(_logger, _what, taken.Count, kept, StorageErrors.Describe(error));
        }
    }

    /// <summary>A partition's waiting items (by key), its one write at a time and its timer.</summary>
    [SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The semaphore never allocates a wait handle (only WaitAsync is used); the timer is disposed when it fires or on stop.")]
    private sealed class Partition
    {
        public Dictionary<string, (T Item, int Attempts)> Items { get; } = new(StringComparer.Ordinal);

        public SemaphoreSlim Writing { get; } = new(1, 1);

        public ITimer? Timer { get; set; }
    }
}
