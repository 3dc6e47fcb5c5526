namespace Rce.Infrastructure.Workflow;

/// <summary>
/// Runs a "create if not exists" call (table, container, queue) once per process and shares it:
/// the first caller starts it, later callers await the same task. A failed or cancelled attempt is
/// forgotten, so the next caller tries again instead of inheriting the failure forever.
/// </summary>
internal sealed class CreateOnce(Func<CancellationToken, Task> create)
{
    private readonly Lock _lock = new();
    private Task? _task;

    /// <summary>Waits until the resource has been created (by this call or an earlier one).</summary>
    /// <param name="cancellationToken">Stops this caller's wait; never the shared creation, which others may await.</param>
    /// <returns>A task.</returns>
    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        Task task;
        lock (_lock)
        {
            if (_task is null || _task.IsFaulted || _task.IsCanceled)
            {
                // CancellationToken.None: the creation is shared, so one caller giving up must not fail it
                // for the others; the storage client's own timeouts bound it.
                _task = create(CancellationToken.None);
            }

            task = _task;
        }

        return task.IsCompletedSuccessfully ? Task.CompletedTask : task.WaitAsync(cancellationToken);
    }

    /// <summary>Forgets a completed creation: the resource was deleted behind this process's back.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            // A creation still in progress is kept: it is about to make the resource exist again.
            if (_task is { IsCompleted: true })
            {
                _task = null;
            }
        }
    }
}
