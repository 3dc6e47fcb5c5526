using Rce.Core.Submissions;

namespace Rce.Core.Tests.Submissions;

public sealed class CompletionSignalsTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Signal_WakesEveryWaiterOfTheId()
    {
        var signals = new CompletionSignals();
        var first = signals.WhenSignalled("a");
        var second = signals.WhenSignalled("a");

        Assert.False(first.IsCompleted);
        signals.Signal("a");

        await Task.WhenAll(first, second).WaitAsync(Guard, Ct);
        Assert.Same(first, second);
        Assert.Equal(0, signals.WaitingIds);
    }

    [Fact]
    public void Signal_OtherId_DoesNotWake()
    {
        var signals = new CompletionSignals();
        var waiter = signals.WhenSignalled("a");

        signals.Signal("b");
        signals.Signal("A");

        Assert.False(waiter.IsCompleted);
    }

    [Fact]
    public void Signal_BeforeAnyWaiter_NotRemembered()
    {
        var signals = new CompletionSignals();

        signals.Signal("a");

        Assert.False(signals.WhenSignalled("a").IsCompleted);
    }

    [Fact]
    public void WhenSignalled_AfterSignal_FreshTask()
    {
        var signals = new CompletionSignals();
        var old = signals.WhenSignalled("a");
        signals.Signal("a");

        var fresh = signals.WhenSignalled("a");

        Assert.True(old.IsCompleted);
        Assert.False(fresh.IsCompleted);
    }

    [Fact]
    public void Forget_DropsTheEntry()
    {
        var signals = new CompletionSignals();
        var forgotten = signals.WhenSignalled("a");

        signals.Forget("a");
        var later = signals.WhenSignalled("a");
        signals.Signal("a");

        Assert.False(forgotten.IsCompleted);
        Assert.True(later.IsCompleted);
    }

    [Fact]
    public async Task Forget_OneOfTwoWaiters_OtherStillSignalled()
    {
        var signals = new CompletionSignals();
        var first = signals.WhenSignalled("a");
        var second = signals.WhenSignalled("a");

        signals.Forget("a"); // the first waiter timed out
        signals.Signal("a");

        await second.WaitAsync(Guard, Ct);
        Assert.Same(first, second);
        Assert.Equal(0, signals.WaitingIds);
    }

    [Fact]
    public async Task ForgetWithTask_OneOfTwoWaiters_OtherStillSignalled()
    {
        var signals = new CompletionSignals();
        var first = signals.WhenSignalled("a");
        var second = signals.WhenSignalled("a");

        signals.Forget("a", first);
        Assert.Equal(1, signals.WaitingIds);
        signals.Signal("a");

        await second.WaitAsync(Guard, Ct);
    }

    [Fact]
    public void Forget_EveryWaiter_EntryDropped()
    {
        var signals = new CompletionSignals();
        var first = signals.WhenSignalled("a");
        var second = signals.WhenSignalled("a");

        signals.Forget("a", first);
        signals.Forget("a", second);

        Assert.Equal(0, signals.WaitingIds);
        Assert.NotSame(first, signals.WhenSignalled("a"));
    }

    [Fact]
    public void ForgetWithTask_AfterSignal_DoesNotReleaseALaterWaiter()
    {
        var signals = new CompletionSignals();
        var early = signals.WhenSignalled("a");
        signals.Signal("a");
        var late = signals.WhenSignalled("a");

        signals.Forget("a", early); // completed: its reference went with the signal

        Assert.Equal(1, signals.WaitingIds);
        signals.Forget("a", late);
        Assert.Equal(0, signals.WaitingIds);
    }

    [Fact]
    public void ForgetWithTask_OfAnotherEntry_Ignored()
    {
        var signals = new CompletionSignals();
        var waiter = signals.WhenSignalled("a");

        signals.Forget("a", new TaskCompletionSource().Task);
        signals.Forget("b", waiter);

        Assert.Equal(1, signals.WaitingIds);
    }

    [Fact]
    public void Forget_MoreOftenThanRegistered_NoEffectOnLaterWaiters()
    {
        var signals = new CompletionSignals();
        signals.Forget("a");
        var waiter = signals.WhenSignalled("a");
        signals.Forget("a");
        signals.Forget("a");

        var again = signals.WhenSignalled("a");
        signals.Signal("a");

        Assert.False(waiter.IsCompleted);
        Assert.True(again.IsCompleted);
    }

    [Fact]
    public async Task Concurrent_ChurningWaiters_NeverDropAWaiterThatStays()
    {
        var signals = new CompletionSignals();
        var stays = signals.WhenSignalled("a");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(
            () =>
            {
                for (var i = 0; i < 20_000; i++)
                {
                    var mine = signals.WhenSignalled("a");
                    if (i % 2 == 0)
                    {
                        signals.Forget("a", mine);
                    }
                    else
                    {
                        signals.Forget("a");
                    }
                }
            },
            Ct)));
        signals.Signal("a");

        await stays.WaitAsync(Guard, Ct);
        Assert.Equal(0, signals.WaitingIds);
    }

    [Fact]
    public async Task Concurrent_EntryRetiredAndRecreated_LastRegistrationsAllSignalled()
    {
        var signals = new CompletionSignals();
        for (var round = 0; round < 200; round++)
        {
            var id = "r" + round;

            // No waiter stays through the churn, so the entry keeps being retired and recreated
            // under the registrations racing with it; the final registrations must land on the live one.
            // StartNew, not Task.Run: Task.Run would unwrap the returned signal and wait for it.
            var finals = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    for (var i = 0; i < 200; i++)
                    {
                        signals.Forget(id, signals.WhenSignalled(id));
                    }

                    return signals.WhenSignalled(id);
                },
                Ct,
                TaskCreationOptions.None,
                TaskScheduler.Default)));
            signals.Signal(id);

            await Task.WhenAll(finals).WaitAsync(Guard, Ct);
        }

        Assert.Equal(0, signals.WaitingIds);
    }

    [Fact]
    public async Task Concurrent_SignalRacingRegistrations_EveryReturnedWaiterCompletesOrStaysRegistered()
    {
        var signals = new CompletionSignals();
        for (var round = 0; round < 200; round++)
        {
            var id = "s" + round;
            var registrations = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() => signals.WhenSignalled(id), Ct, TaskCreationOptions.None, TaskScheduler.Default)).ToArray();
            signals.Signal(id);
            var waiters = await Task.WhenAll(registrations);
            signals.Signal(id); // a registration after the first signal is woken by this one

            await Task.WhenAll(waiters).WaitAsync(Guard, Ct);
        }

        Assert.Equal(0, signals.WaitingIds);
    }
}
