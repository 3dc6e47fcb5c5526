using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Rce.Cli.Commands;

/// <summary>
/// <c>rce up</c>: starts the local stack in the foreground — Azurite, Redis, the runner (with a
/// generated token) and the Functions app — prints their URLs and a curl example, and stops
/// everything it started, in reverse order, on SIGINT or SIGTERM.
/// </summary>
/// <remarks>
/// Servers are supervised foreground children, never daemonised; stdin is never read. A second
/// <c>up</c> while one runs fails with one line naming the busy port. While it runs, <c>up</c> holds
/// the data folder's lock and publishes <c>.rce/stack.json</c> (<see cref="KeysStackFile"/>) for
/// local clients such as <c>rce keys</c>; both go when it stops.
/// </remarks>
internal static class UpCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var port = new Option<int>("--port") { Description = "Runner port on 127.0.0.1 (default 5080).", DefaultValueFactory = _ => 5080 };
        var functionsPort = new Option<int>("--functions-port") { Description = "Functions app port (default 7071).", DefaultValueFactory = _ => 7071 };
        var storagePort = new Option<int>("--storage-port") { Description = "Azurite blob port; queue and table use the next two (default 10000).", DefaultValueFactory = _ => 10000 };
        var redisPort = new Option<int>("--redis-port") { Description = "Redis port on 127.0.0.1 (default 6379).", DefaultValueFactory = _ => 6379 };
        var data = new Option<string?>("--data") { Description = "Azurite data folder (default .rce/azurite-data in the checkout): a restart keeps earlier submissions." };
        var command = new Command("up", "Start the local stack (Azurite, Redis, the runner, the Functions app) in the foreground; Ctrl-C or SIGTERM stops everything.") { port, functionsPort, storagePort, redisPort, data };
        command.SetAction((parse, ct) => RunAsync(new Ports(parse.GetValue(port), parse.GetValue(functionsPort), parse.GetValue(storagePort), parse.GetValue(redisPort)), parse.GetValue(data), stdout, stderr, ct));
        return command;
    }

    private sealed record Ports(int Runner, int Functions, int Storage, int Redis)
    {
        public IEnumerable<int> All => [Storage, Storage + 1, Storage + 2, Redis, Runner, Functions];
    }

    private static async Task<int> RunAsync(Ports ports, string? data, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        foreach (var p in ports.All)
        {
            if (!ChildProcesses.PortIsFree(p))
            {
                await stderr.WriteLineAsync($"rce: error: port {p} is busy (is another `rce up` running?)").ConfigureAwait(false);
                return 1;
            }
        }

        var root = FindRoot();
        var runnerDll = root is null ? null : Path.Combine(root, "functions", "Rce.Runner", "bin", "Release", "net10.0", "Rce.Runner.dll");
        var functionsDll = root is null ? null : Path.Combine(root, "functions", "Rce.Functions", "bin", "Release", "net10.0", "Rce.Functions.dll");
        var azurite = root is null ? null : LocalAzurite.Script(root);
        if (root is null || !File.Exists(runnerDll) || !File.Exists(functionsDll) || !File.Exists(azurite))
        {
            await stderr.WriteLineAsync("rce: error: the stack is not built or Azurite is not installed; run ./rce up from the checkout").ConfigureAwait(false);
            return 1;
        }

        if (!File.Exists(LocalRedis.Server))
        {
            await stderr.WriteLineAsync($"rce: error: {LocalRedis.Server} is missing (Debian package redis-server); run ./rce up from the checkout, which installs it").ConfigureAwait(false);
            return 1;
        }

        data = Path.GetFullPath(data ?? Path.Combine(root, ".rce", "azurite-data"));
        Directory.CreateDirectory(data);

        // Two Azurite processes over one data folder would overwrite each other's files: the lock is
        // held until every child has exited (disposed last, after the finally below).
        using var dataLock = KeysStackFile.TryLockData(data);
        if (dataLock is null)
        {
            await stderr.WriteLineAsync($"rce: error: the data folder {data} is in use (by another `rce up` or an `rce keys` command)").ConfigureAwait(false);
            return 1;
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var runnerUrl = $"http://127.0.0.1:{ports.Runner}";
        var functionsUrl = $"http://localhost:{ports.Functions}";
        var accountKey = LocalAzurite.NewAccountKey();
        var storage = LocalAzurite.ConnectionString(accountKey, ports.Storage, ports.Storage + 1, ports.Storage + 2);
        var stackFile = KeysStackFile.PathIn(root);

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, cancellationToken);

        // Supervised foreground children, stopped in reverse order; never daemonised.
        var children = new List<(string Name, Process Process)>();
        try
        {
            children.Add(("azurite", LocalAzurite.Start(azurite, data, accountKey, ports.Storage, ports.Storage + 1, ports.Storage + 2, ToStderr)));
            if (!await ChildProcesses.WaitReadyAsync(children[^1].Process, $"http://127.0.0.1:{ports.Storage + 1}/devstoreaccount1?comp=list", linked.Token, anyAnswer: true).ConfigureAwait(false))
            {
                return await FailAsync("azurite", children, linked, stderr).ConfigureAwait(false);
            }

            // No persistence: Redis holds rate-limit windows and in-flight sets, which are meant to
            // expire; a dump file would only resurrect stale counters after a restart.
            children.Add(("redis", LocalRedis.Start(ports.Redis, ToStderr)));
            if (!await LocalRedis.WaitReadyAsync(children[^1].Process, ports.Redis, linked.Token).ConfigureAwait(false))
            {
                return await FailAsync("redis", children, linked, stderr).ConfigureAwait(false);
            }

            children.Add(("runner", ChildProcesses.Start("dotnet", [runnerDll!], new Dictionary<string, string> { ["Runner__Token"] = token, ["Runner__Urls"] = runnerUrl }, ToStderr)));
            if (!await ChildProcesses.WaitReadyAsync(children[^1].Process, runnerUrl + "/health", linked.Token).ConfigureAwait(false))
            {
                return await FailAsync("runner", children, linked, stderr).ConfigureAwait(false);
            }

            children.Add(("functions", ChildProcesses.Start("dotnet", [functionsDll!], new Dictionary<string, string>
            {
                ["AzureWebJobsStorage"] = storage,
                ["Runners__Endpoints__0__BaseUrl"] = runnerUrl,
                ["Runners__Endpoints__0__Token"] = token,
                ["Functions__Urls"] = functionsUrl,
                ["Redis__ConnectionString"] = $"127.0.0.1:{ports.Redis}",
            }, ToStderr)));
            if (!await ChildProcesses.WaitReadyAsync(children[^1].Process, $"http://127.0.0.1:{ports.Functions}/api/health/live", linked.Token).ConfigureAwait(false))
            {
                return await FailAsync("functions", children, linked, stderr).ConfigureAwait(false);
            }

            // Published once everything answers (a client never finds a half-started stack) and
            // before "ready" (whoever waits for that line finds it).
            KeysStackFile.Write(stackFile, new KeysStackFile(Environment.ProcessId, data, storage,
                new StackPorts(ports.Functions, ports.Runner, ports.Storage, ports.Storage + 1, ports.Storage + 2, ports.Redis)));
            await stdout.WriteLineAsync($"functions {functionsUrl}/api  (OpenAPI {functionsUrl}/api/openapi/v1.json)").ConfigureAwait(false);
            await stdout.WriteLineAsync($"runner   {runnerUrl}  (token {token})").ConfigureAwait(false);
            await stdout.WriteLineAsync($"storage  Azurite on 127.0.0.1:{ports.Storage}-{ports.Storage + 2}, data in {data}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"redis    redis://127.0.0.1:{ports.Redis}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"health   {functionsUrl}/api/health").ConfigureAwait(false);
            await stdout.WriteLineAsync("key      KEY=$(./rce keys create --tenant local --roles submit,read,admin)   # in another terminal; the API needs a key").ConfigureAwait(false);
            await stdout.WriteLineAsync($"try      curl -s '{functionsUrl}/api/submissions?wait=true' -H \"Authorization: Bearer $KEY\" -H 'Content-Type: application/json' -d '{{\"language\":\"python\",\"source\":\"print(6*7)\",\"stdin\":\"\"}}'").ConfigureAwait(false);
            await stdout.WriteLineAsync("ready    (Ctrl-C or SIGTERM stops everything)").ConfigureAwait(false);
            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);

            try
            {
                var exited = await Task.WhenAny(children.Select(c => c.Process.WaitForExitAsync(linked.Token))).ConfigureAwait(false);
                await exited.ConfigureAwait(false);
                var dead = children.First(c => c.Process.HasExited);
                await stderr.WriteLineAsync($"rce: error: {dead.Name} exited unexpectedly (exit {dead.Process.ExitCode})").ConfigureAwait(false);
                return 1;
            }
            catch (OperationCanceledException)
            {
                return 0;
            }
        }
        finally
        {
            // Withdrawn first: from here on clients wait for the lock instead of using a stopping stack.
            KeysStackFile.DeleteIfOwned(stackFile, Environment.ProcessId);
            for (var i = children.Count - 1; i >= 0; i--)
            {
                await ChildProcesses.StopAsync(children[i].Process).ConfigureAwait(false);
                children[i].Process.Dispose();
            }
        }
    }

    private static async Task<int> FailAsync(string name, List<(string Name, Process Process)> children, CancellationTokenSource linked, TextWriter stderr)
    {
        if (linked.IsCancellationRequested)
        {
            return 0;
        }

        var process = children[^1].Process;
        await stderr.WriteLineAsync($"rce: error: {name} exited before it was ready (exit {(process.HasExited ? process.ExitCode : -1)})").ConfigureAwait(false);
        return 1;
    }

    private static void ToStderr(string line) => Console.Error.WriteLine(line);

    internal static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RceFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
