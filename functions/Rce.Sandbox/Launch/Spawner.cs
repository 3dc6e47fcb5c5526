using System.Collections.Concurrent;
using System.Diagnostics;

namespace Rce.Sandbox.Launch;

/// <summary>Starts every launcher process from one dedicated, long-lived thread.</summary>
/// <remarks>
/// The launcher sets <c>PR_SET_PDEATHSIG</c>, and Linux delivers that signal when the
/// <em>thread</em> that forked the child exits, not the process. A thread-pool thread may retire
/// at any time and would kill a healthy box with it; this thread lives as long as the process, so
/// the signal fires exactly when the runner dies.
/// </remarks>
internal sealed class Spawner : IDisposable
{
    private readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Done)> _queue = [];
    private readonly Thread _thread;
    private readonly ConcurrentDictionary<int, bool> _live = new();

    public Spawner()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "rce-spawner" };
        _thread.Start();
    }

    /// <summary>Starts a process from the spawner thread.</summary>
    public Task<Process> StartAsync(ProcessStartInfo info)
    {
        var done = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add((info, done));
        return done.Task;
    }

    /// <summary>Whether <paramref name="pid"/> is a started process whose exit has not been observed yet.</summary>
    public bool IsTracked(int pid) => _live.ContainsKey(pid);

    /// <summary>Marks a started process's exit as observed (Process has reaped it).</summary>
    public void Forget(int pid) => _live.TryRemove(pid, out _);

    public void Dispose() => _queue.CompleteAdding();

    private void Loop()
    {
        foreach (var (info, done) in _queue.GetConsumingEnumerable())
        {
            try
            {
                var process = Process.Start(info) ?? throw new InvalidOperationException("process did not start");
                _live[process.Id] = true;
                done.SetResult(process);
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        }
    }
}
