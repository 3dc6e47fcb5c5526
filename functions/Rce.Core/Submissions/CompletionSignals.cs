using System.Collections.Concurrent;

namespace Rce.Core.Submissions;

/// <summary>
/// In-process wake-ups for <c>wait=true</c>: the worker that wins a terminal transition signals the
/// id, so a waiting HTTP request in the same process answers at once instead of at its next poll.
/// Waiters still poll the store, because another instance may finish the submission.
/// </summary>
public sealed class CompletionSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    /// <summary>A task that completes when <see cref="Signal"/> is called for <paramref name="id"/> (or never).</summary>
    /// <param name="id">Submission id.</param>
    /// <returns>The task; shared by every waiter of the id.</returns>
    public Task WhenSignalled(string id) =>
        _waiting.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Wakes the waiters of <paramref name="id"/>.</summary>
    /// <param name="id">Submission id.</param>
    public void Signal(string id)
    {
        if (_waiting.TryRemove(id, out var source))
        {
            source.TrySetResult();
        }
    }

    /// <summary>Forgets an id whose waiters all gave up (bounded memory).</summary>
    /// <param name="id">Submission id.</param>
    public void Forget(string id) => _waiting.TryRemove(id, out _);
}
