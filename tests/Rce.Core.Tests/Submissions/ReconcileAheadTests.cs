using Rce.Core.Submissions;

namespace Rce.Core.Tests.Submissions;

/// <summary>Ids handed out only after the check that watches them was sent; groups sized to the rate.</summary>
public sealed class ReconcileAheadTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMinutes(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TakeAsync_First_SendsAGroupOfOne_ThenCoversThatIdOnce()
    {
        var queues = new FakeWorkQueues();
        var ahead = new ReconcileAhead(queues, Delay, new StepClock());

        var id = await ahead.TakeAsync(Ct);

        var (queue, message, delay) = Assert.Single(queues.Sent);
        Assert.Equal(WorkQueueId.Reconcile, queue);
        Assert.Equal(Delay, delay);
        Assert.Equal([id], message.Ids);
        Assert.NotEqual(id, message.Id); // the group has an id of its own
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.True(ahead.Covers(id));
        Assert.False(ahead.Covers(id)); // once
        Assert.False(ahead.Covers(Guid.NewGuid().ToString("N"))); // never handed out
    }

    [Fact]
    public async Task TakeAsync_GroupsDoubleWhileUsedUp_UpToTheMost()
    {
        var queues = new FakeWorkQueues();
        var ahead = new ReconcileAhead(queues, Delay, new StepClock());

        var ids = new List<string>();
        for (var i = 0; i < 1 + 2 + 4 + 8 + 16 + 32 + 64 + 64; i++)
        {
            ids.Add(await ahead.TakeAsync(Ct));
        }

        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 64], queues.Reconciles.Select(r => r.Message.Ids!.Count));
        Assert.Equal(ids.Order(), queues.Reconciles.SelectMany(r => r.Message.Ids!).Order()); // every id handed out was in a group sent before
        Assert.All(ids, id => Assert.True(ahead.Covers(id)));
    }

    [Fact]
    public async Task TakeAsync_PastTheHandOutWindow_ArmsANewGroupSizedToWhatWasUsed()
    {
        var queues = new FakeWorkQueues();
        var clock = new StepClock();
        var ahead = new ReconcileAhead(queues, Delay, clock);
        await ahead.TakeAsync(Ct); // group of 1
        await ahead.TakeAsync(Ct); // group of 2, one used
        clock.Advance(ahead.HandOutWindow);

        var late = await ahead.TakeAsync(Ct);

        Assert.Equal([1, 2, 1], queues.Reconciles.Select(r => r.Message.Ids!.Count));
        Assert.Equal([late], queues.Reconciles[^1].Message.Ids);
        Assert.Equal(TimeSpan.FromSeconds(10), ahead.HandOutWindow); // a quarter of 5 min is more than 10 s
    }

    [Fact]
    public async Task Covers_OnceHalfTheDelayHasPassed_IsFalse()
    {
        var queues = new FakeWorkQueues();
        var clock = new StepClock();
        var ahead = new ReconcileAhead(queues, Delay, clock);
        var id = await ahead.TakeAsync(Ct);

        clock.Advance(Delay / 2);

        Assert.False(ahead.Covers(id)); // its check may run before the row exists: the accept arms one of its own
    }

    [Fact]
    public async Task TakeAsync_SendFails_HandsOutNothing_AndTheNextTakeSendsAgain()
    {
        var queues = new FailingOnceQueues();
        var ahead = new ReconcileAhead(queues, Delay, new StepClock());

        await Assert.ThrowsAsync<InvalidOperationException>(() => ahead.TakeAsync(Ct));
        Assert.Equal(0, ahead.Outstanding);

        var id = await ahead.TakeAsync(Ct);
        Assert.Equal([id], queues.Inner.Reconciles.Single().Message.Ids);
        Assert.True(ahead.Covers(id));
    }

    [Fact]
    public async Task TakeAsync_Concurrent_EveryIdDistinctAndArmedBeforeItWasHandedOut()
    {
        var queues = new SlowQueues();
        var ahead = new ReconcileAhead(queues, Delay, new StepClock());

        var ids = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => ahead.TakeAsync(Ct), Ct)));

        Assert.Equal(200, ids.Distinct().Count());
        var armed = queues.Inner.Reconciles.SelectMany(r => r.Message.Ids!).ToHashSet();
        Assert.All(ids, id => Assert.Contains(id, armed));
        Assert.True(queues.Inner.Reconciles.Count < 200, $"{queues.Inner.Reconciles.Count} sends for 200 ids");
    }

    /// <summary>Fails the first send, then sends as <see cref="FakeWorkQueues"/>.</summary>
    private sealed class FailingOnceQueues : IWorkQueues
    {
        private int _calls;

        public FakeWorkQueues Inner { get; } = new();

        public Task EnqueueAsync(WorkQueueId queue, WorkMessage message, TimeSpan delay, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) == 1
                ? Task.FromException(new InvalidOperationException("the queue is down"))
                : Inner.EnqueueAsync(queue, message, delay, cancellationToken);
    }

    /// <summary>A send that takes a few milliseconds, so that takers pile up behind it.</summary>
    private sealed class SlowQueues : IWorkQueues
    {
        public FakeWorkQueues Inner { get; } = new();

        public async Task EnqueueAsync(WorkQueueId queue, WorkMessage message, TimeSpan delay, CancellationToken cancellationToken)
        {
            await Task.Delay(5, cancellationToken);
            await Inner.EnqueueAsync(queue, message, delay, cancellationToken);
        }
    }
}
