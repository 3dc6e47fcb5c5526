using System.Globalization;
using System.Net.Http.Headers;
using Azure;
using Rce.Core.Submissions;
using Rce.Core.Tenancy;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Tenancy;
using Rce.Testing;

namespace Rce.Benchmarks;

/// <summary>What the pipeline stack is started with.</summary>
internal sealed record PipelineStackOptions(string RunnerDll, string FunctionsDll, string WorkDir)
{
    /// <summary>Added to the Functions app's environment last, so it overrides the stack's own settings (limits, …).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The largest batch the benchmark sends (raises <c>Api__MaxBatchSize</c> when above the default 1000).</summary>
    public int MaxBatchSize { get; init; } = 1000;
}

/// <summary>
/// The whole local stack on free loopback ports, started the way the end-to-end tests start it
/// (<c>tests/Rce.Functions.Tests/EndToEnd/StackFixture.cs</c>): a private Azurite (in memory, from
/// <c>.rce/azurite</c>), a private redis-server (rate limits), an API key of its own tenant, the real
/// runner (sandbox, machine-wide slot pool), and the Functions app in self-hosted mode (HTTP API and
/// queue listeners in one process), with the production defaults of the workflow and the queue
/// trigger (host.json) — none of the end-to-end tests' shortened leases — and the rate limits raised
/// so that the checks run but never refuse.
/// </summary>
/// <remarks>
/// <b>One place for the API's requirements.</b> Everything the Functions app is told is built in
/// <see cref="FunctionsEnvironment"/>, and every API request goes through the one client made by
/// <see cref="CreateApiClient"/>, which carries the stack's key as <c>Authorization: Bearer</c>.
/// Settings can also be given from the command line (<c>--functions-env NAME=VALUE</c>, applied last).
/// </remarks>
internal sealed class PipelineStack : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The tenant of the benchmark's key.</summary>
    public const string Tenant = "bench";

    /// <summary>The rate limits of the Functions app (section <c>RateLimits</c>), all raised to this: checked on every request, never reached.</summary>
    public static readonly string[] RateLimits =
        ["UserSubmissions", "UserBatches", "TenantRequests", "TenantHourlySubmissions", "TenantDailySubmissions", "TenantInFlight", "Anonymous"];

    private const string RaisedLimit = "1000000";

    private PipelineStack(AzuriteServer azurite, int azuritePid, TimeSpan azuriteStartup, RedisServer redis, int redisPid, RunnerProcess runner, FunctionsProcess functions, HttpClient api, IReadOnlyDictionary<string, string> settings)
    {
        Azurite = azurite;
        AzuritePid = azuritePid;
        AzuriteStartup = azuriteStartup;
        Redis = redis;
        RedisPid = redisPid;
        Runner = runner;
        Functions = functions;
        Api = api;
        Settings = settings;
        Storage = StorageAccount.FromConnectionString(azurite.ConnectionString);
    }

    public AzuriteServer Azurite { get; }

    /// <summary>Azurite's node process (its CPU time is read from <c>/proc</c>).</summary>
    public int AzuritePid { get; }

    public TimeSpan AzuriteStartup { get; }

    public RedisServer Redis { get; }

    /// <summary>redis-server's process (its CPU time is read from <c>/proc</c>).</summary>
    public int RedisPid { get; }

    public RunnerProcess Runner { get; }

    public FunctionsProcess Functions { get; }

    /// <summary>The client of the Functions API; every API request of the benchmark goes through it.</summary>
    public HttpClient Api { get; }

    /// <summary>The Functions app's settings, secrets masked, for the report.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The same storage account as the app's, through the product's own client options.</summary>
    public StorageAccount Storage { get; }

    /// <summary>Starts Azurite, Redis, the runner and the Functions app, in that order, and makes the key; stops what started if a later part fails.</summary>
    public static async Task<PipelineStack> StartAsync(PipelineStackOptions options, TextWriter progress)
    {
        if (!AzuriteServer.IsInstalled)
        {
            throw new BenchmarkException($"Azurite is not installed ({AzuriteServer.ScriptPath}, node on PATH): ./rce bench installs it");
        }

        if (!RedisServer.IsInstalled)
        {
            throw new BenchmarkException($"redis-server is not installed ({RedisServer.ExecutablePath}): ./rce bench installs it");
        }

        var began = System.Diagnostics.Stopwatch.GetTimestamp();
        AzuriteServer azurite;
        try
        {
            azurite = await AzuriteServer.StartAsync();
        }
        catch (InvalidOperationException ex)
        {
            throw new BenchmarkException("Azurite did not start: " + ex.Message, ex);
        }

        var azuriteStartup = System.Diagnostics.Stopwatch.GetElapsedTime(began);
        RedisServer? redis = null;
        RunnerProcess? runner = null;
        HttpClient? api = null;
        try
        {
            var azuritePid = ProcessCpu.Find("azurite.js", azurite.QueuePort.ToString(CultureInfo.InvariantCulture))
                ?? throw new BenchmarkException("cannot find Azurite's process in /proc");
            try
            {
                redis = await RedisServer.StartAsync();
            }
            catch (InvalidOperationException ex)
            {
                throw new BenchmarkException("redis-server did not start: " + ex.Message, ex);
            }

            var redisPid = ProcessCpu.FindContaining("redis-server", redis.ConnectionString)
                ?? throw new BenchmarkException("cannot find redis-server's process in /proc");
            var key = await CreateKeyAsync(StorageAccount.FromConnectionString(azurite.ConnectionString));
            await progress.WriteLineAsync($"rce bench: pipeline   Azurite ready after {azuriteStartup.TotalSeconds:0.0} s, Redis and a key of tenant '{Tenant}'; starting the runner (self-tests of every language)");
            runner = await RunnerProcess.StartAsync(options.RunnerDll, Path.Combine(options.WorkDir, "runner-cache"), StartTimeout);
            var functionsUrl = new Uri($"http://127.0.0.1:{LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture)}");
            var environment = FunctionsEnvironment(azurite, redis, runner, functionsUrl, options);
            api = CreateApiClient(functionsUrl, key);
            await progress.WriteLineAsync($"rce bench: pipeline   runner ready after {runner.Startup.TotalSeconds:0.0} s; starting the Functions app");
            var functions = await FunctionsProcess.StartAsync(options.FunctionsDll, environment, api, new Uri("/api/health/live", UriKind.Relative), StartTimeout);
            await progress.WriteLineAsync($"rce bench: pipeline   Functions app ready after {functions.Startup.TotalSeconds:0.0} s");
            return new PipelineStack(azurite, azuritePid, azuriteStartup, redis, redisPid, runner, functions, api, Mask(environment));
        }
        catch
        {
            api?.Dispose();
            if (runner is not null)
            {
                await runner.DisposeAsync();
            }

            if (redis is not null)
            {
                await redis.DisposeAsync();
            }

            await azurite.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates the tenant and a key with the Submit and Read roles, as <c>rce keys create</c> does; returns the key's plaintext.</summary>
    public static async Task<string> CreateKeyAsync(StorageAccount storage)
    {
        var store = new TableApiKeyStore(storage);
        var now = TimeProvider.System.GetUtcNow();
        var issued = ApiKeyFormat.Issue(Tenant, ApiKeyRoles.Submit | ApiKeyRoles.Read, now);
        await store.EnsureTenantAsync(new Tenant(Tenant, now), CancellationToken.None);
        await store.CreateAsync(issued.Key, CancellationToken.None);
        return issued.Plaintext;
    }

    /// <summary>
    /// The Functions app's environment: what <c>./rce up</c> gives it (storage, Redis, runner URL and
    /// token, listen URL), the runner's slot count (as in local.settings.sample.json: it only sizes the
    /// call timeout), every rate limit raised to 1,000,000 (checked on every request, never reached:
    /// the benchmark sends thousands of submissions from one key within minutes), logging at Warning
    /// (per-message Information lines on stdout would be part of the measurement, and production
    /// logs go elsewhere), and the batch bound when a larger batch is asked for. Workflow and queue
    /// settings stay at their defaults. The caller's <see cref="PipelineStackOptions.Environment"/>
    /// comes last and wins.
    /// </summary>
    public static Dictionary<string, string> FunctionsEnvironment(AzuriteServer azurite, RedisServer redis, RunnerProcess runner, Uri functionsUrl, PipelineStackOptions options)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Redis__ConnectionString"] = redis.ConnectionString,
            ["Runners__Endpoints__0__BaseUrl"] = runner.BaseAddress.ToString().TrimEnd('/'),
            ["Runners__Endpoints__0__Token"] = runner.Token,
            ["Runners__Endpoints__0__Slots"] = runner.Slots.ToString(CultureInfo.InvariantCulture),
            ["Functions__Urls"] = functionsUrl.ToString().TrimEnd('/'),
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var limit in RateLimits)
        {
            environment[$"RateLimits__{limit}__Limit"] = RaisedLimit;
        }

        if (options.MaxBatchSize > 1000)
        {
            environment["Api__MaxBatchSize"] = options.MaxBatchSize.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (name, value) in options.Environment)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>The API client: the one place for what every request carries (<c>Authorization: Bearer KEY</c>).</summary>
    public static HttpClient CreateApiClient(Uri baseAddress, string apiKey)
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>
    /// Empties every workflow queue (and its poison queue), first raising <paramref name="peak"/> to
    /// the depths found. Only when every submission sent is terminal: what is left then are the
    /// 5-minute reconcile messages (safety nets: one per group of asynchronous submissions, per batch, per `wait=true` one stored before its end), which would otherwise
    /// pile up over the run and slow Azurite down (it slows as queues fill; Azure Storage does not),
    /// and fire during later phases.
    /// </summary>
    public async Task EmptyQueuesAsync(IDictionary<string, int>? peak = null)
    {
        if (peak is not null)
        {
            foreach (var (name, depth) in await QueueDepthsAsync())
            {
                peak[name] = Math.Max(depth, peak.TryGetValue(name, out var before) ? before : 0);
            }
        }

        foreach (var name in WorkflowQueueNames())
        {
            try
            {
                await Storage.Queues.GetQueueClient(name).ClearMessagesAsync();
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Never created.
            }
        }
    }

    /// <summary>Messages stored per workflow queue (visible or not; Azurite's approximate count), zero for a queue that does not exist.</summary>
    public async Task<IReadOnlyDictionary<string, int>> QueueDepthsAsync()
    {
        var depths = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in WorkflowQueueNames())
        {
            try
            {
                depths[name] = (await Storage.Queues.GetQueueClient(name).GetPropertiesAsync()).Value.ApproximateMessagesCount;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                depths[name] = 0;
            }
        }

        return depths;
    }

    /// <summary>CPU time so far of the stack's processes and of this one (the client).</summary>
    public CpuSnapshot Cpu() => new(ProcessCpu.Of(AzuritePid), ProcessCpu.Of(RedisPid), ProcessCpu.Of(Functions.ProcessId), ProcessCpu.Of(Runner.ProcessId), CpuClock.Self(), ProcessCpu.MachineBusy());

    public async ValueTask DisposeAsync()
    {
        await Functions.DisposeAsync();
        Api.Dispose();
        await Runner.DisposeAsync();
        await Redis.DisposeAsync();
        await Azurite.DisposeAsync();
    }

    private static IEnumerable<string> WorkflowQueueNames() =>
        WorkQueues.All.SelectMany(q => new[] { q.Name(), q.Name() + WorkQueues.PoisonSuffix });

    private static Dictionary<string, string> Mask(Dictionary<string, string> environment) =>
        environment.ToDictionary(
            e => e.Key,
            e => e.Key.Contains("Token", StringComparison.OrdinalIgnoreCase) || e.Key.Contains("Storage", StringComparison.OrdinalIgnoreCase) || e.Key.Contains("Secret", StringComparison.OrdinalIgnoreCase)
                || e.Key.Contains("Key", StringComparison.OrdinalIgnoreCase) || e.Key.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase)
                ? "(set)"
                : e.Value,
            StringComparer.Ordinal);
}

/// <summary>CPU time so far of Azurite, Redis, the Functions app, the runner, this process (the client), and the whole machine.</summary>
internal sealed record CpuSnapshot(TimeSpan Azurite, TimeSpan Redis, TimeSpan Functions, TimeSpan Runner, TimeSpan Client, TimeSpan Machine)
{
    public static CpuSnapshot Zero { get; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    public static CpuSnapshot operator -(CpuSnapshot a, CpuSnapshot b) =>
        new(a.Azurite - b.Azurite, a.Redis - b.Redis, a.Functions - b.Functions, a.Runner - b.Runner, a.Client - b.Client, a.Machine - b.Machine);

    public static CpuSnapshot operator +(CpuSnapshot a, CpuSnapshot b) =>
        new(a.Azurite + b.Azurite, a.Redis + b.Redis, a.Functions + b.Functions, a.Runner + b.Runner, a.Client + b.Client, a.Machine + b.Machine);
}
