using System.Collections.Concurrent;
using Rce.Infrastructure.Queues;
using Rce.Testing;

namespace Rce.Infrastructure.Tests.Queues;

/// <summary>
/// Work the process defers onto its listener's backlog instead of sending a message: run in order
/// as places free up (places taken by received messages and local work alike), handed over (its
/// message sent) if the listener stops first, refused where a place would be; against a real Azurite.
/// </summary>
public sealed class QueueListenerBacklogTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly QueueTestKit _kit = new(azurite.Server);

    [Fact]
    public async Task Deferred_RunsInOrder_AsPlacesFreeUp_NeverPastTheConcurrency()
    {
        var queue = await _kit.CreateQueueAsync();
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast with { BatchSize = 1, NewBatchThreshold = 1 }, (_, _) => Task.CompletedTask);
        await listener.StartAsync(QueueTestKit.Ct);
        var holder = listener.TryReserveLocal()!; // one of the two places
        var order = new ConcurrentQueue<int>();
        // One release per work: two places freed at once start two works concurrently, and which of
        // them records itself first is up to the thread pool; freeing one place at a time makes the
        // order the backlog's alone.
        var release = Enumerable.Range(0, 4).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var handedOver = 0;

        for (var i = 0; i < 4; i++)
        {
            var n = i;
            Assert.True(listener.TryDefer(
                async _ =>
                {
                    order.Enqueue(n);
                    await release[n].Task;
                },
                () =>
                {
                    Interlocked.Increment(ref handedOver);
                    return Task.CompletedTask;
                }));
        }

        await QueueTestKit.EventuallyAsync(() => order.Count == 1, Timeout, "the first deferred work takes the free place");
        await Task.Delay(200, QueueTestKit.Ct);
        Assert.Equal([0], order); // the other place is held
        Assert.Equal(3, listener.Backlog);
        Assert.Equal(2, listener.InFlight);

        holder.Dispose();
        await QueueTestKit.EventuallyAsync(() => order.Count == 2, Timeout, "a given-back place starts the next");
        Assert.Equal([0, 1], order);
        release[1].SetResult();
        await QueueTestKit.EventuallyAsync(() => order.Count == 3, Timeout, "a finished work's place starts the next");
        Assert.Equal([0, 1, 2], order);
        Assert.Equal(2, listener.InFlight); // never past the concurrency
        release[0].SetResult();
        await QueueTestKit.EventuallyAsync(() => order.Count == 4, Timeout, "the last takes the next freed place");
        release[2].SetResult();
        release[3].SetResult();
        await QueueTestKit.EventuallyAsync(() => listener.InFlight == 0 && listener.Backlog == 0, Timeout, "the backlog drains");
        Assert.Equal([0, 1, 2, 3], order);
        Assert.Equal(0, handedOver);
        Assert.Equal(0, await QueueTestKit.CountAsync(queue)); // no message was involved
    }

    [Fact]
    public async Task Deferred_ReceivedMessagesFinishing_FreePlacesForIt()
    {
        var queue = await _kit.CreateQueueAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast with { BatchSize = 1, NewBatchThreshold = 0 }, async (_, _) => await release.Task);
        await listener.StartAsync(QueueTestKit.Ct);
        await queue.SendMessageAsync(QueueTestKit.Encode("""{"id":"received"}"""), QueueTestKit.Ct);
        await QueueTestKit.EventuallyAsync(() => listener.InFlight == 1, Timeout, "the message is received");
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Assert.True(listener.TryDefer(_ => { ran.SetResult(); return Task.CompletedTask; }, () => Task.CompletedTask));
        await Task.Delay(200, QueueTestKit.Ct);
        Assert.False(ran.Task.IsCompleted); // the one place is the received message's
        release.SetResult();

        await ran.Task.WaitAsync(Timeout, QueueTestKit.Ct);
    }

    [Fact]
    public async Task Stop_HandsOverWhatIsStillInTheBacklog_RunsNoneOfIt()
    {
        var queue = await _kit.CreateQueueAsync();
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast with { BatchSize = 1, NewBatchThreshold = 0 }, (_, _) => Task.CompletedTask);
        await listener.StartAsync(QueueTestKit.Ct);
        var holder = listener.TryReserveLocal()!;
        var ran = 0;
        var handedOver = new ConcurrentQueue<int>();
        for (var i = 0; i < 3; i++)
        {
            var n = i;
            Assert.True(listener.TryDefer(
                _ =>
                {
                    Interlocked.Increment(ref ran);
                    return Task.CompletedTask;
                },
                async () =>
                {
                    await queue.SendMessageAsync(QueueTestKit.Encode($$"""{"id":"handed-{{n}}"}"""), QueueTestKit.Ct);
                    handedOver.Enqueue(n);
                }));
        }

        var stop = listener.StopAsync(QueueTestKit.Ct);
        await QueueTestKit.EventuallyAsync(() => handedOver.Count == 3, Timeout, "the backlog is handed over");
        holder.Dispose();
        await stop.WaitAsync(Timeout, QueueTestKit.Ct);

        Assert.Equal(0, ran);
        Assert.Equal([0, 1, 2], handedOver);
        Assert.Equal(3, await QueueTestKit.CountAsync(queue)); // their messages, for any listener
        Assert.False(listener.TryDefer(_ => Task.CompletedTask, () => Task.CompletedTask)); // closed
    }

    [Fact]
    public async Task Defer_RefusedWhenNotStarted_Disabled_OrStopped()
    {
        var queue = await _kit.CreateQueueAsync();
        await using var notStarted = _kit.Listener(queue, QueueTestKit.Fast, (_, _) => Task.CompletedTask);
        await using var disabled = _kit.Listener(queue, QueueTestKit.Fast with { LocalDispatch = false }, (_, _) => Task.CompletedTask);
        await disabled.StartAsync(QueueTestKit.Ct);
        await using var stopped = _kit.Listener(queue, QueueTestKit.Fast, (_, _) => Task.CompletedTask);
        await stopped.StartAsync(QueueTestKit.Ct);
        await stopped.StopAsync(QueueTestKit.Ct);

        Assert.False(notStarted.TryDefer(_ => Task.CompletedTask, () => Task.CompletedTask));
        Assert.False(disabled.TryDefer(_ => Task.CompletedTask, () => Task.CompletedTask));
        Assert.False(stopped.TryDefer(_ => Task.CompletedTask, () => Task.CompletedTask));
        Assert.Equal(0, notStarted.Backlog + disabled.Backlog + stopped.Backlog);
    }
}
