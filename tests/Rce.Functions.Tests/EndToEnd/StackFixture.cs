using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Rce.Core.Tenancy;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Tenancy;
using Rce.Testing;
using StackExchange.Redis;

namespace Rce.Functions.Tests.EndToEnd;

/// <summary>
/// The whole local stack on free loopback ports: a real Azurite, a real redis-server, a real runner
/// process (sandbox) and the Functions app as a real process in self-hosted mode. Shortened leases and
/// reconcile delays (settings) so that crash recovery is observable within a test; the defaults stay
/// the host's. Rate limits are raised (settings) except where a test sets its own; every client
/// carries an admin key of tenant <see cref="Tenant"/> unless a test sends another.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    public const string RunnerToken = "functions-e2e-token-0123456789";
    public const string Tenant = "e2e";
    private ServiceProcess? _runner;
    private AzuriteServer? _azurite;
    private RedisServer? _redis;
    private TableApiKeyStore? _keys;

    public AzuriteServer Azurite => _azurite ?? throw new InvalidOperationException("not started");

    public RedisServer Redis => _redis ?? throw new InvalidOperationException("not started");

    /// <summary>A key of tenant <see cref="Tenant"/> with every role; the default of every client.</summary>
    public string AdminKey { get; private set; } = string.Empty;

    public int RunnerPort { get; private set; }

    public bool Ready { get; private set; }

    public string? Problem { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (!AzuriteServer.IsInstalled || !RedisServer.IsInstalled || Environment.UserName != "root" || !File.Exists("/usr/bin/bwrap"))
        {
            Problem = "needs Azurite and redis-server (./rce test installs them), root and bubblewrap";
            return;
        }

        _azurite = await AzuriteServer.StartAsync();
        _redis = await RedisServer.StartAsync();
        _keys = new TableApiKeyStore(StorageAccount.FromConnectionString(_azurite.ConnectionString));
        AdminKey = await CreateKeyAsync(Tenant, ApiKeyRoles.Submit | ApiKeyRoles.Read | ApiKeyRoles.Admin);
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

    /// <summary>Creates a tenant (if missing) and a key for it, as <c>rce keys create</c> does.</summary>
    public async Task<string> CreateKeyAsync(string tenant, ApiKeyRoles roles)
    {
        var store = _keys ?? throw new InvalidOperationException("not started");
        var issued = ApiKeyFormat.Issue(tenant, roles, TimeProvider.System.GetUtcNow());
        await store.EnsureTenantAsync(new Tenant(tenant, TimeProvider.System.GetUtcNow()), CancellationToken.None);
        await store.CreateAsync(issued.Key, CancellationToken.None);
        return issued.Plaintext;
    }

    /// <summary>Forgets the failed-authentication budget of an address (tests of that budget share one Redis).</summary>
    public async Task ResetAnonymousBudgetAsync(string address)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        await redis.GetDatabase().KeyDeleteAsync("rce:" + Limits.LimitKeys.Anonymous(address));
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
            ["Redis__ConnectionString"] = Redis.ConnectionString,

            // Raised so that tests about other things never meet them; the limits tests set their own.
            ["RateLimits__UserSubmissions__Limit"] = "1000000",
            ["RateLimits__UserBatches__Limit"] = "1000000",
            ["RateLimits__TenantRequests__Limit"] = "1000000",
            ["RateLimits__TenantHourlySubmissions__Limit"] = "1000000",
            ["RateLimits__TenantDailySubmissions__Limit"] = "1000000",
            ["RateLimits__TenantInFlight__Limit"] = "1000000",
            ["RateLimits__Anonymous__Limit"] = "1000000",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var process = ServiceProcess.Start("Rce.Functions.dll", environment);
        await process.WaitHttpAsync(port, "/api/health/live", TimeSpan.FromSeconds(30), CancellationToken.None);
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(120) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return (process, http);
    }

    public async ValueTask DisposeAsync()
    {
        if (_runner is not null)
        {
            await _runner.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    /// <summary>POSTs <paramref name="body"/> as JSON to <paramref name="path"/> with <c>Idempotency-Key: <paramref name="key"/></c>.</summary>
    public static async Task<HttpResponseMessage> PostWithKeyAsync(HttpClient http, string path, string key, object body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await http.SendAsync(request, ct);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
}
