using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Rce.Core.Tenancy;
using Rce.Infrastructure.Storage;

namespace Rce.Infrastructure.Tenancy;

/// <summary>Registers tenants, API keys and their authentication.</summary>
public static class TenancyServiceCollectionExtensions
{
    /// <summary>
    /// Adds singletons for <see cref="IApiKeyStore"/> (<see cref="TableApiKeyStore"/>) and
    /// <see cref="ApiKeyAuthenticator"/>, with <see cref="AuthOptions"/> bound to the configuration
    /// section <c>Auth</c> (the registered <see cref="Microsoft.Extensions.Configuration.IConfiguration"/>)
    /// and validated at startup. Needs the <see cref="StorageAccount"/> of <c>AddRceStorage</c>. Uses
    /// the registered <see cref="TimeProvider"/>, or <see cref="TimeProvider.System"/> when there is
    /// none. Registrations made before this call win (tests substitute fakes that way).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddRceTenancy(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IApiKeyStore, TableApiKeyStore>();
        services.TryAddSingleton(provider => new ApiKeyAuthenticator(
            provider.GetRequiredService<IApiKeyStore>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<AuthOptions>>().Value));
        return services;
    }
}
