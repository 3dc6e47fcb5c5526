using System.Net.Http.Json;
using System.Text.Json;
using Rce.Testing;

namespace Rce.Functions.Tests.EndToEnd;

/// <summary>
/// The whole local stack on free loopback ports: a real Azurite, a real runner process (sandbox) and
/// the Functions app as a real process in self-hosted mode. Shortened leases and reconcile delays
/// (settings) so that crash recovery is observable within a test; the defaults stay the host's.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    public const string RunnerToken = "functions-e2e-token-0123456789";
    private ServiceProcess? _runner;
    private AzuriteServer? _azurite;

    public AzuriteServer Azurite => _azurite ?? throw new InvalidOperationException("not started");

    public int RunnerPort { get; private set; }

    public bool Ready { get; private set; }

    public string? Problem { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (!AzuriteServer.IsInstalled || Environment.UserName != "root" || !File.Exists("/usr/bin/bwrap"))
        {
            Problem = "needs Azurite (./rce test installs it), root and bubblewrap";
            return;
        }

        _azurite = await AzuriteServer.StartAsync();
        RunnerPort = LoopbackPorts.Free();
        _runner = ServiceProcess.Start("Rce.Runner.dll", new Dictionary<string, string>
        {
            ["Sandbox__StateRoot"] = "/run/rce-functions-tests",
            ["Sandbox__UidBase"] = "61600",
            ["Sandbox__CgroupName"] = "rce-functions-tests",
            ["Runner__CompileCacheRoot"] = "/run/rce-functions-tests-cache",
            ["Runner__Token"] = RunnerToken,
            ["Runner__Urls"] = $"http://127.0.0.1:{RunnerPort}",
        });
        await _runner.WaitHttpAsync(RunnerPort, "/health", TimeSpan.FromSeconds(60), CancellationToken.None);
        Ready = true;
    }

    /// <summary>Requires the stack (skips locally, fails under CI=true when a part is missing).</summary>
    public void Require() => Requires.That(Ready, Problem ?? "the stack did not start");

    /// <summary>Starts a Functions app process against this stack's Azurite; the caller disposes it.</summary>
    public async Task<(ServiceProcess Process, HttpClient Http)> StartFunctionsAsync(int port, IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = Azurite.ConnectionString,
            ["Runners__Endpoints__0__BaseUrl"] = $"http://127.0.0.1:{RunnerPort}",
            ["Runners__Endpoints__0__Token"] = RunnerToken,
            ["Functions__Urls"] = $"http://127.0.0.1:{port}",
            ["Queues__Lease"] = "00:00:05",
            ["Queues__LeaseRenewal"] = "00:00:02",
            ["Queues__MaxPollingInterval"] = "00:00:00.500",
            ["Workflow__LeaseMarginMs"] = "2000",
            ["Workflow__ReconcileDelayMs"] = "3000",
            ["Workflow__RetryBaseDelayMs"] = "100",
            ["Callbacks__Secret"] = "e2e-callback-secret",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var process = ServiceProcess.Start("Rce.Functions.dll", environment);
        await process.WaitHttpAsync(port, "/api/health/live", TimeSpan.FromSeconds(30), CancellationToken.None);
        return (process, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(120) });
    }

    public async ValueTask DisposeAsync()
    {
        if (_runner is not null)
        {
            await _runner.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
}
