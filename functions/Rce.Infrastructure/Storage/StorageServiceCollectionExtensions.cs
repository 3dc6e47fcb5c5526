using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Rce.Infrastructure.Storage;

/// <summary>Registers the storage account.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="StorageAccount"/> singleton, built from the <c>AzureWebJobsStorage</c>
    /// setting (<see cref="StorageOptions"/>) when first resolved; a missing or invalid setting
    /// throws then, naming the setting.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration root (the setting is looked up in it).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddRceStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(_ => StorageAccount.FromConfiguration(configuration));
        return services;
    }
}
