using Rce.Core.Limits;
using Rce.Core.Verdicts;
using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Golden;

/// <summary>Limits and assertions shared by the per-language golden suites.</summary>
internal static class Golden
{
    /// <summary>Stdin of every echo case: two numbers on two lines; programs print their sum.</summary>
    public const string SumInput = "2\n40\n";

    /// <summary>Expected stdout of the echo case.</summary>
    public const string SumOutput = "42\n";

    public static readonly TimeSpan CpuLimit = TimeSpan.FromMilliseconds(500);

    /// <summary>Small CPU budget for the TLE cases.</summary>
    public static ResourceLimits Tle { get; } = ResourceLimits.RunDefaults with { CpuTime = CpuLimit };

    /// <summary>64 MiB for the MLE cases.</summary>
    public static ResourceLimits Mle { get; } = ResourceLimits.RunDefaults with { MemoryBytes = 64L << 20 };

    /// <summary>1 MiB of stdout for the OLE cases.</summary>
    public static ResourceLimits Ole { get; } = ResourceLimits.RunDefaults with { StdoutBytes = 1 << 20 };

    /// <summary>Runs <paramref name="source"/> under the default limits unless given.</summary>
    public static Task<ProgramResult> Run(this SandboxFixture fixture, string language, string source, string? stdin = null, ResourceLimits? limits = null, string? fileName = null) =>
        fixture.RunAsync(language, source, stdin, limits, fileName, TestContext.Current.CancellationToken);

    /// <summary>Accepted, with exactly <paramref name="stdout"/>.</summary>
    public static void Accepted(ProgramResult result, string stdout)
    {
        Assert.True(result.Verdict == Verdict.Accepted, Describe(result));
        Assert.True(result.Stdout == stdout, $"stdout {Quote(result.Stdout)} != {Quote(stdout)}; {Describe(result)}");
    }

    /// <summary>The compiler refused the program.</summary>
    public static void CompileError(ProgramResult result)
    {
        Assert.True(result.Verdict == Verdict.CompileError, Describe(result));
        Assert.True(result.Compile?.Verdict == Verdict.CompileError, Describe(result));
        Assert.True(result.Run is null, Describe(result));
    }

    /// <summary>A runtime error; <paramref name="exitCode"/> checked when given.</summary>
    public static void RuntimeError(ProgramResult result, int? exitCode = null)
    {
        Assert.True(result.Verdict == Verdict.RuntimeError, Describe(result));
        if (exitCode is not null)
        {
            Assert.True(result.Run!.Report.ExitCode == exitCode, Describe(result));
        }
    }

    /// <summary>TLE under <see cref="Tle"/>, stopped promptly.</summary>
    public static void TimeLimitExceeded(ProgramResult result)
    {
        Assert.True(result.Verdict == Verdict.TimeLimitExceeded, Describe(result));
        Assert.True(result.Run!.Report.WallTime < (CpuLimit * 1.5) + TimeSpan.FromSeconds(2), Describe(result));
    }

    /// <summary>MLE under <see cref="Mle"/>.</summary>
    public static void MemoryLimitExceeded(ProgramResult result) =>
        Assert.True(result.Verdict == Verdict.MemoryLimitExceeded, Describe(result));

    /// <summary>OLE under <see cref="Ole"/>.</summary>
    public static void OutputLimitExceeded(ProgramResult result) =>
        Assert.True(result.Verdict == Verdict.OutputLimitExceeded, Describe(result));

    /// <summary>The result, for assertion messages.</summary>
    public static string Describe(ProgramResult result) => result.ToString();

    private static string Quote(string s) => "\"" + s.Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
