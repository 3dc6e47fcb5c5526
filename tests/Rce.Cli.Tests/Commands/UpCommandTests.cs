using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Rce.Testing;

namespace Rce.Cli.Tests.Commands;

/// <summary><c>rce up</c>: foreground, prints the URL and token, serves, stops on SIGTERM and frees its port.</summary>
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
        using var up = Start(cli, "up", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

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

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.PostAsJsonAsync("/v1/executions", new { language = "python", source = "print(6*7)", stdin = "" }, TestContext.Current.CancellationToken);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("42\n", (string?)body["tests"]![0]!["stdout"]);

        using var second = Start(cli, "up", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await second.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, second.ExitCode);
        var error = (await second.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken)).Trim();
        Assert.Single(error.Split('\n'));
        Assert.Contains($"port {port} is busy", error, StringComparison.Ordinal);

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
