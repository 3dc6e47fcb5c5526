using System.Collections.Concurrent;
using System.Text;
using Azure.Storage.Queues;
using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;
using Rce.Testing;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>The workflow queues against a real Azurite. The queue names are fixed, so every test empties them first.</summary>
public sealed class StorageWorkQueuesTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Enqueue_RawClientSeesBase64OfTheJson_NeverExpiring()
    {
        var ct = TestContext.Current.CancellationToken;
        await ClearAsync(ct);
        var queues = new StorageWorkQueues(Account());
        var message = new WorkMessage("0123456789abcdef0123456789abcdef", 3);

        await queues.EnqueueAsync(WorkQueueId.SubmissionsHigh, message, TimeSpan.Zero, ct);

        var received = (await Raw("submissions-high").ReceiveMessageAsync(cancellationToken: ct)).Value;
        Assert.NotNull(received);
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(received.MessageText));
        Assert.Equal(message.ToJson(), json);
        Assert.Equal(message, WorkMessage.Parse(json));
        Assert.True(received.ExpiresOn > DateTimeOffset.FromUnixTimeSeconds(0).AddYears(1000), $"expires {received.ExpiresOn:O}");
    }

    [Fact]
    public async Task Enqueue_WithDelay_Invisible()
    {
        var ct = TestContext.Current.CancellationToken;
        await ClearAsync(ct);
        var queues = new StorageWorkQueues(Account());

        await queues.EnqueueAsync(WorkQueueId.Reconcile, new WorkMessage("a"), TimeSpan.FromSeconds(60), ct);

        Assert.Null((await Raw("reconcile").ReceiveMessageAsync(cancellationToken: ct)).Value);
        Assert.Equal(1, (await queues.GetDepthsAsync(ct))["reconcile"]);
    }

    [Fact]
    public async Task Enqueue_DelayOverSevenDays_ClampedNotRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await ClearAsync(ct);
        var queues = new StorageWorkQueues(Account());

        await queues.EnqueueAsync(WorkQueueId.Callbacks, new WorkMessage("a"), TimeSpan.FromDays(30), ct);
        await queues.EnqueueAsync(WorkQueueId.Callbacks, new WorkMessage("b"), TimeSpan.FromSeconds(-5), ct);

        Assert.Equal(2, (await queues.GetDepthsAsync(ct))["callbacks"]);
        var visible = (await Raw("callbacks").ReceiveMessagesAsync(32, cancellationToken: ct)).Value;
        var only = Assert.Single(visible); // the negative delay counts as none, the long one is still hidden
        Assert.Equal("b", WorkMessage.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(only.MessageText))).Id);
    }

    [Fact]
    public async Task OnEnqueued_RaisedOnlyForImmediateMessages()
    {
        var ct = TestContext.Current.CancellationToken;
        await ClearAsync(ct);
        var raised = new ConcurrentQueue<WorkQueueId>();
        var queues = new StorageWorkQueues(Account(), raised.Enqueue);

        await queues.EnqueueAsync(WorkQueueId.Submissions, new WorkMessage("a", 1), TimeSpan.Zero, ct);
        await queues.EnqueueAsync(WorkQueueId.Reconcile, new WorkMessage("a"), TimeSpan.FromSeconds(30), ct);
        await queues.EnqueueAsync(WorkQueueId.Callbacks, new WorkMessage("a"), TimeSpan.Zero, ct);

        Assert.Equal([WorkQueueId.Submissions, WorkQueueId.Callbacks], raised);
    }

    [Fact]
    public async Task OnEnqueued_Throwing_DoesNotFailTheSend()
    {
        var ct = TestContext.Current.CancellationToken;
        await ClearAsync(ct);
        var queues = new StorageWorkQueues(Account(), _ => throw new InvalidOperationException("listener bug"));

        await queues.EnqueueAsync(WorkQueueId.Submissions, new WorkMessage("a", 1), TimeSpan.Zero, ct);

        Assert.Equal(1, (await queues.GetDepthsAsync(ct))["submissions"]);
    }

    [Fact]
    public async Task LocalPlace_ImmediateMessageRunsOnTheListener_InvisibleToOthers_NoWakeUp()
    {
        var ct = TestContext.Current.CancellationToken;
        await ClearAsync(ct);
        var received = new TaskCompletionSource<Rce.Infrastructure.Queues.QueueTriggerMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new Rce.Infrastructure.Queues.QueueTriggerOptions { MaxPollingInterval = TimeSpan.FromSeconds(30), Lease = TimeSpan.FromSeconds(20) };
        var service = new QueueServiceClient(azurite.Server.ConnectionString);
        await using var listener = new Rce.Infrastructure.Queues.QueueListener(Raw("submissions"), service, options, async (m, _) =>
        {
            received.TrySetResult(m);
            await release.Task;
        }, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await listener.StartAsync(ct);
        var reserved = new ConcurrentQueue<WorkQueueId>();
        var raised = new ConcurrentQueue<WorkQueueId>();
        var queues = new StorageWorkQueues(Account(), raised.Enqueue, q =>
        {
            reserved.Enqueue(q);
            return q == WorkQueueId.Submissions ? listener.TryReserveLocal() : null;
        });
        var message = new WorkMessage("0123456789abcdef0123456789abcdef", 1);

        await queues.EnqueueAsync(WorkQueueId.Submissions, message, TimeSpan.Zero, ct);
        var run = await received.Task.WaitAsync(TimeSpan.FromSeconds(5), ct); // long before the 30 s poll back-off

        Assert.Equal(message, WorkMessage.Parse(run.Text));
        Assert.Null((await Raw("submissions").ReceiveMessageAsync(cancellationToken: ct)).Value);
        Assert.Equal(1, (await queues.GetDepthsAsync(ct))["submissions"]);
        Assert.Empty(raised); // handed over, not announced
        release.SetResult();
        await Rce.Infrastructure.Tests.Queues.QueueTestKit.EventuallyAsync(async () => (await queues.GetDepthsAsync(ct))["submissions"] == 0, TimeSpan.FromSeconds(10), "the message is deleted");

        // A delayed message is never run locally (its delay is the point), and a queue without a place is sent visible.
        await queues.EnqueueAsync(WorkQueueId.Submissions, message, TimeSpan.FromSeconds(30), ct);
        await queues.EnqueueAsync(WorkQueueId.Callbacks, new WorkMessage("c"), TimeSpan.Zero, ct);
        Assert.Equal([WorkQueueId.Submissions, WorkQueueId.Callbacks], reserved);
        Assert.Equal([WorkQueueId.Callbacks], raised);
        Assert.NotNull((await Raw("callbacks").ReceiveMessageAsync(cancellationToken: ct)).Value);
    }

    [Fact]
    public async Task GetDepths_CountsEveryQueueAndPoisonQueue_MissingAsZero()
    {
        var ct = TestContext.Current.CancellationToken;
        await ClearAsync(ct);
        await Account().Queues.GetQueueClient("callbacks").DeleteIfExistsAsync(ct);
        await Account().Queues.GetQueueClient("callbacks-poison").DeleteIfExistsAsync(ct);
        var queues = new StorageWorkQueues(Account());
        await queues.EnqueueAsync(WorkQueueId.Submissions, new WorkMessage("a", 1), TimeSpan.Zero, ct);
        await queues.EnqueueAsync(WorkQueueId.Submissions, new WorkMessage("b", 1), TimeSpan.Zero, ct);
        await queues.EnqueueAsync(WorkQueueId.Reconcile, new WorkMessage("a"), TimeSpan.FromMinutes(5), ct);
        var poison = Account().Queues.GetQueueClient("submissions-poison");
        await poison.CreateIfNotExistsAsync(cancellationToken: ct);
        await poison.SendMessageAsync("dead", ct);

        var depths = await queues.GetDepthsAsync(ct);

        var expected = new Dictionary<string, int>
        {
            ["submissions"] = 2,
            ["submissions-poison"] = 1,
            ["submissions-high"] = 0,
            ["submissions-high-poison"] = 0,
            ["reconcile"] = 1,
            ["reconcile-poison"] = 0,
            ["callbacks"] = 0,
            ["callbacks-poison"] = 0,
        };
        Assert.Equal(expected.OrderBy(p => p.Key), depths.OrderBy(p => p.Key));
    }

    private StorageAccount Account() => StorageAccount.FromConnectionString(azurite.Server.ConnectionString);

    private QueueClient Raw(string name) => new(azurite.Server.ConnectionString, name);

    /// <summary>Empties every workflow queue that exists, invisible messages included.</summary>
    private async Task ClearAsync(CancellationToken ct)
    {
        foreach (var name in WorkQueues.All.SelectMany(q => new[] { q.Name(), q.Name() + WorkQueues.PoisonSuffix }))
        {
            var queue = Raw(name);
            if (await queue.ExistsAsync(ct))
            {
                await queue.ClearMessagesAsync(ct);
            }
        }
    }
}
