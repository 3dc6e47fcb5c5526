using System.Text;
using Rce.Core.Limits;
using Rce.Core.Verdicts;
using Rce.Sandbox.Boxes;
using Rce.Sandbox.Caching;
using Rce.Sandbox.Execution;
using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Caching;

/// <summary>The cache around the real compiler: a cached artefact runs in a box like a fresh one.</summary>
public sealed class CompileCacheSandboxTests(SandboxFixture fixture) : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("compile-cache-");

    [Fact]
    public async Task GetOrCompile_CHelloTwice_SecondIsAHitAndItsArtefactRuns()
    {
        var language = fixture.Language("c");
        var executor = fixture.Executor;

        // The artefact directory is bind-mounted into boxes: the cache's ancestors must be traversable.
        _root.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        var cache = new CompileCache(Path.Combine(_root.FullName, "cache"), 64L << 20, TimeProvider.System);
        var program = new ProgramSource([new BoxFile("main.c", Encoding.UTF8.GetBytes("#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n"))], "main.c");
        var limits = ResourceLimits.CompileDefaults;
        var key = CompileCacheKey.Compute(language, "test-toolchain", [], limits, program.Files, program.MainFile);
        Task<CompileOutcome> Compile(string dir, CancellationToken ct) => executor.CompileAsync(language, program, [], limits, dir, ct);

        using (var first = await cache.GetOrCompileAsync(key, Compile, TestContext.Current.CancellationToken))
        {
            Assert.True(first.Outcome.Verdict == Verdict.Accepted, Encoding.UTF8.GetString(first.Outcome.Report.Stderr.Span) + first.Outcome.Report.FailureDetail);
            Assert.False(first.Hit);
        }

        using var second = await cache.GetOrCompileAsync(key, (_, _) => throw new InvalidOperationException("must not compile again"), TestContext.Current.CancellationToken);
        Assert.True(second.Hit);
        var run = await executor.RunAsync(language, program, second.ArtifactDirectory, ReadOnlyMemory<byte>.Empty, [], ResourceLimits.RunDefaults, TestContext.Current.CancellationToken);
        Assert.True(run.Verdict == Verdict.Accepted, $"{run.Verdict} {run.Report.FailureDetail} {Encoding.UTF8.GetString(run.Report.Stderr.Span)}");
        Assert.Equal("hello\n", Encoding.UTF8.GetString(run.Report.Stdout.Span));
    }

    public void Dispose() => _root.Delete(recursive: true);
}
