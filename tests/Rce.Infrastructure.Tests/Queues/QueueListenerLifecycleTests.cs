using System.Diagnostics;
using Rce.Infrastructure.Queues;
using Rce.Testing;

namespace Rce.Infrastructure.Tests.Queues;

/// <summary>Polling, throttling, renewal, notification and shutdown against a real Azurite.</summary>
public sealed class QueueListenerLifecycleTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly QueueTestKit _kit = new(azurite.Server);

    /// <summary>r = 1 every time: idle waits of 100, 200, 300, 500, 900, 1700, 3300, 5000… ms.</summary>
    private sealed class MiddleRandom : Random
    {
        public override double NextDouble() => 0.5;
    }

    [Fact]
    public async Task LongInvocation_LeaseRenewed_NotDeliveredTwice_DeletedWithRenewedReceipt()
    {
        var queue = await _kit.CreateQueueAsync();
        var invocations = 0;
        // Renewing every second leaves 2 s of slack to a busy machine before the 3 s lease would run out.
        var options = QueueTestKit.Fast with { Lease = TimeSpan.FromSeconds(3), LeaseRenewal = TimeSpan.FromSeconds(1) };
        await using var listener = _kit.Listener(queue, options, async (_, ct) =>
        {
            Interlocked.Increment(ref invocations);

            // Well past the 3 s lease: without renewal the message would reappear and be taken again.
            await Task.Delay(TimeSpan.FromSeconds(4.5), ct);
        });
        await queue.SendMessageAsync(QueueTestKit.Encode("slow work"), QueueTestKit.Ct);

        await listener.StartAsync(QueueTestKit.Ct);
        await QueueTestKit.EventuallyAsync(() => Volatile.Read(ref invocations) == 1, Timeout, "the invocation");
        await QueueTestKit.EventuallyAsync(() => listener.InFlight == 0, Timeout, "the invocation completes");

        // A delete with the first (stale) pop receipt would fail and leave the message to come back.
        Assert.Equal(0, await QueueTestKit.CountAsync(queue));
        Assert.Equal(1, Volatile.Read(ref invocations));
        Assert.DoesNotContain(_kit.Logger.Entries, e => e.Text.Contains("lost", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Notify_WakesAnIdleListenerLongBeforeItsPollingInterval()
    {
        var queue = await _kit.CreateQueueAsync();
        var clock = new Stopwatch();
        var processedAfter = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = QueueTestKit.Fast with { MaxPollingInterval = TimeSpan.FromSeconds(5) };
        await using var listener = _kit.Listener(queue, options, (_, _) =>
        {
            processedAfter.TrySetResult(clock.Elapsed);
            return Task.CompletedTask;
        }, new MiddleRandom());

        await listener.StartAsync(QueueTestKit.Ct);

        // Idle waits end at about 0.1, 0.3, 0.6, 1.1, 2.0, 3.7 and 7.0 s (later on a busy machine): at 4.6 s
        // the listener is ~0.9 s into a 3.3 s wait, so a poll-only listener would need about 2.4 s more.
        await Task.Delay(TimeSpan.FromSeconds(4.6), QueueTestKit.Ct);
        clock.Start();
        await queue.SendMessageAsync(QueueTestKit.Encode("wake up"), QueueTestKit.Ct);
        listener.Notify();

        var latency = await processedAfter.Task.WaitAsync(Timeout, QueueTestKit.Ct);
        Assert.True(latency < TimeSpan.FromSeconds(1), $"processed {latency} after enqueue + Notify");
    }

    [Fact]
    public async Task Idle_WithoutNotify_WaitsForThePoll()
    {
        // The control of the test above: the same schedule without Notify is not woken early.
        var queue = await _kit.CreateQueueAsync();
        var clock = new Stopwatch();
        var processedAfter = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast with { MaxPollingInterval = TimeSpan.FromSeconds(5) }, (_, _) =>
        {
            processedAfter.TrySetResult(clock.Elapsed);
            return Task.CompletedTask;
        }, new MiddleRandom());

        await listener.StartAsync(QueueTestKit.Ct);
        await Task.Delay(TimeSpan.FromSeconds(4.6), QueueTestKit.Ct);
        clock.Start();
        await queue.SendMessageAsync(QueueTestKit.Encode("no wake"), QueueTestKit.Ct);

        var latency = await processedAfter.Task.WaitAsync(Timeout, QueueTestKit.Ct);
        Assert.True(latency > TimeSpan.FromSeconds(1.2), $"processed {latency} after enqueue without Notify");
    }

    [Fact]
    public async Task StopAsync_WaitsForInFlightInvocation_AndItsDelete()
    {
        var queue = await _kit.CreateQueueAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokenCancelled = false;
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast, async (_, ct) =>
        {
            started.TrySetResult();
            await gate.Task;
            tokenCancelled = ct.IsCancellationRequested;
        });
        await queue.SendMessageAsync(QueueTestKit.Encode("in flight"), QueueTestKit.Ct);
        await listener.StartAsync(QueueTestKit.Ct);
        await started.Task.WaitAsync(Timeout, QueueTestKit.Ct);

        var stop = listener.StopAsync(CancellationToken.None);
        await Task.Delay(400, QueueTestKit.Ct);
        Assert.False(stop.IsCompleted, "stop returned while an invocation was running");
        Assert.Equal(1, listener.InFlight);

        gate.SetResult();
        await stop.WaitAsync(Timeout, QueueTestKit.Ct);

        Assert.False(tokenCancelled);
        Assert.Equal(0, listener.InFlight);
        Assert.Equal(0, await QueueTestKit.CountAsync(queue));
        Assert.True(listener.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task StopAsync_GraceEnds_FunctionCancelled_MessageReleasedNotLost()
    {
        var queue = await _kit.CreateQueueAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast, async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(System.Threading.Timeout.Infinite, ct);
        });
        await queue.SendMessageAsync(QueueTestKit.Encode("interrupted"), QueueTestKit.Ct);
        await listener.StartAsync(QueueTestKit.Ct);
        await started.Task.WaitAsync(Timeout, QueueTestKit.Ct);

        using var grace = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await listener.StopAsync(grace.Token).WaitAsync(Timeout, QueueTestKit.Ct);

        // The cancelled invocation failed (attempt 1 of 3), so it was released at once, not left to its 5 s lease.
        var again = Assert.Single((await queue.PeekMessagesAsync(32, QueueTestKit.Ct)).Value);
        Assert.Equal(1, again.DequeueCount);
    }

    [Fact]
    public async Task Throttle_AtMostBatchSizePlusThresholdInFlight()
    {
        var queue = await _kit.CreateQueueAsync();
        var (current, peak, done) = (0, 0, 0);
        var options = QueueTestKit.Fast with { BatchSize = 2, NewBatchThreshold = 1 };
        await using var listener = _kit.Listener(queue, options, async (_, ct) =>
        {
            var now = Interlocked.Increment(ref current);
            InterlockedMax(ref peak, now);
            await Task.Delay(300, ct);
            Interlocked.Decrement(ref current);
            Interlocked.Increment(ref done);
        });
        for (var i = 0; i < 8; i++)
        {
            await queue.SendMessageAsync(QueueTestKit.Encode("m" + i), QueueTestKit.Ct);
        }

        await listener.StartAsync(QueueTestKit.Ct);
        await QueueTestKit.EventuallyAsync(() => Volatile.Read(ref done) == 8, Timeout, "all eight messages");

        // Two received, one finishes (in flight 1 ≤ threshold), two more: never more than 2 + 1.
        Assert.InRange(Volatile.Read(ref peak), 2, 3);
    }

    [Fact]
    public async Task QueueMissingAtStart_PickedUpOnceCreated()
    {
        var queue = _kit.Service.GetQueueClient(QueueTestKit.NewName());
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast, (m, _) =>
        {
            received.TrySetResult(m.Text);
            return Task.CompletedTask;
        });

        await listener.StartAsync(QueueTestKit.Ct);
        await Task.Delay(500, QueueTestKit.Ct);
        Assert.False(listener.Completion.IsCompleted, "a missing queue ended the listener");
        await queue.CreateAsync(cancellationToken: QueueTestKit.Ct);
        await queue.SendMessageAsync(QueueTestKit.Encode("late queue"), QueueTestKit.Ct);

        Assert.Equal("late queue", await received.Task.WaitAsync(Timeout, QueueTestKit.Ct));
    }

    [Fact]
    public async Task StartAsync_Twice_Throws()
    {
        var queue = await _kit.CreateQueueAsync();
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast, (_, _) => Task.CompletedTask);

        await listener.StartAsync(QueueTestKit.Ct);

        await Assert.ThrowsAsync<InvalidOperationException>(() => listener.StartAsync(QueueTestKit.Ct));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
