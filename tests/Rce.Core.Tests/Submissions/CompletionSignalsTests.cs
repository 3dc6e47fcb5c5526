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
}
