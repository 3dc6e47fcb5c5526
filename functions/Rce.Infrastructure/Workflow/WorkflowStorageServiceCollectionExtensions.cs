using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;

namespace Rce.Infrastructure.Workflow;

/// <summary>Registers the workflow's storage adapters.</summary>
public static class WorkflowStorageServiceCollectionExtensions
{
    /// <summary>
    /// Adds singletons for <see cref="ISubmissionStore"/>, <see cref="IBatchStore"/>,
    /// <see cref="IIdempotencyStore"/> and <see cref="IWorkQueues"/> (also as <see cref="StorageWorkQueues"/>,
    /// for queue depths), and the <see cref="WorkQueueNotifier"/> the queues raise after an immediate
    /// send and ask for local places. Needs the <see cref="StorageAccount"/> of <c>AddRceStorage</c>. Registrations made
    /// before this call win (tests substitute fakes that way).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddRceWorkflowStorage(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<WorkQueueNotifier>();
        services.TryAddSingleton<ISubmissionStore, TableSubmissionStore>();
        services.TryAddSingleton<IBatchStore, TableBatchStore>();
        services.TryAddSingleton<IIdempotencyStore, TableIdempotencyStore>();
        services.TryAddSingleton(provider => provider.GetService<WorkQueueNotifier>() is { } notifier
            ? new StorageWorkQueues(provider.GetRequiredService<StorageAccount>(), notifier.Raise, notifier.TryReserve, notifier.TryDefer)
            : new StorageWorkQueues(provider.GetRequiredService<StorageAccount>()));
        services.TryAddSingleton<IWorkQueues>(provider => provider.GetRequiredService<StorageWorkQueues>());
        return services;
    }
}
