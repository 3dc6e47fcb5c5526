using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rce.Core.Runners;
using Rce.Infrastructure.Runners;
using Rce.Testing;

namespace Rce.Infrastructure.Tests.Runners;

/// <summary>The client, wired by <c>AddRceRunnerClient</c>, against a real runner process behind a dead one.</summary>
public sealed class RunnerClientProcessTests
{
    private const string Token = "infra-process-token-0123456789";
    private static readonly string RunnerDll = Path.Combine(AppContext.BaseDirectory, "Rce.Runner.dll");

    [Fact]
    public async Task ExecuteAsync_FirstRunnerDead_RealRunnerAnswersEchoOk()
    {
        Requires.Root();
        Requires.Tool("/usr/bin/bwrap", "bubblewrap");
        var ct = TestContext.Current.CancellationToken;
        var (dead, live) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        using var runner = Start(live);
        try
        {
            await WaitHealthyAsync(live, ct);
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Runners:Endpoints:0:BaseUrl"] = $"http://127.0.0.1:{dead}",
                ["Runners:Endpoints:0:Token"] = Token,
                ["Runners:Endpoints:1:BaseUrl"] = $"http://127.0.0.1:{live}",
                ["Runners:Endpoints:1:Token"] = Token,
                ["Runners:RetryBaseDelayMs"] = "10",
            }).Build();
            await using var provider = new ServiceCollection().AddLogging().AddRceRunnerClient(configuration).BuildServiceProvider();
            var client = provider.GetRequiredService<IRunnerClient>();
            var body = JsonSerializer.SerializeToUtf8Bytes(new { language = "bash", source = "echo ok", stdin = "" });

            var response = await client.ExecuteAsync(new RunnerRequest(body, 1, TimeSpan.FromSeconds(10), TimeSpan.Zero), ct);

            Assert.Equal(200, response.StatusCode);
            Assert.Equal(live, response.Runner.Port);
            Assert.Equal(2, response.Attempts);
            using var json = JsonDocument.Parse(response.Body);
            Assert.Equal("AC", json.RootElement.GetProperty("verdict").GetString());
            Assert.Equal("ok\n", json.RootElement.GetProperty("tests")[0].GetProperty("stdout").GetString());
        }
        finally
        {
            runner.Kill(entireProcessTree: true);
            await runner.WaitForExitAsync(ct);
        }
    }

    private static Process Start(int port)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(RunnerDll);
        info.Environment["Sandbox__StateRoot"] = "/run/rce-infra-tests";
        info.Environment["Sandbox__UidBase"] = "61400";
        info.Environment["Sandbox__CgroupName"] = "rce-infra-tests";
        info.Environment["Runner__CompileCacheRoot"] = "/run/rce-infra-tests-cache";
        info.Environment["Runner__Token"] = Token;
        info.Environment["Runner__Urls"] = $"http://127.0.0.1:{port}";
        var process = Process.Start(info)!;

        // Drain the pipes so that a chatty runner never blocks on a full one.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitHealthyAsync(int port, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        for (var i = 0; i < 300; i++)
        {
            try
            {
                using var health = await http.GetAsync("/health", ct);
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, ct);
        }

        Assert.Fail("the runner never became healthy");
    }
}
