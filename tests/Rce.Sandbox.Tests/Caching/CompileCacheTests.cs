using Rce.Core.Execution;
using Rce.Core.Verdicts;
using Rce.Sandbox.Caching;

namespace Rce.Sandbox.Tests.Caching;

/// <summary>Hits, misses, and which outcomes are worth keeping.</summary>
public sealed class CompileCacheTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("compile-cache-");
    private readonly CompileCache _cache;

    public CompileCacheTests() => _cache = new CompileCache(_root.FullName, long.MaxValue, new ManualClock());

    [Fact]
    public async Task GetOrCompile_SecondCall_IsAHitWithTheStoredOutcomeAndArtefact()
    {
        var compiler = new FakeCompiler(CacheTestKit.Outcome(Verdict.Accepted, stderr: "warning: unused"));
        var key = CacheTestKit.Key("hello");
        using (var first = await _cache.GetOrCompileAsync(key, compiler.CompileAsync, TestContext.Current.CancellationToken))
        {
            Assert.False(first.Hit);
            Assert.True(first.Cached);
        }

        using var second = await _cache.GetOrCompileAsync(key, compiler.CompileAsync, TestContext.Current.CancellationToken);
        Assert.True(second.Hit);
        Assert.Equal(1, compiler.Calls);
        Assert.True(File.Exists(Path.Combine(second.ArtifactDirectory!, "prog")));

        var expected = CacheTestKit.Outcome(Verdict.Accepted, stderr: "warning: unused");
        var got = second.Outcome;
        Assert.Equal(expected.Verdict, got.Verdict);
        Assert.Equal(expected.Report.Stdout.ToArray(), got.Report.Stdout.ToArray());
        Assert.Equal(expected.Report.Stderr.ToArray(), got.Report.Stderr.ToArray());
        Assert.Equal(expected.Report with { Stdout = default, Stderr = default }, got.Report with { Stdout = default, Stderr = default });
        Assert.Equal(new CompileCacheStats(1, 1000 + new FileInfo(Path.Combine(_root.FullName, "entries", key, "outcome.json")).Length), _cache.Measure());
    }

    [Theory]
    [InlineData(Verdict.TimeLimitExceeded, StopReason.CpuTime)]
    [InlineData(Verdict.TimeLimitExceeded, StopReason.WallTime)]
    [InlineData(Verdict.MemoryLimitExceeded, StopReason.Memory)]
    [InlineData(Verdict.OutputLimitExceeded, StopReason.Output)]
    [InlineData(Verdict.CompileError, StopReason.ProcessLimit)]
    [InlineData(Verdict.CompileError, StopReason.DeniedSyscall)]
    [InlineData(Verdict.InternalError, StopReason.SandboxFailure)]
    public async Task GetOrCompile_LimitHitOrInternalError_IsNotCachedAndItsArtefactIsDeleted(Verdict verdict, StopReason stop)
    {
        var compiler = new FakeCompiler(CacheTestKit.Outcome(verdict, stop, exitCode: null));
        var key = CacheTestKit.Key("limited");
        for (var i = 1; i <= 2; i++)
        {
            using (var lease = await _cache.GetOrCompileAsync(key, compiler.CompileAsync, TestContext.Current.CancellationToken))
            {
                Assert.False(lease.Hit);
                Assert.False(lease.Cached);
                Assert.Equal(verdict, lease.Outcome.Verdict);
                Assert.Null(lease.ArtifactDirectory);
            }

            Assert.Equal(i, compiler.Calls);
            Assert.False(Directory.Exists(compiler.LastArtifactDirectory), "the uncached artefact is deleted on dispose");
        }

        Assert.Equal(new CompileCacheStats(0, 0), _cache.Measure());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_root.FullName, "tmp")));
    }

    [Fact]
    public async Task GetOrCompile_CompilerRefusedTheCode_IsCached()
    {
        var compiler = new FakeCompiler(CacheTestKit.Outcome(Verdict.CompileError, exitCode: 1, stderr: "main.c:1: error"));
        var key = CacheTestKit.Key("broken");
        using (var first = await _cache.GetOrCompileAsync(key, compiler.CompileAsync, TestContext.Current.CancellationToken))
        {
            Assert.True(first.Cached);
            Assert.Null(first.ArtifactDirectory);
        }

        using var second = await _cache.GetOrCompileAsync(key, compiler.CompileAsync, TestContext.Current.CancellationToken);
        Assert.True(second.Hit);
        Assert.Equal(1, compiler.Calls);
        Assert.Equal(Verdict.CompileError, second.Outcome.Verdict);
        Assert.Equal("main.c:1: error"u8.ToArray(), second.Outcome.Report.Stderr.ToArray());
        Assert.True(second.Outcome.Report.StderrTruncated);
    }

    [Fact]
    public async Task GetOrCompile_CompileThrows_LeavesNothingAndTheNextCallCompiles()
    {
        var key = CacheTestKit.Key("throws");
        await Assert.ThrowsAsync<InvalidOperationException>(() => _cache.GetOrCompileAsync(key, (_, _) => throw new InvalidOperationException("boom"), TestContext.Current.CancellationToken));

        var compiler = new FakeCompiler(CacheTestKit.Accepted);
        using var lease = await _cache.GetOrCompileAsync(key, compiler.CompileAsync, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(1, compiler.Calls);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_root.FullName, "tmp")));
    }

    [Fact]
    public async Task GetOrCompile_AfterUse_LeavesNoLockFiles()
    {
        var compiler = new FakeCompiler(CacheTestKit.Accepted);
        using (await _cache.GetOrCompileAsync(CacheTestKit.Key("a"), compiler.CompileAsync, TestContext.Current.CancellationToken))
        {
        }

        using (await _cache.GetOrCompileAsync(CacheTestKit.Key("tle"), new FakeCompiler(CacheTestKit.Outcome(Verdict.TimeLimitExceeded, StopReason.CpuTime)).CompileAsync, TestContext.Current.CancellationToken))
        {
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(_root.FullName, "locks")));
        Assert.Equal([CacheTestKit.Key("a") + ".inuse"], Directory.GetFiles(Path.Combine(_root.FullName, "entries")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("abc")]
    public async Task GetOrCompile_MalformedKey_IsRefused(string key) =>
        await Assert.ThrowsAsync<ArgumentException>(() => _cache.GetOrCompileAsync(key, new FakeCompiler(CacheTestKit.Accepted).CompileAsync, TestContext.Current.CancellationToken));

    public void Dispose() => _root.Delete(recursive: true);
}
