using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Rce.Testing;

[assembly: AssemblyFixture(typeof(Rce.Runner.Tests.RunnerFixture))]

namespace Rce.Runner.Tests;

/// <summary>The real runner (real sandbox underneath) in-process, with its own state root, uid range and cache.</summary>
public sealed class RunnerFixture : IAsyncLifetime
{
    public const string Token = "runner-test-token-0123456789";
    private WebApplicationFactory<Program>? _factory;

    public string CacheRoot { get; } = Path.Combine("/run", "rce-runner-tests-cache-" + Environment.ProcessId);

    public HttpClient Client { get; private set; } = null!;

    public HttpClient Anonymous { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/bwrap"))
        {
            return;
        }

        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Runner:Token", Token);
            b.UseSetting("Runner:CompileCacheRoot", CacheRoot);
            b.UseSetting("Runner:CompileCacheBytes", (64L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("Runner:MaxRequestBytes", (2L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("Sandbox:StateRoot", "/run/rce-runner-tests");
            b.UseSetting("Sandbox:UidBase", "61200");
            b.UseSetting("Sandbox:CgroupName", "rce-runner-tests");
        });
        Anonymous = _factory.CreateClient();
        Client = _factory.CreateClient();
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        // Readiness waits for the self-tests inside the sandbox.
        for (var i = 0; i < 300; i++)
        {
            using var health = await Anonymous.GetAsync("/health");
            if (health.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Skips (fails under CI) when the sandbox cannot run here.</summary>
    public void Require()
    {
        _ = this;
        Requires.Root();
        Requires.Tool("/usr/bin/bwrap", "bubblewrap");
    }

    public async Task<(int Status, JsonNode Body)> PostAsync(object request)
    {
        Require();
        using var response = await Client.PostAsJsonAsync("/v1/executions", request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, JsonNode.Parse(text) ?? new JsonObject());
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        Anonymous?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        if (Directory.Exists(CacheRoot))
        {
            Directory.Delete(CacheRoot, recursive: true);
        }
    }
}
