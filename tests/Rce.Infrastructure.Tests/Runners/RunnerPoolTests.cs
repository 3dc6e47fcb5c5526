using Microsoft.Extensions.Time.Testing;

namespace Rce.Infrastructure.Tests.Runners;

public sealed class RunnerPoolTests
{
    [Fact]
    public void Select_IdleRunners_GoesRoundRobin()
    {
        using var handler = new FakeRunnerHandler((_, _) => throw new InvalidOperationException());
        var (_, pool) = TestClients.Create(TestClients.Options(5101, 5102, 5103), handler);

        var picked = Enumerable.Range(0, 6).Select(_ => pool.Select([]).BaseUrl.Port).ToList();

        Assert.Equal([5101, 5102, 5103, 5101, 5102, 5103], picked);
    }

    [Fact]
    public void Select_Busy_PicksFewestInFlight()
    {
        using var handler = new FakeRunnerHandler((_, _) => throw new InvalidOperationException());
        var (_, pool) = TestClients.Create(TestClients.Options(5101, 5102, 5103), handler);
        var (a, b, c) = (pool.Endpoints[0], pool.Endpoints[1], pool.Endpoints[2]);
        a.Enter();
        a.Enter();
        b.Enter();

        for (var i = 0; i < 5; i++)
        {
            Assert.Same(c, pool.Select([]));
        }

        c.Enter();
        c.Enter();
        Assert.Same(b, pool.Select([]));
    }

    [Fact]
    public void Select_Tried_PrefersUntriedEvenIfBusier()
    {
        using var handler = new FakeRunnerHandler((_, _) => throw new InvalidOperationException());
        var (_, pool) = TestClients.Create(TestClients.Options(5101, 5102), handler);
        var (a, b) = (pool.Endpoints[0], pool.Endpoints[1]);
        b.Enter();
        b.Enter();

        Assert.Same(b, pool.Select([a]));
        Assert.Same(a, pool.Select([a, b]));
    }

    [Fact]
    public void Select_OpenCircuit_AvoidedUntilBreakElapses()
    {
        var time = new FakeTimeProvider();
        using var handler = new FakeRunnerHandler((_, _) => throw new InvalidOperationException());
        var (_, pool) = TestClients.Create(TestClients.Options(5101, 5102), handler, time);
        var (a, b) = (pool.Endpoints[0], pool.Endpoints[1]);
        a.MarkOpened(time, TimeSpan.FromSeconds(10));

        Assert.All(Enumerable.Range(0, 4), _ => Assert.Same(b, pool.Select([])));
        Assert.False(pool.HasUntriedAvailable([b]));

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Contains(a, Enumerable.Range(0, 4).Select(_ => pool.Select([])));
        Assert.True(pool.HasUntriedAvailable([b]));
    }

    [Fact]
    public void Select_AllOpen_StillPicksOne()
    {
        var time = new FakeTimeProvider();
        using var handler = new FakeRunnerHandler((_, _) => throw new InvalidOperationException());
        var (_, pool) = TestClients.Create(TestClients.Options(5101, 5102), handler, time);
        pool.Endpoints[0].MarkOpened(time, TimeSpan.FromSeconds(10));
        pool.Endpoints[1].MarkOpened(time, TimeSpan.FromSeconds(10));

        Assert.NotNull(pool.Select([]));
    }
}
