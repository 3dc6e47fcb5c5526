using System.Text;

namespace Rce.Sandbox.Slots;

/// <summary>
/// A machine-wide pool of sandbox slots, claimed across processes with one lock file per slot.
/// </summary>
/// <remarks>
/// Concurrent <c>rce run</c> processes, test projects and runners on one machine never share a
/// uid, box or cgroup: each slot is an exclusive <c>flock</c> on <c>slots/N.lock</c>, held by
/// an open descriptor, so a crashed holder releases it with its last descriptor. Inside one
/// process a semaphore queues callers instead of spinning on the locks.
/// </remarks>
public sealed class SlotPool : IDisposable
{
    private readonly string _dir;
    private readonly int _uidBase;
    private readonly SemaphoreSlim _local;
    private readonly Action<IReadOnlyList<string>> _sweep;
    private readonly TimeProvider _time;

    /// <summary>Creates the pool.</summary>
    /// <param name="directory">Directory of the lock files (under the neutral state root).</param>
    /// <param name="count">Number of slots on this machine.</param>
    /// <param name="uidBase">uid of slot 0; slot N uses uid (and gid) uidBase + N.</param>
    /// <param name="sweep">Called with a dead owner's journal before a slot is reused.</param>
    /// <param name="time">Clock for the cross-process wait.</param>
    public SlotPool(string directory, int count, int uidBase, Action<IReadOnlyList<string>> sweep, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _dir = directory;
        _uidBase = uidBase;
        _sweep = sweep;
        _time = time;
        Count = count;
        _local = new SemaphoreSlim(count, count);
        Directory.CreateDirectory(directory);
    }

    /// <summary>Number of slots.</summary>
    public int Count { get; }

    /// <summary>Slots currently held by this process.</summary>
    public int Busy => Count - _local.CurrentCount;

    /// <summary>Waits for a free slot on the machine.</summary>
    public async Task<SlotLease> AcquireAsync(CancellationToken cancellationToken = default)
    {
        await _local.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var start = Random.Shared.Next(Count);
            while (true)
            {
                for (var i = 0; i < Count; i++)
                {
                    var index = (start + i) % Count;
                    var lease = TryClaim(index);
                    if (lease is not null)
                    {
                        return lease;
                    }
                }

                // Every slot is held by another process: poll, they are short-lived.
                await Task.Delay(TimeSpan.FromMilliseconds(5), _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            _local.Release();
            throw;
        }
    }

    /// <summary>
    /// Claims each free slot once to sweep what dead owners left (their journals, then
    /// <paramref name="whileHeld"/> with the slot index, for leftovers no journal names); call at start.
    /// </summary>
    public void SweepAll(Action<int> whileHeld)
    {
        ArgumentNullException.ThrowIfNull(whileHeld);
        for (var i = 0; i < Count; i++)
        {
            using var lease = TryClaim(i, releaseLocal: false);
            if (lease is not null)
            {
                whileHeld(i);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _local.Dispose();

    private SlotLease? TryClaim(int index, bool releaseLocal = true)
    {
        FileStream stream;
        try
        {
            // FileShare.None is an exclusive, non-blocking flock on Unix.
            stream = new FileStream(Path.Combine(_dir, $"{index}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException)
        {
            return null;
        }

        if (stream.Length > 0)
        {
            var journal = new byte[stream.Length];
            stream.ReadExactly(journal);
            _sweep(Encoding.UTF8.GetString(journal).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            stream.SetLength(0);
        }

        return new SlotLease(index, _uidBase + index, stream, releaseLocal ? () => _local.Release() : () => { });
    }
}
