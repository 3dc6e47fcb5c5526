using System.Security.Cryptography;
using System.Text;
using Rce.Core.Execution;
using Rce.Core.Verdicts;
using Rce.Sandbox.Execution;

namespace Rce.Sandbox.Tests.Caching;

/// <summary>A clock that only moves when told to (its timers are the system's, for lock polling).</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>A stand-in compiler: writes an artefact, counts its calls, returns a set outcome.</summary>
internal sealed class FakeCompiler(CompileOutcome outcome, int artifactBytes = 1000, TimeSpan delay = default)
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public string? LastArtifactDirectory { get; private set; }

    public async Task<CompileOutcome> CompileAsync(string artifactDir, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        LastArtifactDirectory = artifactDir;
        Assert.True(Directory.Exists(artifactDir), "the artefact directory exists before the compile");
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }

        await File.WriteAllBytesAsync(Path.Combine(artifactDir, "prog"), new byte[artifactBytes], cancellationToken);
        return outcome;
    }
}

internal static class CacheTestKit
{
    public static CompileOutcome Outcome(Verdict verdict, StopReason stop = StopReason.None, int? exitCode = 0, string stderr = "") =>
        new(verdict, new ProcessReport
        {
            Stdout = Encoding.UTF8.GetBytes("out"),
            Stderr = Encoding.UTF8.GetBytes(stderr),
            StderrTruncated = stderr.Length > 0,
            ExitCode = exitCode,
            Signal = exitCode is null ? 9 : null,
            StopReason = stop,
            CpuTime = TimeSpan.FromMilliseconds(123.5),
            WallTime = TimeSpan.FromMilliseconds(456),
            MemoryBytes = 7 << 20,
        });

    public static CompileOutcome Accepted { get; } = Outcome(Verdict.Accepted);

    /// <summary>A well-formed key (the cache does not care how it was computed).</summary>
    public static string Key(string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
}
