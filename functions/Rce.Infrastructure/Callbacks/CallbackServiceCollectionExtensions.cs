using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Rce.Infrastructure.Callbacks;

/// <summary>Registers completion callbacks.</summary>
public static class CallbackServiceCollectionExtensions
{
    /// <summary>Name of the <see cref="HttpClient"/> the callback sender uses (<see cref="IHttpClientFactory"/>).</summary>
    public const string HttpClientName = "Rce.Callbacks";

    /// <summary>
    /// Adds <see cref="CallbackSender"/> and <see cref="CallbackAddressPolicy"/> bound to the
    /// configuration section <c>Callbacks</c> (<see cref="CallbackOptions"/>), validated at startup.
    /// Uses the registered <see cref="TimeProvider"/>, or <see cref="TimeProvider.System"/> when there is none.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration root (the section is looked up in it).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddRceCallbacks(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<CallbackOptions>()
            .Bind(configuration.GetSection(CallbackOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CallbackOptions>, CallbackOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => CallbackAddressPolicy.FromOptions(provider.GetRequiredService<IOptions<CallbackOptions>>().Value));

        services.AddHttpClient<CallbackSender>(HttpClientName)
            .ConfigureHttpClient((provider, client) =>
                client.Timeout = TimeSpan.FromMilliseconds(provider.GetRequiredService<IOptions<CallbackOptions>>().Value.TimeoutMs))
            .ConfigurePrimaryHttpMessageHandler(provider => CallbackHttpHandler.Create(provider.GetRequiredService<CallbackAddressPolicy>()))
            // Threat: the factory's default loggers write full URLs; callback URLs are user data and may carry tokens.
            .RemoveAllLoggers();
        return services;
    }
}
