using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rce.Infrastructure.Callbacks;

namespace Rce.Infrastructure.Tests.Callbacks;

public sealed class AddRceCallbacksTests
{
    [Fact]
    public void AddRceCallbacks_Defaults_PublicOnlyAndTenSeconds()
    {
        using var provider = Build([]);

        Assert.NotNull(provider.GetRequiredService<CallbackSender>());
        Assert.Equal(10_000, provider.GetRequiredService<IOptions<CallbackOptions>>().Value.TimeoutMs);
        Assert.False(provider.GetRequiredService<CallbackAddressPolicy>().IsAllowed(IPAddress.Loopback));
    }

    [Fact]
    public void AddRceCallbacks_AllowedNetworks_Bound()
    {
        using var provider = Build(new() { ["Callbacks:AllowedNetworks:0"] = "127.0.0.1/32", ["Callbacks:TimeoutMs"] = "2000" });

        Assert.True(provider.GetRequiredService<CallbackAddressPolicy>().IsAllowed(IPAddress.Loopback));
        Assert.Equal(2000, provider.GetRequiredService<IOptions<CallbackOptions>>().Value.TimeoutMs);
    }

    [Theory]
    [InlineData("Callbacks:AllowedNetworks:0", "127.0.0.1")]
    [InlineData("Callbacks:AllowedNetworks:0", "10.0.0.1/8")]
    [InlineData("Callbacks:AllowedNetworks:0", "not a network")]
    [InlineData("Callbacks:TimeoutMs", "0")]
    public void AddRceCallbacks_BadSetting_FailsValidation(string key, string value)
    {
        using var provider = Build(new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CallbackOptions>>().Value);
        Assert.Contains(key.Split(':')[1], error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddRceCallbacks(configuration).BuildServiceProvider();
    }
}
