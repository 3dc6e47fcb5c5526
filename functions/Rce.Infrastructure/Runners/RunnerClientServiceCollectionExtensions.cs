using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Rce.Core.Runners;

namespace Rce.Infrastructure.Runners;

/// <summary>Registers the runner client.</summary>
public static class RunnerClientServiceCollectionExtensions
{
    /// <summary>Name of the <see cref="HttpClient"/> the runner client uses (<see cref="IHttpClientFactory"/>).</summary>
    public const string HttpClientName = "Rce.Runners";

    /// <summary>
    /// Adds <see cref="IRunnerClient"/> bound to the configuration section <c>Runners</c>
    /// (<see cref="RunnerClientOptions"/>), validated at startup. Uses the registered
    /// <see cref="TimeProvider"/>, or <see cref="TimeProvider.System"/> when there is none.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration root (the section is looked up in it).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddRceRunnerClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<RunnerClientOptions>()
            .Bind(configuration.GetSection(RunnerClientOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RunnerClientOptions>, RunnerClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RunnerPool>();

        services.AddHttpClient<IRunnerClient, HttpRunnerClient>(HttpClientName)
            .ConfigureHttpClient((provider, client) =>
            {
                // Each attempt is bounded by its own timeout (RunnerCallTimeout), not by HttpClient's fixed 100 s.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.MaxResponseContentBufferSize = provider.GetRequiredService<IOptions<RunnerClientOptions>>().Value.MaxResponseBytes;
            })
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                // A runner that is down but not refusing (dropped packets) fails over after this, not after the call timeout.
                ConnectTimeout = TimeSpan.FromMilliseconds(provider.GetRequiredService<IOptions<RunnerClientOptions>>().Value.ConnectTimeoutMs),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        return services;
    }
}
