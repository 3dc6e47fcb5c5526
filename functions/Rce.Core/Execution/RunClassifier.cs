using Rce.Core.Verdicts;

namespace Rce.Core.Execution;

/// <summary>
/// Turns what a process tree did into a verdict before any output checking: IE, TLE, MLE, OLE,
/// RE or AC (AC meaning "exited 0 within its limits"; a checker may still turn it into WA).
/// </summary>
public static class RunClassifier
{
    private const int SigXcpu = 24;
    private const int SigXfsz = 25;

    /// <summary>Classifies one run.</summary>
    /// <param name="report">The measurements of the run.</param>
    /// <param name="runtimeOutOfMemory">
    /// Whether the language's runtime reported its own out-of-memory on stderr (Java
    /// <c>OutOfMemoryError</c>, Node heap out of memory, .NET <c>OutOfMemoryException</c>).
    /// </param>
    public static Verdict Classify(ProcessReport report, bool runtimeOutOfMemory = false)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.StopReason switch
        {
            StopReason.SandboxFailure => Verdict.InternalError,
            StopReason.WallTime or StopReason.CpuTime => Verdict.TimeLimitExceeded,
            StopReason.Memory => Verdict.MemoryLimitExceeded,
            StopReason.Output => Verdict.OutputLimitExceeded,
            _ => ClassifyExit(report, runtimeOutOfMemory),
        };
    }

    private static Verdict ClassifyExit(ProcessReport report, bool runtimeOutOfMemory)
    {
        if (report.OomKilled)
        {
            return Verdict.MemoryLimitExceeded;
        }

        if (report.Signal == SigXcpu)
        {
            return Verdict.TimeLimitExceeded;
        }

        if (report.Signal == SigXfsz)
        {
            return Verdict.OutputLimitExceeded;
        }

        var failed = report.Signal is not null || report.ExitCode is not 0;
        if (failed && runtimeOutOfMemory)
        {
            return Verdict.MemoryLimitExceeded;
        }

        return failed ? Verdict.RuntimeError : Verdict.Accepted;
    }
}
