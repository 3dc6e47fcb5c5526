using System.Text;
using Rce.Core.Limits;
using Rce.Core.Verdicts;
using Rce.Sandbox.Boxes;
using Rce.Sandbox.Execution;
using Rce.Sandbox.Languages;
using Rce.Testing;

[assembly: AssemblyFixture(typeof(Rce.Sandbox.Tests.Support.SandboxFixture))]

namespace Rce.Sandbox.Tests.Support;

/// <summary>One real sandbox for the whole assembly (the slot pool is machine-wide anyway).</summary>
public sealed class SandboxFixture : IDisposable
{
    private readonly Sandbox? _sandbox;
    private readonly string? _problem;

    public SandboxFixture()
    {
        Catalog = LanguageCatalog.Detect();
        if (Environment.UserName != "root")
        {
            _problem = "the sandbox needs root (cgroups, mounts, slot uids)";
            return;
        }

        try
        {
            // Tests use their own state root, uid range and cgroup name: a developer's concurrent
            // `rce run` (or a runner) cannot disturb the leftover checks, nor the reverse.
            _sandbox = Sandbox.Create(Options);
        }
        catch (SandboxUnavailableException ex)
        {
            _problem = ex.Message;
        }
    }

    public static SandboxOptions Options { get; } = new()
    {
        StateRoot = "/run/rce-tests",
        UidBase = 61000,
        UidCount = 64,
        CgroupName = "rce-tests",
    };

    public LanguageCatalog Catalog { get; }

    /// <summary>The sandbox; skips (fails under CI) when the host cannot build it.</summary>
    public Sandbox Sandbox
    {
        get
        {
            Requires.That(_sandbox is not null, _problem ?? "sandbox unavailable");
            return _sandbox!;
        }
    }

    /// <summary>An executor over the sandbox.</summary>
    public ProgramExecutor Executor => new(Sandbox);

    /// <summary>A language from the catalog; skips (fails under CI) when its toolchain is missing.</summary>
    public LanguageDefinition Language(string id)
    {
        var language = Catalog.Find(id);
        Requires.That(language is not null, $"language {id} unavailable: {Catalog.Missing.GetValueOrDefault(id, "unknown id")}");
        return language!;
    }

    /// <summary>Compiles (if needed) and runs one source; the overall verdict is CE when compilation fails.</summary>
    public async Task<ProgramResult> RunAsync(string languageId, string source, string? stdin = null, ResourceLimits? limits = null, string? fileName = null, CancellationToken cancellationToken = default)
    {
        var language = Language(languageId);
        var executor = Executor;
        var name = fileName ?? language.DefaultFileName;
        var program = new ProgramSource([new BoxFile(name, Encoding.UTF8.GetBytes(source))], name);
        string? artifact = null;
        try
        {
            CompileOutcome? compile = null;
            if (language.IsCompiled)
            {
                artifact = executor.CreateArtifactDirectory();
                compile = await executor.CompileAsync(language, program, [], ResourceLimits.CompileDefaults, artifact, cancellationToken);
                if (!compile.Succeeded)
                {
                    return new ProgramResult(Verdict.CompileError, compile, null);
                }
            }

            var run = await executor.RunAsync(language, program, artifact, Encoding.UTF8.GetBytes(stdin ?? string.Empty), [], limits ?? ResourceLimits.RunDefaults, cancellationToken);
            return new ProgramResult(run.Verdict, compile, run);
        }
        finally
        {
            if (artifact is not null)
            {
                ProgramExecutor.DeleteArtifactDirectory(artifact);
            }
        }
    }

    public void Dispose() => _sandbox?.Dispose();
}

/// <summary>Outcome of <see cref="SandboxFixture.RunAsync"/>.</summary>
public sealed record ProgramResult(Verdict Verdict, CompileOutcome? Compile, RunOutcome? Run)
{
    public string Stdout => Run is null ? string.Empty : Encoding.UTF8.GetString(Run.Report.Stdout.Span);

    public string Stderr => Run is null ? string.Empty : Encoding.UTF8.GetString(Run.Report.Stderr.Span);

    public override string ToString()
    {
        var compileErrors = Compile is null ? string.Empty : Encoding.UTF8.GetString(Compile.Report.Stderr.Span);
        return $"{Verdict} exit={Run?.Report.ExitCode} signal={Run?.Report.Signal} stop={Run?.Report.StopReason} wall={Run?.Report.WallTime.TotalMilliseconds}ms " +
            $"stderr={Cut(Stderr)} compile={Compile?.Verdict} {Cut(compileErrors)} detail={Run?.Report.FailureDetail ?? Compile?.Report.FailureDetail}";
    }

    private static string Cut(string text) => text[..Math.Min(text.Length, 400)];
}
