using Rce.Core.Execution;
using Rce.Core.Verdicts;

namespace Rce.Core.Tests.Execution;

public sealed class RunClassifierTests
{
    private static ProcessReport Report(int? exit = 0, int? signal = null, StopReason stop = StopReason.None, bool oom = false) => new()
    {
        Stdout = ReadOnlyMemory<byte>.Empty,
        Stderr = ReadOnlyMemory<byte>.Empty,
        ExitCode = exit,
        Signal = signal,
        StopReason = stop,
        OomKilled = oom,
    };

    [Fact]
    public void Classify_CleanExit_IsAccepted() => Assert.Equal(Verdict.Accepted, RunClassifier.Classify(Report()));

    [Fact]
    public void Classify_NonZeroExit_IsRuntimeError() => Assert.Equal(Verdict.RuntimeError, RunClassifier.Classify(Report(exit: 1)));

    [Fact]
    public void Classify_Signal_IsRuntimeError() => Assert.Equal(Verdict.RuntimeError, RunClassifier.Classify(Report(exit: null, signal: 11)));

    [Theory]
    [InlineData(StopReason.WallTime, Verdict.TimeLimitExceeded)]
    [InlineData(StopReason.CpuTime, Verdict.TimeLimitExceeded)]
    [InlineData(StopReason.Memory, Verdict.MemoryLimitExceeded)]
    [InlineData(StopReason.Output, Verdict.OutputLimitExceeded)]
    [InlineData(StopReason.SandboxFailure, Verdict.InternalError)]
    [InlineData(StopReason.DeniedSyscall, Verdict.RuntimeError)]
    public void Classify_StopReason_Decides(StopReason stop, Verdict expected) =>
        Assert.Equal(expected, RunClassifier.Classify(Report(exit: null, signal: 9, stop: stop)));

    [Fact]
    public void Classify_OomKilled_IsMemoryLimitExceeded() =>
        Assert.Equal(Verdict.MemoryLimitExceeded, RunClassifier.Classify(Report(exit: null, signal: 9, oom: true)));

    [Fact]
    public void Classify_SigXcpu_IsTimeLimitExceeded() =>
        Assert.Equal(Verdict.TimeLimitExceeded, RunClassifier.Classify(Report(exit: null, signal: 24)));

    [Fact]
    public void Classify_SigXfsz_IsOutputLimitExceeded() =>
        Assert.Equal(Verdict.OutputLimitExceeded, RunClassifier.Classify(Report(exit: null, signal: 25)));

    [Fact]
    public void Classify_RuntimeOutOfMemoryWithFailure_IsMemoryLimitExceeded() =>
        Assert.Equal(Verdict.MemoryLimitExceeded, RunClassifier.Classify(Report(exit: 1), runtimeOutOfMemory: true));

    [Fact]
    public void Classify_RuntimeOutOfMemoryMarkerButCleanExit_IsAccepted() =>
        Assert.Equal(Verdict.Accepted, RunClassifier.Classify(Report(exit: 0), runtimeOutOfMemory: true));
}
