using System.Diagnostics;

namespace Rce.Functions.Tests.EndToEnd;

/// <summary>A real process (the runner or the Functions app) started from the test's output directory, with its output kept for failures.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    private ServiceProcess(Process process) => _process = process;

    public string Output => string.Join('\n', _lines.TakeLast(40));

    public static ServiceProcess Start(string dll, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        info.WorkingDirectory = AppContext.BaseDirectory;
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var started = new ServiceProcess(Process.Start(info)!);
        started._process.OutputDataReceived += (_, e) => started.Keep(e.Data);
        started._process.ErrorDataReceived += (_, e) => started.Keep(e.Data);
        started._process.BeginOutputReadLine();
        started._process.BeginErrorReadLine();
        return started;
    }

    public async Task WaitHttpAsync(int port, string path, TimeSpan bound, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var start = Stopwatch.StartNew();
        while (start.Elapsed < bound)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"process exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var answer = await http.GetAsync(path, ct);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, ct);
        }

        Assert.Fail($"{path} on {port} never answered 2xx:\n{Output}");
    }

    /// <summary>SIGKILL: no graceful stop, in-flight work lost (the crash-recovery tests).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        while (_lines.Count > 200)
        {
            _lines.TryDequeue(out _);
        }
    }
}
