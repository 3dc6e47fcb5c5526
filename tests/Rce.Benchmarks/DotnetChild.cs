using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Rce.Benchmarks;

/// <summary>
/// A .NET app of this checkout (<c>dotnet X.dll</c>) as a child process: the last lines of its
/// output for error messages, waiting until it answers, and the stop a service manager gives it.
/// </summary>
internal sealed partial class DotnetChild : IAsyncDisposable
{
    private const int TailLines = 40;
    private const int Sigterm = 15;

    // Children still running, so that a benchmark stopped by SIGTERM (or ending on an exception
    // that skipped a dispose) does not leave its runner and app behind; SIGKILL leaves them.
    private static readonly ConcurrentDictionary<int, Process> Live = new();
    private static int s_exitHook;
    private static PosixSignalRegistration[]? s_signals; // kept: a collected registration is unregistered

    private readonly Process _process;
    private readonly string _what;
    private readonly long _started;
    private readonly ConcurrentQueue<string> _tail = new();

    private DotnetChild(Process process, string what, long started)
    {
        _process = process;
        ProcessId = process.Id;
        _what = what;
        _started = started;
    }

    /// <summary>The child's process id (its CPU time is read from <c>/proc</c>).</summary>
    public int ProcessId { get; }

    /// <summary>The child's last lines of output.</summary>
    public string Tail => string.Join('\n', _tail);

    /// <summary>Starts <paramref name="dll"/> in its own directory with <paramref name="environment"/> added to ours.</summary>
    /// <param name="what">How error messages name it ("the runner").</param>
    public static DotnetChild Start(string dll, string what, IEnumerable<KeyValuePair<string, string>> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // host.json and appsettings are read from the app's own directory, whatever the cwd.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var started = Stopwatch.GetTimestamp();
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new BenchmarkException($"{what} did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new BenchmarkException($"cannot start {what} (dotnet on PATH?)", ex);
        }

        if (Interlocked.Exchange(ref s_exitHook, 1) == 0)
        {
            // Before the default action of SIGTERM and SIGINT (which then ends the benchmark), and at a normal exit.
            s_signals = [PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => KillLive()), PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => KillLive())];
            AppDomain.CurrentDomain.ProcessExit += (_, _) => KillLive();
        }

        Live[process.Id] = process;
        var child = new DotnetChild(process, what, started);
        process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return child;
    }

    /// <summary>
    /// Asks <paramref name="probe"/> every 100 ms until it returns null (ready; a refused connection
    /// counts as not yet), and returns the time since the start.
    /// </summary>
    /// <param name="probe">Null when ready, else the last answer, for the error message.</param>
    public async Task<TimeSpan> WaitReadyAsync(Func<Task<string?>> probe, TimeSpan timeout)
    {
        var last = "no answer";
        while (Stopwatch.GetElapsedTime(_started) < timeout)
        {
            if (_process.HasExited)
            {
                throw new BenchmarkException($"{_what} exited with {_process.ExitCode} while starting:\n{Tail}");
            }

            try
            {
                var answer = await probe();
                if (answer is null)
                {
                    return Stopwatch.GetElapsedTime(_started);
                }

                last = answer.Length > 2000 ? answer[..2000] + "…" : answer;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new BenchmarkException($"{_what} was not ready after {timeout.TotalSeconds:0} s: {last}\n{Tail}");
    }

    /// <summary>Stops the child the way a service manager does (SIGTERM: it drains), killing it if it does not exit.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = kill(_process.Id, Sigterm);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }

        Live.TryRemove(ProcessId, out _);
        _process.Dispose();
    }

    private static void KillLive()
    {
        foreach (var process in Live.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _tail.Enqueue(line);
        while (_tail.Count > TailLines && _tail.TryDequeue(out _))
        {
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
