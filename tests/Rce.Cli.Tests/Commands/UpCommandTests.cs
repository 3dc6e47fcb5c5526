using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Rce.Cli.Commands;
using Rce.Testing;

namespace Rce.Cli.Tests.Commands;

/// <summary><c>rce up</c>: foreground, prints the URLs and token, serves, publishes its stack file, stops on SIGTERM and frees its ports.</summary>
public sealed class UpCommandTests
{
    [Fact]
    public async Task Up_ServesUntilSigterm_ThenFreesItsPort_AndASecondUpNamesTheBusyPort()
    {
        Requires.Root();
        Requires.Tool("/usr/bin/bwrap", "bubblewrap");
        var runner = Path.Combine(RepoPaths.Root, "functions", "Rce.Runner", "bin", "Release", "net10.0", "Rce.Runner.dll");
        var cli = Path.Combine(RepoPaths.Root, "functions", "Rce.Cli", "bin", "Release", "net10.0", "rce.dll");
        Requires.That(File.Exists(runner) && File.Exists(cli), "the Release build is made by ./rce");
        var port = LoopbackPorts.Free();
        var functionsPort = LoopbackPorts.Free();
        var storagePort = LoopbackPorts.Free();
        var redisPort = LoopbackPorts.Free();
        var data = Directory.CreateTempSubdirectory("rce-up-data-").FullName;
        string[] UpArguments() => ["up", "--port", $"{port}", "--functions-port", $"{functionsPort}", "--storage-port", $"{storagePort}", "--redis-port", $"{redisPort}", "--data", data];
        using var up = Start(cli, UpArguments());
        await using var stopUp = new StopOnDispose(up); // a failed assertion must not leave the stack running

        // Drain the runner's logs (stderr) so that a full pipe never stalls it.
        var upErrors = up.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var lines = new List<string>();
        string? token = null;
        while (await up.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            lines.Add(line);
            if (line.StartsWith("runner", StringComparison.Ordinal))
            {
                token = line[(line.IndexOf("token ", StringComparison.Ordinal) + 6)..].TrimEnd(')');
            }

            if (line.StartsWith("ready", StringComparison.Ordinal))
            {
                break;
            }
        }

        Assert.True(token is not null, string.Join('\n', lines));
        Assert.Contains(lines, l => l.Contains("curl", StringComparison.Ordinal));
        Assert.Contains($"redis    redis://127.0.0.1:{redisPort}", lines);
        Assert.DoesNotContain(lines, l => l.Contains("AccountKey", StringComparison.Ordinal));
        Assert.Equal("+PONG", await RedisPingAsync(redisPort));

        // The stack file: owner-only, this run's ports and storage, for `rce keys`.
        var stackFile = Path.Combine(RepoPaths.Root, ".rce", "stack.json");
        var stack = KeysStackFile.TryRead(stackFile);
        Assert.NotNull(stack);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stackFile));
        Assert.Equal((up.Id, data), (stack.Pid, stack.DataFolder));
        Assert.Equal(new StackPorts(functionsPort, port, storagePort, storagePort + 1, storagePort + 2, redisPort), stack.Ports);
        Assert.Contains($"TableEndpoint=http://127.0.0.1:{storagePort + 2}/devstoreaccount1", stack.StorageConnectionString, StringComparison.Ordinal);

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.PostAsJsonAsync("/v1/executions", new { language = "python", source = "print(6*7)", stdin = "" }, TestContext.Current.CancellationToken);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("42\n", (string?)body["tests"]![0]!["stdout"]);

        // The Functions app, through the queue workflow on Azurite, with a key `rce keys` writes into the running stack's storage.
        using var functions = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{functionsPort}") };
        using (var anonymous = await functions.GetAsync("/api/languages", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using var keys = Start(cli, "keys", "create", "--tenant", "local", "--roles", "submit,read", "--data", data);
        var keyOutput = await keys.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var keyErrors = await keys.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await keys.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(keys.ExitCode == 0, keyErrors);
        functions.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", keyOutput.TrimEnd('\n').Split('\n')[^1]);
        using var submitted = await functions.PostAsJsonAsync("/api/submissions?wait=true", new { language = "python", source = "print(6*7)", stdin = "" }, TestContext.Current.CancellationToken);
        var result = JsonNode.Parse(await submitted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal(System.Net.HttpStatusCode.OK, submitted.StatusCode);
        Assert.Equal("42\n", (string?)result["stdout"]);
        var submissionId = (string)result["id"]!;

        using var second = Start(cli, UpArguments());
        await second.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, second.ExitCode);
        var error = (await second.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken)).Trim();
        Assert.Single(error.Split('\n'));
        Assert.Contains($"port {storagePort} is busy", error, StringComparison.Ordinal); // the first of its ports it checks

        using (var kill = Process.Start("/usr/bin/kill", ["-TERM", up.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        await up.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, up.ExitCode);
        _ = await upErrors;
        Assert.True(LoopbackPorts.IsFree(port), "the runner still holds the port after `rce up` exited");
        Assert.True(LoopbackPorts.IsFree(functionsPort), "the Functions app still holds its port after `rce up` exited");
        Assert.True(LoopbackPorts.IsFree(storagePort + 1), "Azurite still holds its port after `rce up` exited");
        Assert.True(LoopbackPorts.IsFree(redisPort), "Redis still holds its port after `rce up` exited");
        Assert.False(KeysStackFile.TryRead(stackFile)?.Pid == up.Id, "the stack file outlived `rce up`");

        // A restart keeps earlier submissions (Azurite data on disk).
        using var again = Start(cli, UpArguments());
        await using var stopAgain = new StopOnDispose(again);
        var againErrors = again.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        while (await again.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) is { } line && !line.StartsWith("ready", StringComparison.Ordinal))
        {
        }

        using var kept = await functions.GetAsync("/api/submissions/" + submissionId, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, kept.StatusCode);
        using (var kill = Process.Start("/usr/bin/kill", ["-TERM", again.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        await again.WaitForExitAsync(TestContext.Current.CancellationToken);
        _ = await againErrors;
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task Up_KilledWithSigkill_NoServerOutlivesIt_EveryPortFreedWithinSeconds()
    {
        Requires.Root();
        Requires.Tool("/usr/bin/bwrap", "bubblewrap");
        var cli = Path.Combine(RepoPaths.Root, "functions", "Rce.Cli", "bin", "Release", "net10.0", "rce.dll");
        Requires.That(File.Exists(cli), "the Release build is made by ./rce");
        int[] ports = [LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free()];
        var data = Directory.CreateTempSubdirectory("rce-up-kill-").FullName;
        using var up = Start(cli, "up", "--port", $"{ports[0]}", "--functions-port", $"{ports[1]}", "--storage-port", $"{ports[2]}", "--redis-port", $"{ports[3]}", "--data", data);
        await using var stopUp = new StopOnDispose(up);
        var upErrors = up.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        while (await up.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) is { } line && !line.StartsWith("ready", StringComparison.Ordinal))
        {
        }

        Assert.False(LoopbackPorts.IsFree(ports[3]), "redis is not listening");
        up.Kill(); // SIGKILL: no chance to stop its children

        // Each child's watchdog notices within a second or two (Azurite's own, the shell's for the
        // others), and the child then stops as on SIGTERM.
        var deadline = Stopwatch.StartNew();
        int[] all = [ports[0], ports[1], ports[2], ports[2] + 1, ports[2] + 2, ports[3]];
        while (deadline.Elapsed < TimeSpan.FromSeconds(20) && !all.All(LoopbackPorts.IsFree))
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.True(all.All(LoopbackPorts.IsFree), "still listening: " + string.Join(", ", all.Where(p => !LoopbackPorts.IsFree(p))));
        _ = await upErrors;
        Directory.Delete(data, recursive: true);
    }

    /// <summary>SIGTERM (so that up stops its children), then SIGKILL after 20 s, unless the process already exited.</summary>
    private sealed class StopOnDispose(Process process) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (process.HasExited)
            {
                return;
            }

            using (var kill = Process.Start("/usr/bin/kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<string> RedisPingAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream);
        return await reader.ReadLineAsync(TestContext.Current.CancellationToken) ?? string.Empty;
    }

    private static Process Start(string cli, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        info.ArgumentList.Add(cli);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["Sandbox__StateRoot"] = "/run/rce-up-tests";
        info.Environment["Sandbox__UidBase"] = "61500";
        info.Environment["Sandbox__CgroupName"] = "rce-up-tests";
        info.Environment["Runner__CompileCacheRoot"] = "/run/rce-up-tests-cache";
        var process = Process.Start(info)!;
        process.StandardInput.Close();
        return process;
    }
}
