using Rce.Sandbox.Languages;

namespace Rce.Runner.Hosting;

/// <summary>Runs every language's self-test inside the sandbox at start; readiness waits for it.</summary>
internal sealed class SelfTestService(SandboxHost host, ILogger<SelfTestService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (host.Executor is null)
        {
            host.Record([]);
            return;
        }

        var results = await Task.WhenAll(host.Catalog.Available.Select(l => SelfTest.RunAsync(host.Executor, l, stoppingToken))).ConfigureAwait(false);
        foreach (var result in results)
        {
            RunnerLog.SelfTest(logger, result.LanguageId, result.Passed, result.Version ?? "?", result.Detail ?? string.Empty);
        }

        host.Record(results);
    }
}
