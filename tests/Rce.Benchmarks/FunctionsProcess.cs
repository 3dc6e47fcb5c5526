using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;

namespace Rce.Benchmarks;

/// <summary>
/// The Functions app (<c>Rce.Functions.dll</c>) as a child process in self-hosted mode (no
/// <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>): the HTTP API and the queue listeners in one process, as
/// <c>./rce up</c> runs it. Its environment comes from <see cref="PipelineStack"/>.
/// </summary>
internal sealed partial class FunctionsProcess : IAsyncDisposable
{
    private const int TailLines = 40;
    private const int Sigterm = 15;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _tail = new();

    private FunctionsProcess(Process process) => _process = process;

    /// <summary>Time from starting the process until <c>GET /api/health/live</c> answered 200.</summary>
    public TimeSpan Startup { get; private set; }

    /// <summary>The app's process id (its CPU time is read from <c>/proc</c>).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The app's last lines of output, for error messages.</summary>
    public string Tail => string.Join('\n', _tail);

    /// <summary>The Functions app: <paramref name="configured"/>, or the Release build in the checkout this benchmark was built from.</summary>
    public static string Locate(string? configured) => CheckoutBuild.Locate(configured, "Rce.Functions", "the Functions app", "--functions-dll");

    /// <summary>Starts the app with exactly <paramref name="environment"/> added to ours, and waits until <paramref name="ready"/> answers 200 through <paramref name="client"/>.</summary>
    public static async Task<FunctionsProcess> StartAsync(string dll, IReadOnlyDictionary<string, string> environment, HttpClient client, Uri ready, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // host.json is read from the app's own directory (AppContext.BaseDirectory), whatever the cwd.
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
            process = Process.Start(info) ?? throw new BenchmarkException("the Functions app did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new BenchmarkException("cannot start the Functions app (dotnet on PATH?)", ex);
        }

        var app = new FunctionsProcess(process);
        process.OutputDataReceived += (_, e) => app.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => app.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        try
        {
            await app.WaitReadyAsync(client, ready, started, timeout);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the app the way a service manager does (SIGTERM: listeners drain), killing it if it does not exit.</summary>
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

        _process.Dispose();
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

    private async Task WaitReadyAsync(HttpClient client, Uri ready, long started, TimeSpan timeout)
    {
        var last = "no answer";
        while (Stopwatch.GetElapsedTime(started) < timeout)
        {
            if (_process.HasExited)
            {
                throw new BenchmarkException($"the Functions app exited with {_process.ExitCode} while starting:\n{Tail}");
            }

            try
            {
                using var response = await client.GetAsync(ready);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Startup = Stopwatch.GetElapsedTime(started);
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new BenchmarkException($"the Functions app was not ready after {timeout.TotalSeconds:0} s: {last}\n{Tail}");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
