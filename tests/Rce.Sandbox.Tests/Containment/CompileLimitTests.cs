using System.Text;
using Rce.Core.Limits;
using Rce.Core.Verdicts;
using Rce.Sandbox.Boxes;
using Rce.Sandbox.Execution;
using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Containment;

/// <summary>Compilation has its own limits; a compiler that exceeds them is CE with a compile verdict of TLE/MLE/OLE.</summary>
public sealed class CompileLimitTests(SandboxFixture fixture)
{
    [Fact]
    public async Task Compile_SlowerThanItsCpuLimit_IsCompileTimeLimit()
    {
        // Constant evaluation that would keep the compiler busy for minutes.
        const string source = "constexpr long burn() { long s = 0; for (long i = 0; i < 200000; i++) for (long j = 0; j < 200000; j++) s += i ^ j; return s; }\n" +
            "constexpr long value = burn();\nint main() { return (int)value; }\n";
        var outcome = await CompileAsync("cpp", source, ResourceLimits.CompileDefaults with { CpuTime = TimeSpan.FromMilliseconds(300), WallTime = TimeSpan.FromSeconds(3) });
        Assert.True(outcome.Verdict == Verdict.TimeLimitExceeded, $"{outcome.Verdict} {Encoding.UTF8.GetString(outcome.Report.Stderr.Span)}");
        Assert.False(outcome.Succeeded);
    }

    [Fact]
    public async Task Compile_WithFloodOfDiagnostics_IsCompileOutputLimit()
    {
        var source = new StringBuilder("int main(void){\n");
        for (var i = 0; i < 3000; i++)
        {
            source.Append("undefined_function_").Append(i).Append("(1, 2, 3);\n");
        }

        source.Append("return 0;}\n");
        var outcome = await CompileAsync("c", source.ToString(), ResourceLimits.CompileDefaults);
        Assert.Equal(Verdict.OutputLimitExceeded, outcome.Verdict);
        Assert.True(outcome.Report.Stderr.Length <= ResourceLimits.CompileDefaults.StderrBytes);
    }

    [Fact]
    public async Task Compile_ReadingAnEndlessInclude_IsStoppedByItsLimits()
    {
        var outcome = await CompileAsync("c", "#include \"/dev/zero\"\nint main(void){return 0;}\n", ResourceLimits.CompileDefaults with { MemoryBytes = 128L << 20, CpuTime = TimeSpan.FromSeconds(2), WallTime = TimeSpan.FromSeconds(4) });
        Assert.Contains(outcome.Verdict, new[] { Verdict.MemoryLimitExceeded, Verdict.TimeLimitExceeded, Verdict.CompileError });
        Assert.False(outcome.Succeeded);
    }

    private async Task<CompileOutcome> CompileAsync(string language, string source, ResourceLimits limits)
    {
        var definition = fixture.Language(language);
        var executor = fixture.Executor;
        var artifact = executor.CreateArtifactDirectory();
        try
        {
            var program = new ProgramSource([new BoxFile(definition.DefaultFileName, Encoding.UTF8.GetBytes(source))], definition.DefaultFileName);
            return await executor.CompileAsync(definition, program, [], limits, artifact, TestContext.Current.CancellationToken);
        }
        finally
        {
            ProgramExecutor.DeleteArtifactDirectory(artifact);
        }
    }
}
