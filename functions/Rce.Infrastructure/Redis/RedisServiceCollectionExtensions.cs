using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rce.Core.RateLimiting;

namespace Rce.Infrastructure.Redis;

/// <summary>Registers the Redis store of rate limits and quotas.</summary>
public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// Service key of the <see cref="TokenCredential"/> used for Microsoft Entra authentication to
    /// Redis. Register one under this key (before or after <see cref="AddRceRedis"/>) to replace the
    /// default: a <see cref="ManagedIdentityCredential"/> for <see cref="RedisOptions.ClientId"/>, or the
    /// system-assigned identity.
    /// </summary>
    public const string CredentialKey = "Rce.Redis";

    /// <summary>
    /// Adds <see cref="RedisOptions"/> bound to the section <c>Redis</c> and validated at startup, and
    /// the singletons <see cref="RedisConnection"/> and <see cref="IRateLimiter"/>
    /// (<see cref="RedisRateLimiter"/>). Nothing connects here nor when they are resolved: the first
    /// call connects. Uses the registered <see cref="TimeProvider"/>, or <see cref="TimeProvider.System"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration root (the section is looked up in it).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddRceRedis(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<RedisOptions>()
            .Bind(configuration.GetSection(RedisOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsRules>());
        services.TryAddSingleton(TimeProvider.System);
        // Explicitly a managed identity, as for storage: DefaultAzureCredential's probing of
        // developer tools and environment credentials is slow and may pick an identity nobody meant.
        services.TryAddKeyedSingleton<TokenCredential>(CredentialKey, (provider, _) =>
        {
            var clientId = provider.GetRequiredService<IOptions<RedisOptions>>().Value.ClientId;
            return new ManagedIdentityCredential(string.IsNullOrWhiteSpace(clientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(clientId.Trim()));
        });
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<RedisOptions>>();
            return new RedisConnection(
                options,
                provider.GetRequiredService<TimeProvider>(),
                provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
                options.Value.UseEntraId ? provider.GetRequiredKeyedService<TokenCredential>(CredentialKey) : null);
        });
        services.TryAddSingleton<IRateLimiter, RedisRateLimiter>();
        return services;
    }
}
