using Rce.Sandbox.Slots;

namespace Rce.Sandbox.Tests.Unit;

/// <summary>The machine-wide slot pool: exclusive across pools (processes), journal swept on reuse.</summary>
public sealed class SlotPoolTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("slots-");

    [Fact]
    public async Task TwoPools_OnOneDirectory_NeverHandOutTheSameSlot()
    {
        // Two pools stand for two processes: the flock is per open file, so they exclude each other.
        using var a = new SlotPool(_dir.FullName, 2, 70000, _ => { }, TimeProvider.System);
        using var b = new SlotPool(_dir.FullName, 2, 70000, _ => { }, TimeProvider.System);
        using var first = await a.AcquireAsync(TestContext.Current.CancellationToken);
        using var second = await b.AcquireAsync(TestContext.Current.CancellationToken);
        Assert.NotEqual(first.Uid, second.Uid);

        var third = b.AcquireAsync(TestContext.Current.CancellationToken);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.False(third.IsCompleted, "all slots are held: the third claim must wait");
        first.Dispose();
        using var got = await third.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(first.Uid, got.Uid);
    }

    [Fact]
    public async Task Journal_LeftByADeadOwner_IsSweptByTheNextClaimant()
    {
        var swept = new List<string>();
        using (var dead = new SlotPool(_dir.FullName, 1, 70000, _ => { }, TimeProvider.System))
        {
            var lease = await dead.AcquireAsync(TestContext.Current.CancellationToken);
            lease.Journal(["box /run/x", "cg /sys/fs/cgroup/pids/rce/0-x"]);

            // The owner "dies": its descriptor closes without clearing the journal.
            typeof(SlotLease).GetField("_lock", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                .GetValue(lease).As<FileStream>().Dispose();
        }

        using var next = new SlotPool(_dir.FullName, 1, 70000, swept.AddRange, TimeProvider.System);
        using var claimed = await next.AcquireAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["box /run/x", "cg /sys/fs/cgroup/pids/rce/0-x"], swept);
        Assert.Equal(0, new FileInfo(Path.Combine(_dir.FullName, "0.lock")).Length);
    }

    [Fact]
    public async Task CleanRelease_LeavesNothingToSweep()
    {
        var swept = 0;
        using var pool = new SlotPool(_dir.FullName, 1, 70000, _ => swept++, TimeProvider.System);
        using (var lease = await pool.AcquireAsync(TestContext.Current.CancellationToken))
        {
            lease.Journal(["box /run/y"]);
            lease.ClearJournal();
        }

        using var again = await pool.AcquireAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, swept);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}

internal static class ObjectExtensions
{
    public static T As<T>(this object? value) => (T)value!;
}
