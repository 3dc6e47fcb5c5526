using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Rce.Testing;

namespace Rce.Runner.Tests;

/// <summary>The runner as a real process: loopback only by default, refuses to start without a token.</summary>
public sealed class RunnerProcessTests
{
    private static readonly string RunnerDll = Path.Combine(AppContext.BaseDirectory, "Rce.Runner.dll");

    [Fact]
    public async Task Process_ServesOnLoopbackWithItsToken()
    {
        Requires.Root();
        Requires.Tool("/usr/bin/bwrap", "bubblewrap");
        var port = LoopbackPorts.Free();
        using var runner = Start(("Runner__Token", "process-test-token-0123456789"), ("Runner__Urls", $"http://127.0.0.1:{port}"));
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitHealthyAsync(client);
            Assert.All(IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Where(e => e.Port == port), e => Assert.True(IPAddress.IsLoopback(e.Address), e.ToString()));

            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "process-test-token-0123456789");
            using var response = await client.PostAsJsonAsync("/v1/executions", new { language = "bash", source = "echo ok", stdin = "" }, TestContext.Current.CancellationToken);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("AC", (string?)body["verdict"]);
            Assert.Equal("ok\n", (string?)body["tests"]![0]!["stdout"]);
        }
        finally
        {
            runner.Kill(entireProcessTree: true);
            await runner.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Process_WithoutToken_RefusesToStart()
    {
        using var runner = Start(("Runner__Token", ""), ("Runner__Urls", $"http://127.0.0.1:{LoopbackPorts.Free()}"));
        var exited = runner.WaitForExitAsync(TestContext.Current.CancellationToken);
        var finished = await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        if (finished != exited)
        {
            runner.Kill(entireProcessTree: true);
        }

        Assert.True(finished == exited, "the runner started without a token");
        Assert.NotEqual(0, runner.ExitCode);
        Assert.Contains("Token", await runner.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken) + await runner.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private static Process Start(params (string Key, string Value)[] settings)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(RunnerDll);
        info.Environment["Sandbox__StateRoot"] = "/run/rce-runner-process-tests";
        info.Environment["Sandbox__UidBase"] = "61300";
        info.Environment["Sandbox__CgroupName"] = "rce-runner-process-tests";
        info.Environment["Runner__CompileCacheRoot"] = "/run/rce-runner-process-tests-cache";
        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }

        return Process.Start(info)!;
    }

    private static async Task WaitHealthyAsync(HttpClient client)
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                using var health = await client.GetAsync("/health", TestContext.Current.CancellationToken);
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail("the runner never became healthy");
    }
}
