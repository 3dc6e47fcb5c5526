using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rce.Core.Runners;
using Rce.Infrastructure.Runners;

namespace Rce.Infrastructure.Tests.Runners;

/// <summary>Builds a runner client over a fake handler, with fast retries.</summary>
internal static class TestClients
{
    public const string Token = "infra-test-token-0123456789";

    public static RunnerClientOptions Options(params int[] ports)
    {
        var options = new RunnerClientOptions { RetryBaseDelayMs = 1, TimeoutMarginMs = 5_000 };
        foreach (var port in ports)
        {
            options.Endpoints.Add(new RunnerEndpointOptions { BaseUrl = $"http://127.0.0.1:{port}", Token = Token });
        }

        return options;
    }

    public static (HttpRunnerClient Client, RunnerPool Pool) Create(RunnerClientOptions options, HttpMessageHandler handler, TimeProvider? time = null)
    {
        var pool = new RunnerPool(Microsoft.Extensions.Options.Options.Create(options), time ?? TimeProvider.System, NullLogger<RunnerPool>.Instance);
        var http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        return (new HttpRunnerClient(http, pool, NullLogger<HttpRunnerClient>.Instance), pool);
    }

    public static RunnerRequest Request(string json = """{"language":"bash","source":"echo ok"}""", int tests = 1, int testWallMs = 2_000, int compileWallMs = 0) =>
        new(System.Text.Encoding.UTF8.GetBytes(json), tests, TimeSpan.FromMilliseconds(testWallMs), TimeSpan.FromMilliseconds(compileWallMs));
}
