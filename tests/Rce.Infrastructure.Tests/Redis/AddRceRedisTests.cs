using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rce.Core.RateLimiting;
using Rce.Infrastructure.Redis;

namespace Rce.Infrastructure.Tests.Redis;

public sealed class AddRceRedisTests
{
    [Fact]
    public async Task AddRceRedis_ConnectionString_ResolvesSingletonsWithDefaultsAndConnectsNothing()
    {
        // Nothing listens on port 1: resolving must not try (and must not fail).
        await using var provider = Build(new() { ["Redis:ConnectionString"] = "127.0.0.1:1" });

        var limiter = provider.GetRequiredService<IRateLimiter>();

        Assert.IsType<RedisRateLimiter>(limiter);
        Assert.Same(limiter, provider.GetRequiredService<IRateLimiter>());
        var connection = provider.GetRequiredService<RedisConnection>();
        Assert.False(connection.IsConnected);
        var options = provider.GetRequiredService<IOptions<RedisOptions>>().Value;
        Assert.Equal(250, options.CallTimeoutMs);
        Assert.Equal("rce:", options.KeyPrefix);
        Assert.Equal(6380, options.Port);
        Assert.False(options.UseEntraId);
        Assert.Equal(300, options.TokenRefreshMarginSeconds);
        Assert.Null(connection.Authenticator);
    }

    [Fact]
    public async Task AddRceRedis_AzureWithEntra_UsesManagedIdentityUnlessACredentialIsRegistered()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Redis:HostName"] = "rce-abc.redis.cache.windows.net",
            ["Redis:UseEntraId"] = "true",
            ["Redis:UserName"] = "6d3c9c3e-5a3c-4c1e-9a52-1f2b3c4d5e6f",
            ["Redis:ClientId"] = "0b6f1f6a-6a89-4a2c-a7c1-2d1e0a9b8c7d",
        };
        await using var provider = Build(settings);
        Assert.IsType<ManagedIdentityCredential>(provider.GetRequiredKeyedService<TokenCredential>(RedisServiceCollectionExtensions.CredentialKey));
        Assert.NotNull(provider.GetRequiredService<RedisConnection>().Authenticator);

        var replaced = new FixedTokenCredential("t");
        var services = new ServiceCollection().AddKeyedSingleton<TokenCredential>(RedisServiceCollectionExtensions.CredentialKey, replaced);
        await using var custom = services.AddRceRedis(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();
        Assert.Same(replaced, custom.GetRequiredKeyedService<TokenCredential>(RedisServiceCollectionExtensions.CredentialKey));
    }

    [Theory]
    [InlineData(null, null, "exactly one of Redis__ConnectionString")]
    [InlineData("127.0.0.1:6379", "rce.redis.cache.windows.net", "exactly one of Redis__ConnectionString")]
    [InlineData("127.0.0.1:6379,nonsense=1", null, "not a valid StackExchange.Redis configuration string")]
    [InlineData(null, "rce.redis.cache.windows.net", "Redis__UseEntraId=true")]
    [InlineData(null, "https://rce.redis.cache.windows.net", "DNS host name")]
    public async Task AddRceRedis_BadEndpointSettings_FailsValidationNamingTheSetting(string? connectionString, string? hostName, string expected)
    {
        await using var provider = Build(new() { ["Redis:ConnectionString"] = connectionString, ["Redis:HostName"] = hostName });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RedisOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Redis:UserName", "", "Redis__UserName is required")]
    [InlineData("Redis:ConnectionString", "10.0.0.5:6379", "needs TLS")]
    [InlineData("Redis:ConnectionString", "127.0.0.1:6379,password=secret-pw", "must not carry user= or password=")]
    [InlineData("Redis:ClientId", "not-a-guid", "Redis__ClientId")]
    public async Task AddRceRedis_BadEntraSettings_FailsValidationWithoutQuotingSecrets(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Redis:ConnectionString"] = "127.0.0.1:6379",
            ["Redis:UseEntraId"] = "true",
            ["Redis:UserName"] = "alice",
        };
        settings[key] = value;
        await using var provider = Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RedisOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-pw", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Redis:CallTimeoutMs", "5")]
    [InlineData("Redis:KeyPrefix", "rce:{x}:")]
    [InlineData("Redis:KeyPrefix", "has space")]
    [InlineData("Redis:Port", "0")]
    [InlineData("Redis:TokenRefreshMarginSeconds", "0")]
    public async Task AddRceRedis_OutOfRange_FailsValidation(string key, string value)
    {
        await using var provider = Build(new() { ["Redis:ConnectionString"] = "127.0.0.1:6379", [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RedisOptions>>().Value);

        Assert.Contains(key.Split(':')[1], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRceRedis_EntraOverLoopbackWithoutTls_Accepted()
    {
        await using var provider = Build(new()
        {
            ["Redis:ConnectionString"] = "localhost:6379",
            ["Redis:UseEntraId"] = "true",
            ["Redis:UserName"] = "alice",
        });

        Assert.True(provider.GetRequiredService<IOptions<RedisOptions>>().Value.UseEntraId);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddRceRedis(configuration).BuildServiceProvider();
    }
}
