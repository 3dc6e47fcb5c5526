using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Rce.Infrastructure.Queues;
using Rce.Testing;

namespace Rce.Infrastructure.Tests.Queues;

/// <summary>Outcomes of a message against a real Azurite: delete, retry, poison.</summary>
public sealed class QueueListenerDeliveryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly QueueTestKit _kit = new(azurite.Server);

    [Fact]
    public async Task Success_FunctionGetsDecodedText_MessageDeleted()
    {
        var queue = await _kit.CreateQueueAsync();
        var received = new TaskCompletionSource<QueueTriggerMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast, (m, _) =>
        {
            received.TrySetResult(m);
            return Task.CompletedTask;
        });
        var sent = await queue.SendMessageAsync(QueueTestKit.Encode("""{"id":"s-ok"}"""), QueueTestKit.Ct);

        await listener.StartAsync(QueueTestKit.Ct);
        var message = await received.Task.WaitAsync(Timeout, QueueTestKit.Ct);
        await QueueTestKit.EventuallyAsync(() => listener.InFlight == 0, Timeout, "the message completes");

        Assert.Equal("""{"id":"s-ok"}""", message.Text);
        Assert.Equal(1, message.DequeueCount);
        Assert.Equal(sent.Value.MessageId, message.MessageId);
        Assert.NotNull(message.InsertionTime);
        Assert.Equal(0, await QueueTestKit.CountAsync(queue));
        Assert.DoesNotContain(_kit.Logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task AlwaysThrows_InvokedMaxDequeueCountTimes_ThenPoisonedWithIdenticalBody()
    {
        var queue = await _kit.CreateQueueAsync();
        var poison = _kit.Service.GetQueueClient(queue.Name + "-poison");
        var attempts = new ConcurrentQueue<long>();
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast, (m, _) =>
        {
            attempts.Enqueue(m.DequeueCount);
            throw new InvalidOperationException("always fails");
        });
        var body = QueueTestKit.Encode("""{"id":"s-poison","secret":"body-marker-7f3a"}""");
        await queue.SendMessageAsync(body, QueueTestKit.Ct);

        await listener.StartAsync(QueueTestKit.Ct);
        await QueueTestKit.EventuallyAsync(async () => (await poison.ExistsAsync(QueueTestKit.Ct)).Value && await QueueTestKit.CountAsync(poison) == 1, Timeout, "the poison copy");

        // Long enough for a fourth attempt to show up if the original had been released instead of deleted.
        await Task.Delay(700, QueueTestKit.Ct);
        Assert.Equal([1L, 2L, 3L], attempts);
        var copy = Assert.Single((await poison.ReceiveMessagesAsync(32, cancellationToken: QueueTestKit.Ct)).Value);
        Assert.Equal(body, copy.Body.ToString());
        Assert.Equal(0, await QueueTestKit.CountAsync(queue));
        Assert.False(_kit.Logger.Contains("body-marker-7f3a") || _kit.Logger.Contains(body), "a message body reached the logs");
        Assert.Contains(_kit.Logger.Entries, e => e.Text.Contains(poison.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failure_NextAttemptWaitsForVisibilityTimeout()
    {
        var queue = await _kit.CreateQueueAsync();
        var stamps = new ConcurrentQueue<TimeSpan>();
        var clock = Stopwatch.StartNew();
        // A 60 s lease: a failure left to its lease instead of released with the 2 s visibility timeout
        // would miss the 15 s timeout below rather than fit inside the widened upper bound.
        var options = QueueTestKit.Fast with { MaxDequeueCount = 2, VisibilityTimeout = TimeSpan.FromSeconds(2), Lease = TimeSpan.FromSeconds(60) };
        await using var listener = _kit.Listener(queue, options, (_, _) =>
        {
            stamps.Enqueue(clock.Elapsed);
            throw new InvalidOperationException("fails");
        });
        await queue.SendMessageAsync(QueueTestKit.Encode("retry me"), QueueTestKit.Ct);

        await listener.StartAsync(QueueTestKit.Ct);
        await QueueTestKit.EventuallyAsync(() => stamps.Count == 2, Timeout, "the second attempt");

        var gap = stamps.ElementAt(1) - stamps.ElementAt(0);

        // The lower bound is what detects a missing visibility timeout (2 s; the service counts whole
        // seconds). Above the 2 s, polling adds up to MaxPollingInterval (200 ms) plus the release call,
        // a receive and thread hops, each of which a loaded CI machine can stretch by a second or more:
        // the upper bound only rules out a wait of a different kind (the lease, a far longer back-off).
        Assert.InRange(gap, TimeSpan.FromSeconds(1.8), TimeSpan.FromSeconds(6.5));
    }

    [Fact]
    public async Task NotBase64_PoisonedRawWithoutInvoking()
    {
        var queue = await _kit.CreateQueueAsync();
        var poison = _kit.Service.GetQueueClient(queue.Name + "-poison");
        var invoked = 0;
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast, (_, _) =>
        {
            Interlocked.Increment(ref invoked);
            return Task.CompletedTask;
        });
        const string raw = "{not base64: raw-marker-91c2}";
        await queue.SendMessageAsync(raw, QueueTestKit.Ct);

        await listener.StartAsync(QueueTestKit.Ct);
        await QueueTestKit.EventuallyAsync(async () => (await poison.ExistsAsync(QueueTestKit.Ct)).Value && await QueueTestKit.CountAsync(poison) == 1, Timeout, "the poison copy");
        await QueueTestKit.EventuallyAsync(() => listener.InFlight == 0, Timeout, "the move completes");

        Assert.Equal(0, Volatile.Read(ref invoked));
        var copy = Assert.Single((await poison.PeekMessagesAsync(32, QueueTestKit.Ct)).Value);
        Assert.Equal(raw, copy.Body.ToString());
        Assert.Equal(0, await QueueTestKit.CountAsync(queue));
        Assert.False(_kit.Logger.Contains("raw-marker-91c2"), "a message body reached the logs");
    }

    [Fact]
    public async Task DequeueCountAlreadyOverMax_PoisonedWithoutInvoking()
    {
        var queue = await _kit.CreateQueueAsync();
        var poison = _kit.Service.GetQueueClient(queue.Name + "-poison");
        var body = QueueTestKit.Encode("seen too often");
        await queue.SendMessageAsync(body, QueueTestKit.Ct);

        // Three deliveries by "someone else" that never completed (released at once).
        for (var i = 0; i < 3; i++)
        {
            var taken = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30), QueueTestKit.Ct)).Value);
            await queue.UpdateMessageAsync(taken.MessageId, taken.PopReceipt, messageText: null, TimeSpan.Zero, QueueTestKit.Ct);
        }

        var invoked = 0;
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast with { MaxDequeueCount = 2 }, (_, _) =>
        {
            Interlocked.Increment(ref invoked);
            return Task.CompletedTask;
        });

        await listener.StartAsync(QueueTestKit.Ct);
        await QueueTestKit.EventuallyAsync(async () => (await poison.ExistsAsync(QueueTestKit.Ct)).Value && await QueueTestKit.CountAsync(poison) == 1, Timeout, "the poison copy");
        await QueueTestKit.EventuallyAsync(() => listener.InFlight == 0, Timeout, "the move completes");

        Assert.Equal(0, Volatile.Read(ref invoked));
        Assert.Equal(body, Assert.Single((await poison.PeekMessagesAsync(32, QueueTestKit.Ct)).Value).Body.ToString());
        Assert.Equal(0, await QueueTestKit.CountAsync(queue));
    }

    [Fact]
    public async Task PoisonQueueItself_FailureLeavesMessageInvisible_NoPoisonPoison()
    {
        var queue = await _kit.CreateQueueAsync();
        var poisonQueue = _kit.Service.GetQueueClient(queue.Name + "-poison");
        await poisonQueue.CreateAsync(cancellationToken: QueueTestKit.Ct);
        var invoked = 0;
        // A 60 s lease, far longer than the test: "still invisible" below must not depend on a busy
        // machine reaching the checks before a 5 s lease runs out.
        await using var listener = _kit.Listener(poisonQueue, QueueTestKit.Fast with { MaxDequeueCount = 1, Lease = TimeSpan.FromSeconds(60) }, (_, _) =>
        {
            Interlocked.Increment(ref invoked);
            throw new InvalidOperationException("fails");
        });
        await poisonQueue.SendMessageAsync(QueueTestKit.Encode("dead letter"), QueueTestKit.Ct);

        Assert.Null(listener.PoisonQueueName);
        await listener.StartAsync(QueueTestKit.Ct);
        await QueueTestKit.EventuallyAsync(() => Volatile.Read(ref invoked) == 1 && listener.InFlight == 0, Timeout, "the attempt");
        await Task.Delay(600, QueueTestKit.Ct);

        // Neither released (it would be retried at once) nor deleted: it waits out its lease.
        Assert.Equal(1, Volatile.Read(ref invoked));
        Assert.Equal(1, await QueueTestKit.CountAsync(poisonQueue));
        Assert.Empty((await poisonQueue.PeekMessagesAsync(32, QueueTestKit.Ct)).Value);
        Assert.False((await _kit.Service.GetQueueClient(poisonQueue.Name + "-poison").ExistsAsync(QueueTestKit.Ct)).Value);
    }
}
