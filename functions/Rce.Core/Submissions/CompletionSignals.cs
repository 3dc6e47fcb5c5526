using System.Collections.Concurrent;

namespace Rce.Core.Submissions;

/// <summary>
/// In-process wake-ups for <c>wait=true</c>: the worker that wins a terminal transition signals the
/// id, so a waiting HTTP request in the same process answers at once instead of at its next poll.
/// The signal carries the terminal row when the winner has it (<see cref="Signal(Submission)"/>), so
/// the waiter need not read it again. Waiters still poll the store, because another instance may
/// finish the submission.
/// </summary>
/// <remarks>
/// <para>
/// One entry per id, shared by its waiters and reference-counted: every <see cref="WhenSignalled"/>
/// takes a reference, <see cref="Signal(string)"/> removes the entry and so releases all of them, and a
/// waiter that gives up releases its own with <see cref="Forget(string, Task)"/>. The entry goes
/// when its last reference does, so memory stays bounded by the ids being waited on, and one
/// waiter giving up never removes a signal another waiter still needs (two <c>wait=true</c>
/// replays of one submission). Lock-free; one allocation per waited id, none per waiter.
/// </para>
/// <para>
/// A waiter must register before it reads the store: a signal raised before the registration is
/// not remembered (the store already shows the terminal state). An id is signalled at most once
/// (only the winner of its terminal transition signals), which is what makes the id-only
/// <see cref="Forget(string)"/> safe for the usual loop (see there).
/// </para>
/// </remarks>
public sealed class CompletionSignals
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Ids with at least one registered waiter (a diagnostic; approximate while waiters come and go).</summary>
    public int WaitingIds => _entries.Count;

    /// <summary>Registers a waiter: a task that completes when <see cref="Signal(string)"/> is called for <paramref name="id"/> (or never).</summary>
    /// <param name="id">Submission id.</param>
    /// <returns>
    /// The task, shared by every waiter of the id; release it with <see cref="Forget(string, Task)"/>
    /// unless it completed. Its result is the terminal row, or null when the signal carried none.
    /// </returns>
    public Task<Submission?> WhenSignalled(string id)
    {
        while (true)
        {
            var entry = _entries.GetOrAdd(id, static _ => new Entry());
            var references = Volatile.Read(ref entry.References);
            if (references == Entry.Retired)
            {
                // Its last waiter left between our lookup and now: help remove it, then start a new one.
                _entries.TryRemove(KeyValuePair.Create(id, entry));
                continue;
            }

            if (Interlocked.CompareExchange(ref entry.References, references + 1, references) == references)
            {
                // If Signal removed the entry meanwhile, the task is complete: the waiter sees the signal.
                return entry.Task;
            }
        }
    }

    /// <summary>Wakes every waiter of <paramref name="id"/> and releases their references.</summary>
    /// <param name="id">Submission id.</param>
    public void Signal(string id)
    {
        if (_entries.TryRemove(id, out var entry))
        {
            entry.TrySetResult(null);
        }
    }

    /// <summary>Wakes every waiter of <paramref name="ended"/>'s id with the terminal row and releases their references.</summary>
    /// <param name="ended">The row as the terminal transition stored it.</param>
    public void Signal(Submission ended)
    {
        ArgumentNullException.ThrowIfNull(ended);
        if (_entries.TryRemove(ended.Id, out var entry))
        {
            entry.TrySetResult(ended);
        }
    }

    /// <summary>Releases one waiter of <paramref name="id"/>: exactly the reference behind <paramref name="signal"/>.</summary>
    /// <param name="id">Submission id.</param>
    /// <param name="signal">The task this waiter last got from <see cref="WhenSignalled"/>.</param>
    /// <remarks>
    /// A completed <paramref name="signal"/> holds no reference any more (<see cref="Signal(string)"/>
    /// released it), so this is a no-op then; so it is when the id's current entry is another one.
    /// The exact form: prefer it to <see cref="Forget(string)"/>.
    /// </remarks>
    public void Forget(string id, Task signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        if (!signal.IsCompleted && _entries.TryGetValue(id, out var entry) && ReferenceEquals(entry.Task, signal))
        {
            Release(id, entry);
        }
    }

    /// <summary>Releases one waiter's reference on the current entry of <paramref name="id"/>.</summary>
    /// <param name="id">Submission id.</param>
    /// <remarks>
    /// Balanced for a waiter that holds at most one live registration and calls this once at the end
    /// (register; after a completed signal, register again; finally forget). The one imprecise case:
    /// a waiter whose last task completed also releases a reference of an entry registered after the
    /// signal. That entry can never be signalled (an id is signalled once), so its waiters lose
    /// nothing but memory. <see cref="Forget(string, Task)"/> has no such case.
    /// </remarks>
    public void Forget(string id)
    {
        if (_entries.TryGetValue(id, out var entry))
        {
            Release(id, entry);
        }
    }

    private void Release(string id, Entry entry)
    {
        while (true)
        {
            var references = Volatile.Read(ref entry.References);
            if (references <= 0)
            {
                return; // retired, or just created and not yet counted: nothing of ours to release
            }

            var next = references == 1 ? Entry.Retired : references - 1;
            if (Interlocked.CompareExchange(ref entry.References, next, references) == references)
            {
                if (next == Entry.Retired)
                {
                    // Removes this entry only: a newer one under the same id belongs to other waiters.
                    _entries.TryRemove(KeyValuePair.Create(id, entry));
                }

                return;
            }
        }
    }

    /// <summary>The shared completion of one id and its waiter count; a retired entry takes no new waiters.</summary>
    private sealed class Entry() : TaskCompletionSource<Submission?>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public const int Retired = -1;

        public int References;
    }
}
