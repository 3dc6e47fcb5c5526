using System.Collections.Concurrent;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using Rce.Infrastructure.Queues;
using Rce.Testing;

namespace Rce.Infrastructure.Tests.Queues;

/// <summary>
/// A message this process sends and runs itself without a receive (<see cref="LocalQueuePlace"/>),
/// against a real Azurite: it is stored and invisible while it runs, deleted after, released to
/// any receiver when it fails, and counted in the listener's concurrency and stop.
/// </summary>
public sealed class QueueListenerLocalDispatchTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly QueueTestKit _kit = new(azurite.Server);

    [Fact]
    public async Task LocalMessage_RunsWithoutAReceive_InvisibleMeanwhile_DeletedAfter()
    {
        var queue = await _kit.CreateQueueAsync();
        var running = new TaskCompletionSource<QueueTriggerMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // A lease far longer than the test: "invisible meanwhile" must not depend on a busy machine
        // reaching the checks below before a 5 s lease (or its first renewal) runs out.
        var options = QueueTestKit.Fast with { Lease = TimeSpan.FromSeconds(60) };
        await using var listener = _kit.Listener(queue, options, async (m, _) =>
        {
            running.TrySetResult(m);
            await release.Task;
        });
        await listener.StartAsync(QueueTestKit.Ct);

        using var place = listener.TryReserveLocal();
        Assert.NotNull(place);
        Assert.Equal(options.Lease, place.Lease);
        var sent = await SendAndDispatchAsync(queue, place, """{"id":"local-1"}""");
        var message = await running.Task.WaitAsync(Timeout, QueueTestKit.Ct);

        Assert.Equal("""{"id":"local-1"}""", message.Text);
        Assert.Equal(1, message.DequeueCount);
        Assert.Equal(sent.MessageId, message.MessageId);
        Assert.Equal(1, await QueueTestKit.CountAsync(queue)); // stored while it runs
        Assert.Null((await queue.ReceiveMessageAsync(cancellationToken: QueueTestKit.Ct)).Value); // and nobody else can take it
        Assert.Equal(1, listener.InFlight);

        release.SetResult();
        await QueueTestKit.EventuallyAsync(() => listener.InFlight == 0, Timeout, "the local run completes");
        await QueueTestKit.EventuallyAsync(async () => await QueueTestKit.CountAsync(queue) == 0, Timeout, "the message is deleted");
        Assert.DoesNotContain(_kit.Logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task LocalMessage_Fails_ReleasedAndReceivedAgain()
    {
        var queue = await _kit.CreateQueueAsync();
        var attempts = new ConcurrentQueue<long>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast, (m, _) =>
        {
            attempts.Enqueue(m.DequeueCount);
            if (attempts.Count == 1)
            {
                throw new InvalidOperationException("first attempt fails");
            }

            done.TrySetResult();
            return Task.CompletedTask;
        });
        await listener.StartAsync(QueueTestKit.Ct);

        using (var place = listener.TryReserveLocal())
        {
            await SendAndDispatchAsync(queue, place!, """{"id":"local-retry"}""");
        }

        await done.Task.WaitAsync(Timeout, QueueTestKit.Ct);
        await QueueTestKit.EventuallyAsync(async () => await QueueTestKit.CountAsync(queue) == 0, Timeout, "the message is deleted");

        // Run here first (count 1), then received through the queue (the service's first dequeue).
        Assert.Equal([1L, 1L], attempts);
    }

    [Fact]
    public async Task Reserve_BoundedByBatchSizePlusThreshold_GivenBackOnDispose()
    {
        var queue = await _kit.CreateQueueAsync();
        var options = QueueTestKit.Fast with { BatchSize = 1, NewBatchThreshold = 1 };
        await using var listener = _kit.Listener(queue, options, (_, _) => Task.CompletedTask);
        await listener.StartAsync(QueueTestKit.Ct);

        var first = listener.TryReserveLocal();
        var second = listener.TryReserveLocal();
        var third = listener.TryReserveLocal();

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(third); // 1 + 1 places
        Assert.Equal(2, listener.InFlight);
        first.Dispose();
        first.Dispose(); // once only
        Assert.Equal(1, listener.InFlight);
        using var again = listener.TryReserveLocal();
        Assert.NotNull(again);
        second!.Dispose();
        Assert.Throws<InvalidOperationException>(() => second.Dispatch(QueuesModelFactory.QueueMessage("id", "receipt", BinaryData.FromString(QueueTestKit.Encode("{}")), 1)));
    }

    [Fact]
    public async Task Reserve_RefusedWhenNotStarted_Disabled_OrStopping()
    {
        var queue = await _kit.CreateQueueAsync();
        await using var notStarted = _kit.Listener(queue, QueueTestKit.Fast, (_, _) => Task.CompletedTask);
        await using var disabled = _kit.Listener(queue, QueueTestKit.Fast with { LocalDispatch = false }, (_, _) => Task.CompletedTask);
        await disabled.StartAsync(QueueTestKit.Ct);
        await using var stopped = _kit.Listener(queue, QueueTestKit.Fast, (_, _) => Task.CompletedTask);
        await stopped.StartAsync(QueueTestKit.Ct);
        await stopped.StopAsync(QueueTestKit.Ct);

        Assert.Null(notStarted.TryReserveLocal());
        Assert.Null(disabled.TryReserveLocal());
        Assert.Null(stopped.TryReserveLocal());
    }

    [Fact]
    public async Task Stop_WaitsForALocalRun()
    {
        var queue = await _kit.CreateQueueAsync();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast, async (_, _) =>
        {
            running.TrySetResult();
            await release.Task;
        });
        await listener.StartAsync(QueueTestKit.Ct);
        using (var place = listener.TryReserveLocal())
        {
            await SendAndDispatchAsync(queue, place!, """{"id":"local-stop"}""");
        }

        await running.Task.WaitAsync(Timeout, QueueTestKit.Ct);
        var stop = listener.StopAsync(CancellationToken.None);
        await Task.Delay(300, QueueTestKit.Ct);

        Assert.False(stop.IsCompleted, "the stop did not wait for the local run");
        release.SetResult();
        await stop.WaitAsync(Timeout, QueueTestKit.Ct);
        Assert.Equal(0, listener.InFlight);
        Assert.Equal(0, await QueueTestKit.CountAsync(queue));
    }

    [Fact]
    public async Task LocalWork_RunsOnThePlace_CountedInFlight_FailureLoggedAndPlaceFreed()
    {
        var queue = await _kit.CreateQueueAsync();
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast, (_, _) => Task.CompletedTask);
        await listener.StartAsync(QueueTestKit.Ct);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        listener.TryReserveLocal()!.Run(async _ => await release.Task);
        listener.TryReserveLocal()!.Run(_ => throw new InvalidOperationException("work failed"));
        await QueueTestKit.EventuallyAsync(() => listener.InFlight == 1, Timeout, "the failed work gives its place back");

        Assert.Contains(_kit.Logger.Entries, e => e.Level == LogLevel.Warning && e.Text.Contains(queue.Name, StringComparison.Ordinal));
        release.SetResult();
        await QueueTestKit.EventuallyAsync(() => listener.InFlight == 0, Timeout, "the work ends");
        Assert.Equal(0, await QueueTestKit.CountAsync(queue)); // no message was involved
    }

    [Fact]
    public async Task Stop_WaitsForLocalWork_ThenCancelsItWhenTheGraceEnds()
    {
        var queue = await _kit.CreateQueueAsync();
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast, (_, _) => Task.CompletedTask);
        await listener.StartAsync(QueueTestKit.Ct);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = false; // read with Volatile: set on the work's thread
        listener.TryReserveLocal()!.Run(async token =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(Timeout, token);
            }
            catch (OperationCanceledException)
            {
                Volatile.Write(ref cancelled, true);
            }
        });
        await started.Task.WaitAsync(Timeout, QueueTestKit.Ct);

        // The grace ends when the test says so, not on a timer: with a 300 ms timer a late test thread
        // could find the grace already over (and the stop done) when it checked that the stop was waiting.
        using var grace = new CancellationTokenSource();
        var stop = listener.StopAsync(grace.Token);
        await Task.Delay(100, QueueTestKit.Ct);
        Assert.False(stop.IsCompleted, "the stop did not wait for the local work");
        Assert.False(Volatile.Read(ref cancelled), "the work was cancelled before the grace ended");

        await grace.CancelAsync();
        await stop.WaitAsync(Timeout, QueueTestKit.Ct);

        Assert.True(Volatile.Read(ref cancelled), "the end of the grace did not cancel the local work");
        Assert.Equal(0, listener.InFlight);
    }

    /// <summary>What a producer does with a place: send invisible for its lease, hand over the sent message.</summary>
    private static async Task<SendReceipt> SendAndDispatchAsync(QueueClient queue, LocalQueuePlace place, string text)
    {
        var body = QueueTestKit.Encode(text);
        var receipt = (await queue.SendMessageAsync(body, place.Lease, cancellationToken: QueueTestKit.Ct)).Value;
        place.Dispatch(QueuesModelFactory.QueueMessage(receipt.MessageId, receipt.PopReceipt, BinaryData.FromString(body), 1, receipt.TimeNextVisible, receipt.InsertionTime, receipt.ExpirationTime));
        return receipt;
    }
}
