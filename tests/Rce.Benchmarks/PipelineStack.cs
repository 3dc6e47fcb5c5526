using System.Globalization;
using System.Net.Http.Headers;
using Azure;
using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;
using Rce.Testing;

namespace Rce.Benchmarks;

/// <summary>What the pipeline stack is started with.</summary>
internal sealed record PipelineStackOptions(string RunnerDll, string FunctionsDll, string WorkDir)
{
    /// <summary>Sent as <c>Authorization: Bearer KEY</c> on every request of <see cref="PipelineStack.Api"/>; none when null.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Added to the Functions app's environment last, so it overrides the stack's own settings (Redis, raised limits, …).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The largest batch the benchmark sends (raises <c>Api__MaxBatchSize</c> when above the default 1000).</summary>
    public int MaxBatchSize { get; init; } = 1000;
}

/// <summary>
/// The whole local stack on free loopback ports, started the way the end-to-end tests start it
/// (<c>tests/Rce.Functions.Tests/EndToEnd/StackFixture.cs</c>): a private Azurite (in memory, from
/// <c>.rce/azurite</c>), the real runner (sandbox, machine-wide slot pool), and the Functions app in
/// self-hosted mode (HTTP API and queue listeners in one process), with the production defaults of
/// the workflow and the queue trigger (host.json) — none of the end-to-end tests' shortened leases.
/// </summary>
/// <remarks>
/// <para>
/// <b>One place for the API's requirements.</b> Everything the Functions app is told is built in
/// <see cref="FunctionsEnvironment"/>, and every API request goes through the one client made by
/// <see cref="CreateApiClient"/>. When the API requires a key and rate-limits on Redis, give the
/// key as <see cref="PipelineStackOptions.ApiKey"/> (or <c>--api-key</c>) and the settings as
/// <see cref="PipelineStackOptions.Environment"/> (or <c>--functions-env Redis__ConnectionString=…</c>,
/// limits raised the same way); or set them in those two methods if the benchmark should provision
/// them itself.
/// </para>
/// </remarks>
internal sealed class PipelineStack : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private PipelineStack(AzuriteServer azurite, int azuritePid, TimeSpan azuriteStartup, RunnerProcess runner, FunctionsProcess functions, HttpClient api, IReadOnlyDictionary<string, string> settings)
    {
        Azurite = azurite;
        AzuritePid = azuritePid;
        AzuriteStartup = azuriteStartup;
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

    public RunnerProcess Runner { get; }

    public FunctionsProcess Functions { get; }

    /// <summary>The client of the Functions API; every API request of the benchmark goes through it.</summary>
    public HttpClient Api { get; }

    /// <summary>The Functions app's settings, secrets masked, for the report.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The same storage account as the app's, through the product's own client options.</summary>
    public StorageAccount Storage { get; }

    /// <summary>Starts Azurite, the runner and the Functions app, in that order; stops what started if a later part fails.</summary>
    public static async Task<PipelineStack> StartAsync(PipelineStackOptions options, TextWriter progress)
    {
        if (!AzuriteServer.IsInstalled)
        {
            throw new BenchmarkException($"Azurite is not installed ({AzuriteServer.ScriptPath}, node on PATH): ./rce bench installs it");
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
        RunnerProcess? runner = null;
        HttpClient? api = null;
        try
        {
            var azuritePid = ProcessCpu.Find("azurite.js", azurite.QueuePort.ToString(CultureInfo.InvariantCulture))
                ?? throw new BenchmarkException("cannot find Azurite's process in /proc");
            await progress.WriteLineAsync($"rce bench: pipeline   Azurite ready after {azuriteStartup.TotalSeconds:0.0} s; starting the runner (self-tests of every language)");
            runner = await RunnerProcess.StartAsync(options.RunnerDll, Path.Combine(options.WorkDir, "runner-cache"), StartTimeout);
            var functionsUrl = new Uri($"http://127.0.0.1:{LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture)}");
            var environment = FunctionsEnvironment(azurite, runner, functionsUrl, options);
            api = CreateApiClient(functionsUrl, options.ApiKey);
            await progress.WriteLineAsync($"rce bench: pipeline   runner ready after {runner.Startup.TotalSeconds:0.0} s; starting the Functions app");
            var functions = await FunctionsProcess.StartAsync(options.FunctionsDll, environment, api, new Uri("/api/health/live", UriKind.Relative), StartTimeout);
            await progress.WriteLineAsync($"rce bench: pipeline   Functions app ready after {functions.Startup.TotalSeconds:0.0} s");
            return new PipelineStack(azurite, azuritePid, azuriteStartup, runner, functions, api, Mask(environment));
        }
        catch
        {
            api?.Dispose();
            if (runner is not null)
            {
                await runner.DisposeAsync();
            }

            await azurite.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The Functions app's environment: what <c>./rce up</c> gives it (storage, runner URL and token,
    /// listen URL), the runner's slot count (as in local.settings.sample.json: it only sizes the call
    /// timeout), logging at Warning (per-message Information lines on stdout would be part of the
    /// measurement, and production logs go elsewhere), and the batch bound when a larger batch is
    /// asked for. Workflow and queue settings stay at their defaults. The caller's
    /// <see cref="PipelineStackOptions.Environment"/> comes last and wins.
    /// </summary>
    public static Dictionary<string, string> FunctionsEnvironment(AzuriteServer azurite, RunnerProcess runner, Uri functionsUrl, PipelineStackOptions options)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Runners__Endpoints__0__BaseUrl"] = runner.BaseAddress.ToString().TrimEnd('/'),
            ["Runners__Endpoints__0__Token"] = runner.Token,
            ["Runners__Endpoints__0__Slots"] = runner.Slots.ToString(CultureInfo.InvariantCulture),
            ["Functions__Urls"] = functionsUrl.ToString().TrimEnd('/'),
            ["Logging__LogLevel__Default"] = "Warning",
        };
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

    /// <summary>The API client: the one place for headers every request carries (<c>Authorization: Bearer KEY</c>).</summary>
    public static HttpClient CreateApiClient(Uri baseAddress, string? apiKey)
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    /// <summary>
    /// Empties every workflow queue (and its poison queue), first raising <paramref name="peak"/> to
    /// the depths found. Only when every submission sent is terminal: what is left then are the
    /// 5-minute reconcile messages (safety nets, one per single submission), which would otherwise
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
    public CpuSnapshot Cpu() => new(ProcessCpu.Of(AzuritePid), ProcessCpu.Of(Functions.ProcessId), ProcessCpu.Of(Runner.ProcessId), CpuClock.Self(), ProcessCpu.MachineBusy());

    public async ValueTask DisposeAsync()
    {
        await Functions.DisposeAsync();
        Api.Dispose();
        await Runner.DisposeAsync();
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

/// <summary>CPU time so far of Azurite, the Functions app, the runner, this process (the client), and the whole machine.</summary>
internal sealed record CpuSnapshot(TimeSpan Azurite, TimeSpan Functions, TimeSpan Runner, TimeSpan Client, TimeSpan Machine)
{
    public static CpuSnapshot operator -(CpuSnapshot a, CpuSnapshot b) =>
        new(a.Azurite - b.Azurite, a.Functions - b.Functions, a.Runner - b.Runner, a.Client - b.Client, a.Machine - b.Machine);

    public static CpuSnapshot operator +(CpuSnapshot a, CpuSnapshot b) =>
        new(a.Azurite + b.Azurite, a.Functions + b.Functions, a.Runner + b.Runner, a.Client + b.Client, a.Machine + b.Machine);

    public static CpuSnapshot Zero { get; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
}
