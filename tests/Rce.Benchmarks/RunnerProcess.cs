using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Rce.Benchmarks;

/// <summary>
/// The real runner service (<c>Rce.Runner.dll</c>) as a child process on a free loopback port, with
/// its own compile cache root, and an HTTP client for it.
/// </summary>
internal sealed partial class RunnerProcess : IAsyncDisposable
{
    private const int TailLines = 40;
    private const int Sigterm = 15;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _tail = new();

    private RunnerProcess(Process process, HttpClient client, string token)
    {
        _process = process;
        Client = client;
        Token = token;
    }

    public HttpClient Client { get; }

    /// <summary>The runner's base URL (<c>http://127.0.0.1:PORT</c>).</summary>
    public Uri BaseAddress => Client.BaseAddress!;

    /// <summary>The bearer token the runner requires (<c>Runner__Token</c>), for its other clients (the Functions app).</summary>
    public string Token { get; }

    /// <summary>The runner's process id (its CPU time is read from <c>/proc</c>).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Time from starting the process until <c>GET /health</c> answered 200 (the self-tests of every language included).</summary>
    public TimeSpan Startup { get; private set; }

    /// <summary>The runner's machine-wide slot count, as its <c>/health</c> reports it.</summary>
    public int Slots { get; private set; }

    /// <summary>The runner dll: <paramref name="configured"/>, or the Release build in the checkout this benchmark was built from.</summary>
    public static string Locate(string? configured) => CheckoutBuild.Locate(configured, "Rce.Runner", "the runner", "--runner-dll");

    /// <summary>Starts the runner and waits until it is ready (or fails, with the end of its log).</summary>
    public static async Task<RunnerProcess> StartAsync(string dll, string cacheRoot, TimeSpan timeout)
    {
        var port = Rce.Testing.LoopbackPorts.Free();
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        info.Environment["Runner__Token"] = token;
        info.Environment["Runner__Urls"] = $"http://127.0.0.1:{port}";
        info.Environment["Runner__CompileCacheRoot"] = cacheRoot;

        var started = Stopwatch.GetTimestamp();
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new BenchmarkException("the runner did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new BenchmarkException("cannot start the runner (dotnet on PATH?)", ex);
        }

        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var runner = new RunnerProcess(process, client, token);
        process.OutputDataReceived += (_, e) => runner.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => runner.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        try
        {
            await runner.WaitReadyAsync(started, timeout);
            return runner;
        }
        catch
        {
            await runner.DisposeAsync();
            throw;
        }
    }

    /// <summary>Posts one execution; returns the parsed answer (throws unless it is 200).</summary>
    public async Task<JsonDocument> ExecuteAsync(byte[] body, CancellationToken cancellationToken = default)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Client.PostAsync(new Uri("/v1/executions", UriKind.Relative), content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new BenchmarkException($"the runner answered {(int)response.StatusCode}: {Truncate(text)}");
        }

        return JsonDocument.Parse(text);
    }

    /// <summary>Stops the runner the way a service manager does (SIGTERM), killing it if it does not exit.</summary>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
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

    private static string Truncate(string text) => text.Length > 2000 ? text[..2000] + "…" : text;

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

    private async Task WaitReadyAsync(long started, TimeSpan timeout)
    {
        string? last = null;
        while (Stopwatch.GetElapsedTime(started) < timeout)
        {
            if (_process.HasExited)
            {
                throw new BenchmarkException($"the runner exited with {_process.ExitCode} while starting:\n{string.Join('\n', _tail)}");
            }

            try
            {
                using var response = await Client.GetAsync(new Uri("/health", UriKind.Relative));
                last = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Startup = Stopwatch.GetElapsedTime(started);
                    using var health = JsonDocument.Parse(last);
                    Slots = health.RootElement.GetProperty("slots").GetProperty("total").GetInt32();
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new BenchmarkException($"the runner was not ready after {timeout.TotalSeconds:0} s: {Truncate(last ?? "no answer")}");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
