using Rce.Sandbox.Caching;

namespace Rce.Sandbox.Tests.Caching;

/// <summary>The size bound: least recently used entries go first, entries in use never.</summary>
public sealed class CompileCacheEvictionTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("compile-cache-");
    private readonly ManualClock _clock = new();
    private readonly FakeCompiler _compiler = new(CacheTestKit.Accepted);

    [Fact]
    public async Task Publish_OverTheBound_EvictsTheLeastRecentlyUsed()
    {
        var cache = await BoundedCacheAsync(entries: 2.5);
        await UseAsync(cache, "a");
        await UseAsync(cache, "b");
        await UseAsync(cache, "a");
        Assert.Equal(2, cache.Measure().Entries);

        await UseAsync(cache, "c");

        Assert.Equal(2, cache.Measure().Entries);
        Assert.True(Published("a"), "compiled first, but used since");
        Assert.True(Published("c"), "just compiled");
        Assert.False(Published("b"), "least recently used");
        Assert.Equal(3, _compiler.Calls);
        Assert.False(File.Exists(Path.Combine(_root.FullName, "entries", CacheTestKit.Key("b") + ".inuse")), "an evicted entry leaves no lock file");
    }

    [Fact]
    public async Task Publish_OverTheBound_NeverEvictsAnEntryInUse()
    {
        var cache = await BoundedCacheAsync(entries: 1.5);
        using var held = await cache.GetOrCompileAsync(CacheTestKit.Key("a"), _compiler.CompileAsync, TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await UseAsync(cache, "b");
        Assert.True(Published("a"), "in use, although least recently used");

        await UseAsync(cache, "c");

        Assert.True(Published("a"), "still in use");
        Assert.False(Published("b"), "not in use: evicted instead");
        Assert.True(File.Exists(Path.Combine(held.ArtifactDirectory!, "prog")));

        held.Dispose();
        await UseAsync(cache, "d");
        Assert.False(Published("a"), "evictable once released");
    }

    public void Dispose() => _root.Delete(recursive: true);

    /// <summary>A cache whose bound holds <paramref name="entries"/> entries of the fake compiler's size.</summary>
    private async Task<CompileCache> BoundedCacheAsync(double entries)
    {
        var probe = Directory.CreateTempSubdirectory("compile-cache-probe-");
        try
        {
            var unbounded = new CompileCache(probe.FullName, long.MaxValue, _clock);
            using (await unbounded.GetOrCompileAsync(CacheTestKit.Key("probe"), new FakeCompiler(CacheTestKit.Accepted).CompileAsync, TestContext.Current.CancellationToken))
            {
            }

            return new CompileCache(_root.FullName, (long)(unbounded.Measure().TotalBytes * entries), _clock);
        }
        finally
        {
            probe.Delete(recursive: true);
        }
    }

    /// <summary>Gets (compiling if needed) and releases an entry, one clock minute after the last use.</summary>
    private async Task UseAsync(CompileCache cache, string name)
    {
        _clock.Advance(TimeSpan.FromMinutes(1));
        using var lease = await cache.GetOrCompileAsync(CacheTestKit.Key(name), _compiler.CompileAsync, TestContext.Current.CancellationToken);
    }

    private bool Published(string name) => Directory.Exists(Path.Combine(_root.FullName, "entries", CacheTestKit.Key(name)));
}
