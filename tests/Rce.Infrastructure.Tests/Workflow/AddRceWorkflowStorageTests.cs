using Microsoft.Extensions.DependencyInjection;
using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;
using Rce.Testing;

namespace Rce.Infrastructure.Tests.Workflow;

public sealed class AddRceWorkflowStorageTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public void Registers_TheFourPortsAsSingletons()
    {
        using var provider = Build();

        Assert.IsType<TableSubmissionStore>(provider.GetRequiredService<ISubmissionStore>());
        Assert.IsType<TableBatchStore>(provider.GetRequiredService<IBatchStore>());
        Assert.IsType<TableIdempotencyStore>(provider.GetRequiredService<IIdempotencyStore>());
        Assert.Same(provider.GetRequiredService<StorageWorkQueues>(), provider.GetRequiredService<IWorkQueues>());
        Assert.Same(provider.GetRequiredService<ISubmissionStore>(), provider.GetRequiredService<ISubmissionStore>());
        Assert.Same(provider.GetRequiredService<WorkQueueNotifier>(), provider.GetRequiredService<WorkQueueNotifier>());
    }

    [Fact]
    public async Task ImmediateEnqueue_RaisesTheRegisteredNotifier()
    {
        using var provider = Build();
        var raised = new List<WorkQueueId>();
        provider.GetRequiredService<WorkQueueNotifier>().Enqueued += raised.Add;

        await provider.GetRequiredService<IWorkQueues>().EnqueueAsync(WorkQueueId.Reconcile, new WorkMessage("a"), TimeSpan.Zero, TestContext.Current.CancellationToken);

        Assert.Equal([WorkQueueId.Reconcile], raised);
    }

    [Fact]
    public void EarlierRegistration_Wins()
    {
        var services = new ServiceCollection();
        var fake = new FakeQueues();
        services.AddSingleton<IWorkQueues>(fake);
        services.AddSingleton(StorageAccount.FromConnectionString(azurite.Server.ConnectionString));

        using var provider = services.AddRceWorkflowStorage().BuildServiceProvider();

        Assert.Same(fake, provider.GetRequiredService<IWorkQueues>());
    }

    private ServiceProvider Build()
    {
        var services = new ServiceCollection();
        services.AddSingleton(StorageAccount.FromConnectionString(azurite.Server.ConnectionString));
        return services.AddRceWorkflowStorage().BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private sealed class FakeQueues : IWorkQueues
    {
        public Task EnqueueAsync(WorkQueueId queue, WorkMessage message, TimeSpan delay, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
