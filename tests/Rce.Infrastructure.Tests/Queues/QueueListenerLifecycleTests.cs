using Microsoft.Extensions.Time.Testing;
using Rce.Infrastructure.Queues;
using Rce.Testing;

namespace Rce.Infrastructure.Tests.Queues;

/// <summary>Polling, throttling, renewal, notification and shutdown against a real Azurite.</summary>
public sealed class QueueListenerLifecycleTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly QueueTestKit _kit = new(azurite.Server);

    [Fact]
    public async Task LongInvocation_LeaseRenewed_NotDeliveredTwice_DeletedWithRenewedReceipt()
    {
        var queue = await _kit.CreateQueueAsync();
        var invocations = 0;
        // Renewing every second leaves 4 s of slack to a busy machine before the 5 s lease would run out
        // (a 3 s lease left 2 s: one renewal stalled that long and the message would come back while running).
        var options = QueueTestKit.Fast with { Lease = TimeSpan.FromSeconds(5), LeaseRenewal = TimeSpan.FromSeconds(1) };
        await using var listener = _kit.Listener(queue, options, async (_, ct) =>
        {
            Interlocked.Increment(ref invocations);

            // Well past the 5 s lease: without renewal the message would reappear and be taken again.
            await Task.Delay(TimeSpan.FromSeconds(6.5), ct);
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
        // The back-off runs on a frozen fake clock, so the listener's wait can never end by itself: the
        // message can only be processed because Notify woke it. (Measuring latency against a real-clock
        // back-off schedule raced with a busy machine.)
        var queue = await _kit.CreateQueueAsync();
        var time = new TimerCountingTimeProvider(new FakeTimeProvider());
        var processed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = QueueTestKit.Fast with { MaxPollingInterval = TimeSpan.FromSeconds(5) };
        await using var listener = _kit.Listener(queue, options, (_, _) =>
        {
            processed.TrySetResult();
            return Task.CompletedTask;
        }, time: time);

        await listener.StartAsync(QueueTestKit.Ct);

        // Idle: the first poll found the new queue empty and the back-off wait has begun.
        await QueueTestKit.EventuallyAsync(() => !time.DueTimes.IsEmpty, Timeout, "the listener's back-off wait");
        await queue.SendMessageAsync(QueueTestKit.Encode("wake up"), QueueTestKit.Ct);
        listener.Notify();

        await processed.Task.WaitAsync(Timeout, QueueTestKit.Ct);
    }

    [Fact]
    public async Task Idle_WithoutNotify_WaitsForThePoll()
    {
        // The control of the test above: the same idle listener without Notify is not woken early, and
        // the end of its back-off wait (the fake clock moved by exactly that wait) polls the message.
        var queue = await _kit.CreateQueueAsync();
        var fake = new FakeTimeProvider();
        var time = new TimerCountingTimeProvider(fake);
        var processed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = _kit.Listener(queue, QueueTestKit.Fast with { MaxPollingInterval = TimeSpan.FromSeconds(5) }, (_, _) =>
        {
            processed.TrySetResult();
            return Task.CompletedTask;
        }, time: time);

        await listener.StartAsync(QueueTestKit.Ct);
        await QueueTestKit.EventuallyAsync(() => !time.DueTimes.IsEmpty, Timeout, "the listener's back-off wait");
        await queue.SendMessageAsync(QueueTestKit.Encode("no wake"), QueueTestKit.Ct);

        // Asserting that something has not happened: a late test thread only makes this wait longer.
        await Task.Delay(TimeSpan.FromSeconds(1), QueueTestKit.Ct);
        Assert.False(processed.Task.IsCompleted, "processed without Notify while the back-off wait was still running");
        Assert.Single(time.DueTimes); // still the first wait: nothing ended it and no poll followed

        fake.Advance(time.DueTimes.Single());
        await processed.Task.WaitAsync(Timeout, QueueTestKit.Ct);
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
        var overlapped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = QueueTestKit.Fast with { BatchSize = 2, NewBatchThreshold = 1 };
        await using var listener = _kit.Listener(queue, options, async (_, ct) =>
        {
            var now = Interlocked.Increment(ref current);
            InterlockedMax(ref peak, now);
            if (now >= 2)
            {
                overlapped.TrySetResult();
            }

            // Held until two have run at once (the first receive brings two), not only for 300 ms: a
            // starved thread pool could otherwise finish one before starting the other. A listener that
            // never overlaps them times out here and misses the eight below.
            await Task.WhenAll(Task.Delay(300, ct), overlapped.Task.WaitAsync(Timeout, ct));
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
