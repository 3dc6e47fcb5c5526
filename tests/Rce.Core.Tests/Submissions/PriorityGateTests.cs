using Rce.Core.Submissions;

namespace Rce.Core.Tests.Submissions;

public sealed class PriorityGateTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Constructor_CapacityBelowOne_Rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PriorityGate(0));
    }

    [Fact]
    public async Task EnterAsync_CapacityRespected()
    {
        var gate = new PriorityGate(2);

        var first = gate.EnterAsync(SubmissionPriority.Normal, Ct);
        var second = gate.EnterAsync(SubmissionPriority.High, Ct);
        var third = gate.EnterAsync(SubmissionPriority.High, Ct);

        Assert.True(first.IsCompletedSuccessfully);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.False(third.IsCompleted);
        Assert.Equal(2, gate.Busy);

        (await first).Dispose();
        using var place = await third.WaitAsync(Guard, Ct);
        Assert.Equal(2, gate.Busy);
        (await second).Dispose();
        Assert.Equal(1, gate.Busy);
    }

    [Fact]
    public async Task Waiting_CountsQueuedCallers_UntilAdmittedOrPassedBy()
    {
        var gate = new PriorityGate(1);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var held = await gate.EnterAsync(SubmissionPriority.Normal, Ct);
        Assert.Equal(0, gate.Waiting);

        var normal = gate.EnterAsync(SubmissionPriority.Normal, cancel.Token);
        var high = gate.EnterAsync(SubmissionPriority.High, Ct);
        Assert.Equal(2, gate.Waiting);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => normal);
        Assert.Equal(2, gate.Waiting); // still queued: the next release passes it by
        held.Dispose();
        using var place = await high.WaitAsync(Guard, Ct);
        Assert.Equal(1, gate.Waiting);
        place.Dispose();
        Assert.Equal(0, gate.Waiting);
        Assert.Equal(0, gate.Busy);
    }

    [Fact]
    public async Task EnterAsync_WaitingHighAdmittedBeforeEarlierNormal()
    {
        var gate = new PriorityGate(1);
        var holder = await gate.EnterAsync(SubmissionPriority.Normal, Ct);
        var normal = gate.EnterAsync(SubmissionPriority.Normal, Ct);
        var high = gate.EnterAsync(SubmissionPriority.High, Ct);

        holder.Dispose();
        var highPlace = await high.WaitAsync(Guard, Ct);

        Assert.False(normal.IsCompleted);
        highPlace.Dispose();
        using var normalPlace = await normal.WaitAsync(Guard, Ct);
        Assert.Equal(1, gate.Busy);
    }

    [Fact]
    public async Task EnterAsync_NormalArrivingWhileHighWaits_QueuesBehindIt()
    {
        var gate = new PriorityGate(1);
        var holder = await gate.EnterAsync(SubmissionPriority.Normal, Ct);
        var high = gate.EnterAsync(SubmissionPriority.High, Ct);
        var normal = gate.EnterAsync(SubmissionPriority.Normal, Ct);

        holder.Dispose();

        var highPlace = await high.WaitAsync(Guard, Ct);
        Assert.False(normal.IsCompleted);
        highPlace.Dispose();
        (await normal.WaitAsync(Guard, Ct)).Dispose();
        Assert.Equal(0, gate.Busy);
    }

    [Fact]
    public async Task EnterAsync_SamePriority_FirstInFirstOut()
    {
        var gate = new PriorityGate(1);
        var holder = await gate.EnterAsync(SubmissionPriority.High, Ct);
        var a = gate.EnterAsync(SubmissionPriority.High, Ct);
        var b = gate.EnterAsync(SubmissionPriority.High, Ct);

        holder.Dispose();
        var placeA = await a.WaitAsync(Guard, Ct);

        Assert.False(b.IsCompleted);
        placeA.Dispose();
        (await b.WaitAsync(Guard, Ct)).Dispose();
    }

    [Fact]
    public async Task EnterAsync_CancelledWaiter_ThrowsAndLeaksNoCapacity()
    {
        var gate = new PriorityGate(1);
        var holder = await gate.EnterAsync(SubmissionPriority.Normal, Ct);
        using var cts = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(SubmissionPriority.High, cts.Token);
        var next = gate.EnterAsync(SubmissionPriority.Normal, Ct);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Guard, Ct));
        holder.Dispose();

        // The place skips the cancelled waiter and goes to the next one.
        var nextPlace = await next.WaitAsync(Guard, Ct);
        Assert.Equal(1, gate.Busy);
        nextPlace.Dispose();
        Assert.Equal(0, gate.Busy);
        var again = gate.EnterAsync(SubmissionPriority.Normal, Ct);
        Assert.True(again.IsCompletedSuccessfully);
        (await again).Dispose();
    }

    [Fact]
    public async Task EnterAsync_OnlyWaiterCancelled_CapacityComesBack()
    {
        var gate = new PriorityGate(1);
        var holder = await gate.EnterAsync(SubmissionPriority.Normal, Ct);
        using var cts = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(SubmissionPriority.Normal, cts.Token);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Guard, Ct));
        holder.Dispose();

        Assert.Equal(0, gate.Busy);
        var a = gate.EnterAsync(SubmissionPriority.Normal, Ct);
        Assert.True(a.IsCompletedSuccessfully);
        var b = gate.EnterAsync(SubmissionPriority.Normal, Ct);
        Assert.False(b.IsCompleted);
        (await a).Dispose();
        (await b.WaitAsync(Guard, Ct)).Dispose();
    }

    [Fact]
    public async Task Place_DisposedTwice_ReleasedOnce()
    {
        var gate = new PriorityGate(2);
        var a = await gate.EnterAsync(SubmissionPriority.Normal, Ct);
        using var b = await gate.EnterAsync(SubmissionPriority.Normal, Ct);

        a.Dispose();
        a.Dispose();

        Assert.Equal(1, gate.Busy);
        using var c = await gate.EnterAsync(SubmissionPriority.Normal, Ct);
        var d = gate.EnterAsync(SubmissionPriority.Normal, Ct);
        Assert.False(d.IsCompleted);
    }

    [Fact]
    public async Task EnterAsync_ManyConcurrentCallers_NeverAboveCapacity()
    {
        const int capacity = 3;
        var gate = new PriorityGate(capacity);
        var inside = 0;
        var peak = 0;

        async Task WorkAsync(int i)
        {
            using (await gate.EnterAsync(i % 2 == 0 ? SubmissionPriority.High : SubmissionPriority.Normal, Ct))
            {
                var now = Interlocked.Increment(ref inside);
                for (var max = Volatile.Read(ref peak); now > max; max = Volatile.Read(ref peak))
                {
                    Interlocked.CompareExchange(ref peak, now, max);
                }

                await Task.Yield();
                Interlocked.Decrement(ref inside);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => WorkAsync(i), Ct))).WaitAsync(Guard, Ct);

        Assert.InRange(peak, 1, capacity);
        Assert.Equal(0, gate.Busy);
    }
}
