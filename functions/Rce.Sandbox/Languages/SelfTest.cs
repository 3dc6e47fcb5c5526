using System.Text;
using Rce.Core.Limits;
using Rce.Core.Verdicts;
using Rce.Sandbox.Boxes;
using Rce.Sandbox.Execution;

namespace Rce.Sandbox.Languages;

/// <summary>The outcome of a language's self-test.</summary>
/// <param name="LanguageId">Language id.</param>
/// <param name="Passed">Whether it compiled, ran and echoed its input inside the box.</param>
/// <param name="Version">The toolchain version as printed inside the box.</param>
/// <param name="Detail">Why it failed, when it did.</param>
public sealed record SelfTestResult(string LanguageId, bool Passed, string? Version, string? Detail);

/// <summary>Every language proves itself inside the box: version, compile, run, echo.</summary>
public static class SelfTest
{
    private const string Probe = "rce-self-test 42";

    /// <summary>Runs the self-test of one language.</summary>
    public static async Task<SelfTestResult> RunAsync(ProgramExecutor executor, LanguageDefinition language, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(language);
        var version = await VersionAsync(executor, language, cancellationToken).ConfigureAwait(false);
        var file = language.SelfTestFileName ?? language.DefaultFileName;
        var source = new ProgramSource([new BoxFile(file, Encoding.UTF8.GetBytes(language.SelfTestSource))], file);
        string? artifact = null;
        try
        {
            if (language.IsCompiled)
            {
                artifact = executor.CreateArtifactDirectory();
                var compile = await executor.CompileAsync(language, source, [], ResourceLimits.CompileDefaults with { CpuTime = TimeSpan.FromSeconds(20), WallTime = TimeSpan.FromSeconds(60) }, artifact, cancellationToken).ConfigureAwait(false);
                if (!compile.Succeeded)
                {
                    return new SelfTestResult(language.Id, false, version, $"compile {compile.Verdict.ToCode()}: {Text(compile.Report.Stderr)} {compile.Report.FailureDetail}".Trim());
                }
            }

            var run = await executor.RunAsync(language, source, artifact, Encoding.UTF8.GetBytes(Probe + "\n"), [], ResourceLimits.RunDefaults with { CpuTime = TimeSpan.FromSeconds(5), WallTime = TimeSpan.FromSeconds(20) }, cancellationToken).ConfigureAwait(false);
            var output = Text(run.Report.Stdout).Trim();
            return run.Verdict == Verdict.Accepted && output == Probe
                ? new SelfTestResult(language.Id, true, version, null)
                : new SelfTestResult(language.Id, false, version, $"run {run.Verdict.ToCode()}: {Text(run.Report.Stderr)} {run.Report.FailureDetail}".Trim());
        }
        finally
        {
            if (artifact is not null)
            {
                ProgramExecutor.DeleteArtifactDirectory(artifact);
            }
        }
    }

    private static async Task<string?> VersionAsync(ProgramExecutor executor, LanguageDefinition language, CancellationToken cancellationToken)
    {
        var versionProgram = language with { Run = _ => language.VersionCommand };
        var run = await executor.RunAsync(versionProgram, new ProgramSource([], language.DefaultFileName), null, ReadOnlyMemory<byte>.Empty, [], ResourceLimits.RunDefaults with { CpuTime = TimeSpan.FromSeconds(5), WallTime = TimeSpan.FromSeconds(20), MemoryBytes = 512L << 20 }, cancellationToken).ConfigureAwait(false);
        var lines = (Text(run.Report.Stdout) + "\n" + Text(run.Report.Stderr)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return language.VersionLineContains is { } filter
            ? lines.FirstOrDefault(l => l.Contains(filter, StringComparison.Ordinal))?.Split('[')[0].Trim()
            : lines.FirstOrDefault(l => l.Any(char.IsDigit));
    }

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}
