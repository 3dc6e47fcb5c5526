using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Rce.Benchmarks;

/// <summary>
/// The real runner service (<c>Rce.Runner.dll</c>) as a child process on a free loopback port, with
/// its own compile cache root, and an HTTP client for it.
/// </summary>
internal sealed class RunnerProcess : IAsyncDisposable
{
    private readonly DotnetChild _child;

    private RunnerProcess(DotnetChild child, HttpClient client, string token)
    {
        _child = child;
        Client = client;
        Token = token;
    }

    public HttpClient Client { get; }

    /// <summary>The runner's base URL (<c>http://127.0.0.1:PORT</c>).</summary>
    public Uri BaseAddress => Client.BaseAddress!;

    /// <summary>The bearer token the runner requires (<c>Runner__Token</c>), for its other clients (the Functions app).</summary>
    public string Token { get; }

    /// <summary>The runner's process id (its CPU time is read from <c>/proc</c>).</summary>
    public int ProcessId => _child.ProcessId;

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
        var child = DotnetChild.Start(dll, "the runner", new Dictionary<string, string>
        {
            ["Runner__Token"] = token,
            ["Runner__Urls"] = $"http://127.0.0.1:{port}",
            ["Runner__CompileCacheRoot"] = cacheRoot,
        });
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var runner = new RunnerProcess(child, client, token);
        try
        {
            runner.Startup = await child.WaitReadyAsync(runner.ProbeHealthAsync, timeout);
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
    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        return _child.DisposeAsync();
    }

    private static string Truncate(string text) => text.Length > 2000 ? text[..2000] + "…" : text;

    /// <summary>Null once <c>GET /health</c> is 200 (and the slot count read), else its answer.</summary>
    private async Task<string?> ProbeHealthAsync()
    {
        using var response = await Client.GetAsync(new Uri("/health", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return text;
        }

        using var health = JsonDocument.Parse(text);
        Slots = health.RootElement.GetProperty("slots").GetProperty("total").GetInt32();
        return null;
    }
}
