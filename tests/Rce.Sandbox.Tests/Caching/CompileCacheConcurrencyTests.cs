using Rce.Sandbox.Caching;

namespace Rce.Sandbox.Tests.Caching;

/// <summary>Single flight: one compile per key however many callers, in one process or several.</summary>
public sealed class CompileCacheConcurrencyTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("compile-cache-");
    private readonly FakeCompiler _compiler = new(CacheTestKit.Accepted, delay: TimeSpan.FromMilliseconds(300));

    [Fact]
    public async Task GetOrCompile_ConcurrentIdenticalCalls_CompileOnce()
    {
        var cache = new CompileCache(_root.FullName, long.MaxValue, TimeProvider.System);
        var leases = await GetAllAsync(Enumerable.Repeat(cache, 8));
        Assert.Equal(1, _compiler.Calls);
        Assert.Single(leases, l => !l.Hit);
        AssertAllUsable(leases);
    }

    [Fact]
    public async Task GetOrCompile_TwoCachesOnOneRoot_CompileOnce()
    {
        // Two instances stand for two processes: the locks are flocks on files, per open file.
        var first = new CompileCache(_root.FullName, long.MaxValue, TimeProvider.System);
        var second = new CompileCache(_root.FullName, long.MaxValue, TimeProvider.System);
        var leases = await GetAllAsync([first, second, first, second, first, second]);
        Assert.Equal(1, _compiler.Calls);
        Assert.Single(leases, l => !l.Hit);
        AssertAllUsable(leases);
    }

    public void Dispose() => _root.Delete(recursive: true);

    private async Task<CompileLease[]> GetAllAsync(IEnumerable<CompileCache> caches)
    {
        var key = CacheTestKit.Key("shared");
        using var start = new ManualResetEventSlim();
        var calls = caches.Select(c => Task.Run(() =>
        {
            start.Wait(TestContext.Current.CancellationToken);
            return c.GetOrCompileAsync(key, _compiler.CompileAsync, TestContext.Current.CancellationToken);
        })).ToList();
        start.Set();
        return await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    private static void AssertAllUsable(CompileLease[] leases)
    {
        Assert.All(leases, l => Assert.True(l.Cached));
        Assert.Single(leases.Select(l => l.ArtifactDirectory).Distinct());
        Assert.True(File.Exists(Path.Combine(leases[0].ArtifactDirectory!, "prog")));
        foreach (var lease in leases)
        {
            lease.Dispose();
        }
    }
}
