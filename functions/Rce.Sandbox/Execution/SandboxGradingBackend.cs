using System.Text;
using Rce.Core.Execution;
using Rce.Core.Grading;
using Rce.Core.Limits;
using Rce.Core.Verdicts;
using Rce.Sandbox.Boxes;
using Rce.Sandbox.Caching;

namespace Rce.Sandbox.Execution;

/// <summary>
/// The grader's backend over the sandbox: compiles once (through the compile cache when given),
/// runs each test in a fresh box with the artefact read-only at <c>/out</c>, and runs a custom
/// checker, itself compiled once and sandboxed, as <c>checker INPUT OUTPUT ANSWER</c>.
/// </summary>
public sealed class SandboxGradingBackend(ProgramExecutor executor, GradingJob job, CompileCache? cache = null, Func<string, string?>? toolchainVersion = null) : IGradingBackend, IDisposable
{
    private static readonly ResourceLimits CheckerLimits = ResourceLimits.RunDefaults with
    {
        CpuTime = TimeSpan.FromSeconds(5),
        WallTime = TimeSpan.FromSeconds(15),
        MemoryBytes = 512L << 20,
        StdoutBytes = 64L << 10,
        StderrBytes = 64L << 10,
    };

    private readonly List<IDisposable> _owned = [];
    private readonly SemaphoreSlim _checkerGate = new(1, 1);
    private string? _artifact;
    private (CompileStep Step, string? Artifact)? _checker;

    /// <inheritdoc/>
    public async Task<CompileStep> CompileAsync(CancellationToken cancellationToken = default)
    {
        if (!job.Language.IsCompiled)
        {
            return new CompileStep(Verdict.Accepted, null);
        }

        var (step, artifact) = await CompileProgramAsync(job.Language, job.Program, job.CompilerOptions, cancellationToken).ConfigureAwait(false);
        _artifact = artifact;
        return step;
    }

    /// <inheritdoc/>
    public async Task<(Verdict Verdict, ProcessReport Report)> RunAsync(TestCase test, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(test);
        var run = await executor.RunAsync(job.Language, job.Program, _artifact, test.Input, job.Args, job.RunLimits, cancellationToken).ConfigureAwait(false);
        return (run.Verdict, run.Report);
    }

    /// <inheritdoc/>
    public async Task<CheckResult> CheckCustomAsync(TestCase test, ReadOnlyMemory<byte> output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(test);
        if (job.CheckerLanguage is null || job.CheckerSource is null)
        {
            return new CheckResult(Verdict.InternalError, 0, "no custom checker was given");
        }

        var (step, artifact) = await CheckerAsync(cancellationToken).ConfigureAwait(false);
        if (!step.Succeeded)
        {
            var why = step.Report is null ? string.Empty : Encoding.UTF8.GetString(step.Report.Stderr.Span);
            return new CheckResult(Verdict.InternalError, 0, $"the checker did not compile ({step.Verdict.ToCode()}): {Truncate(why)}");
        }

        var language = job.CheckerLanguage;
        var checkerFile = CheckerFileName(language);
        var source = new ProgramSource(
        [
            new BoxFile(checkerFile, Encoding.UTF8.GetBytes(job.CheckerSource)),
            new BoxFile("input.txt", test.Input),
            new BoxFile("output.txt", output),
            new BoxFile("answer.txt", test.ExpectedOutput ?? ReadOnlyMemory<byte>.Empty),
        ], checkerFile);
        var run = await executor.RunAsync(language, source, artifact, ReadOnlyMemory<byte>.Empty, ["input.txt", "output.txt", "answer.txt"], CheckerLimits, cancellationToken).ConfigureAwait(false);
        var report = run.Report;
        var crashed = report.Signal is not null || report.StopReason != StopReason.None;
        return TestlibResult.Map(
            crashed ? null : report.ExitCode,
            crashed,
            Encoding.UTF8.GetString(report.Stdout.Span),
            Encoding.UTF8.GetString(report.Stderr.Span),
            test.Points);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _checkerGate.Dispose();
    }

    private async Task<(CompileStep Step, string? Artifact)> CheckerAsync(CancellationToken cancellationToken)
    {
        await _checkerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_checker is null)
            {
                var language = job.CheckerLanguage!;
                var file = CheckerFileName(language);
                _checker = language.IsCompiled
                    ? await CompileProgramAsync(language, new ProgramSource([new BoxFile(file, Encoding.UTF8.GetBytes(job.CheckerSource!))], file), [], cancellationToken).ConfigureAwait(false)
                    : (new CompileStep(Verdict.Accepted, null), null);
            }

            return _checker.Value;
        }
        finally
        {
            _checkerGate.Release();
        }
    }

    private async Task<(CompileStep Step, string? Artifact)> CompileProgramAsync(Languages.LanguageDefinition language, ProgramSource program, IReadOnlyList<string> options, CancellationToken cancellationToken)
    {
        if (cache is null)
        {
            var dir = executor.CreateArtifactDirectory();
            _owned.Add(new DirectoryOwner(dir));
            var outcome = await executor.CompileAsync(language, program, options, job.CompileLimits, dir, cancellationToken).ConfigureAwait(false);
            return (new CompileStep(outcome.Verdict, outcome.Report), outcome.Succeeded ? dir : null);
        }

        var key = CompileCacheKey.Compute(language, toolchainVersion?.Invoke(language.Id) ?? "unknown", options, job.CompileLimits, program.Files, program.MainFile);
        var lease = await cache.GetOrCompileAsync(
            key,
            (dir, ct) => executor.CompileAsync(language, program, options, job.CompileLimits, dir, ct),
            cancellationToken).ConfigureAwait(false);
        _owned.Add(lease);
        return (new CompileStep(lease.Outcome.Verdict, lease.Outcome.Report, lease.Hit), lease.Outcome.Succeeded ? lease.ArtifactDirectory : null);
    }

    private static string CheckerFileName(Languages.LanguageDefinition language) =>
        language.Id == "java" ? "Checker.java" : "checker" + language.Extensions[0];

    private static string Truncate(string text) => text.Length > 2000 ? text[..2000] : text;

    private sealed class DirectoryOwner(string dir) : IDisposable
    {
        public void Dispose() => ProgramExecutor.DeleteArtifactDirectory(dir);
    }
}
