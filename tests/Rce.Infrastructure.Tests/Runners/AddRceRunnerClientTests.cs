using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rce.Core.Runners;
using Rce.Infrastructure.Runners;

namespace Rce.Infrastructure.Tests.Runners;

public sealed class AddRceRunnerClientTests
{
    [Fact]
    public void AddRceRunnerClient_ValidSection_ResolvesClientWithBoundOptions()
    {
        using var provider = Build(new()
        {
            ["Runners:Endpoints:0:BaseUrl"] = "http://127.0.0.1:5080",
            ["Runners:Endpoints:0:Token"] = TestClients.Token,
            ["Runners:Endpoints:1:BaseUrl"] = "http://127.0.0.1:5081",
            ["Runners:Endpoints:1:Token"] = TestClients.Token,
            ["Runners:Endpoints:1:Slots"] = "4",
            ["Runners:RetryCount"] = "1",
        });

        Assert.IsType<HttpRunnerClient>(provider.GetRequiredService<IRunnerClient>());
        var options = provider.GetRequiredService<IOptions<RunnerClientOptions>>().Value;
        Assert.Equal(2, options.Endpoints.Count);
        Assert.Equal(4, options.Endpoints[1].Slots);
        Assert.Equal(1, options.RetryCount);
        Assert.Equal(10_000, options.TimeoutMarginMs);
    }

    [Fact]
    public void AddRceRunnerClient_NoRunner_FailsValidation()
    {
        using var provider = Build([]);
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RunnerClientOptions>>().Value);
        Assert.Contains("Endpoints", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BaseUrl", "not a url")]
    [InlineData("Token", "short")]
    [InlineData("Slots", "0")]
    public void AddRceRunnerClient_BadEndpoint_FailsValidation(string key, string value)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Runners:Endpoints:0:BaseUrl"] = "http://127.0.0.1:5080",
            ["Runners:Endpoints:0:Token"] = TestClients.Token,
        };
        settings["Runners:Endpoints:0:" + key] = value;
        using var provider = Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RunnerClientOptions>>().Value);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestClients.Token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddRceRunnerClient_BadRetryCount_FailsValidation()
    {
        using var provider = Build(new()
        {
            ["Runners:Endpoints:0:BaseUrl"] = "http://127.0.0.1:5080",
            ["Runners:Endpoints:0:Token"] = TestClients.Token,
            ["Runners:RetryCount"] = "-1",
        });

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RunnerClientOptions>>().Value);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddRceRunnerClient(configuration).BuildServiceProvider();
    }
}
