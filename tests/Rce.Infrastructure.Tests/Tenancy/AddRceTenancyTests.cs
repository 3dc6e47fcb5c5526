using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rce.Core.Tenancy;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Tenancy;
using Rce.Testing;

namespace Rce.Infrastructure.Tests.Tenancy;

public sealed class AddRceTenancyTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Registers_StoreAndAuthenticator_ThatAuthenticateAStoredKey()
    {
        using var provider = Build([]);
        var store = provider.GetRequiredService<IApiKeyStore>();
        var issued = ApiKeyFormat.Issue("acme", ApiKeyRoles.Read, TimeProvider.System.GetUtcNow());
        await store.CreateAsync(issued.Key, TestContext.Current.CancellationToken);

        var result = await provider.GetRequiredService<ApiKeyAuthenticator>().AuthenticateAsync(issued.Plaintext, TestContext.Current.CancellationToken);

        Assert.IsType<TableApiKeyStore>(store);
        Assert.Same(provider.GetRequiredService<ApiKeyAuthenticator>(), provider.GetRequiredService<ApiKeyAuthenticator>());
        Assert.True(result.Succeeded);
        Assert.Equal("acme", result.Principal.Tenant);
    }

    [Fact]
    public void AuthCacheSeconds_DefaultTwo_BoundFromSectionAuth()
    {
        using var defaults = Build([]);
        using var bound = Build(new() { ["Auth:CacheSeconds"] = "5" });

        Assert.Equal(2, defaults.GetRequiredService<IOptions<AuthOptions>>().Value.CacheSeconds);
        Assert.Equal(5, bound.GetRequiredService<IOptions<AuthOptions>>().Value.CacheSeconds);
    }

    [Fact]
    public void AuthCacheSeconds_OverFive_FailsValidation()
    {
        using var provider = Build(new() { ["Auth:CacheSeconds"] = "6" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AuthOptions>>().Value);
        Assert.Contains("CacheSeconds", error.Message, StringComparison.Ordinal);
    }

    private ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton(StorageAccount.FromConnectionString(azurite.Server.ConnectionString));
        return services.AddRceTenancy().BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
