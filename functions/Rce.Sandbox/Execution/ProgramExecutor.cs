using System.Security.Cryptography;
using System.Text;
using Rce.Core.Execution;
using Rce.Core.Limits;
using Rce.Core.Verdicts;
using Rce.Sandbox.Boxes;
using Rce.Sandbox.Languages;

namespace Rce.Sandbox.Execution;

/// <summary>A program: its files (already validated names) and which one is the main file.</summary>
/// <param name="Files">Source and input files placed in <c>/box</c>.</param>
/// <param name="MainFile">Name of the main source file.</param>
public sealed record ProgramSource(IReadOnlyList<BoxFile> Files, string MainFile);

/// <summary>Result of a compile step.</summary>
/// <param name="Verdict">AC when it compiled; CE when the compiler refused; TLE/MLE/OLE when it hit a compile limit; IE for our failures.</param>
/// <param name="Report">The compiler's outputs and measurements.</param>
public sealed record CompileOutcome(Verdict Verdict, ProcessReport Report)
{
    /// <summary>Whether an artefact was produced.</summary>
    public bool Succeeded => Verdict == Verdict.Accepted;
}

/// <summary>Result of one run.</summary>
/// <param name="Verdict">AC (exited 0 within limits), RE, TLE, MLE, OLE or IE.</param>
/// <param name="Report">Outputs and measurements.</param>
public sealed record RunOutcome(Verdict Verdict, ProcessReport Report);

/// <summary>Compiles and runs programs of any catalogued language, every step in a fresh box.</summary>
public sealed class ProgramExecutor(Sandbox sandbox)
{
    /// <summary>Creates an empty host directory for one artefact, under the neutral state root.</summary>
    public string CreateArtifactDirectory()
    {
        var dir = Path.Combine(sandbox.StateRoot, "art", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Deletes an artefact directory made by <see cref="CreateArtifactDirectory"/>.</summary>
    /// <remarks>Safe to delete recursively: it holds only copies made with no-follow reads, never links.</remarks>
    public static void DeleteArtifactDirectory(string dir)
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Compiles <paramref name="source"/> in a fresh box; the artefact lands in <paramref name="artifactDir"/>.</summary>
    public async Task<CompileOutcome> CompileAsync(LanguageDefinition language, ProgramSource source, IReadOnlyList<string> options, ResourceLimits limits, string artifactDir, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(language);
        ArgumentNullException.ThrowIfNull(source);
        if (language.Compile is null)
        {
            throw new InvalidOperationException($"{language.Id} has no compile step");
        }

        limits = language.AdjustCompileLimits(limits);
        var context = Context(source, options, limits);
        var result = await sandbox.RunAsync(new BoxSpec
        {
            Command = language.Compile(context),
            Environment = language.Environment(limits),
            Limits = limits,
            Files = [.. source.Files, .. language.CompileSupportFiles(context)],
            ReadOnlyBinds = language.ReadOnlyBinds,
            CollectOutTo = artifactDir,
        }, cancellationToken).ConfigureAwait(false);

        var report = result.Report;
        var verdict = report.StopReason switch
        {
            StopReason.SandboxFailure => Verdict.InternalError,
            _ when report.ExitCode == 0 && report.StopReason == StopReason.None => Verdict.Accepted,
            _ => RunClassifier.Classify(report) switch
            {
                Verdict.RuntimeError => Verdict.CompileError,
                var v => v,
            },
        };
        return new CompileOutcome(verdict, report);
    }

    /// <summary>Runs a program (its compiled artefact, if any, read-only at <c>/out</c>) in a fresh box.</summary>
    public async Task<RunOutcome> RunAsync(LanguageDefinition language, ProgramSource source, string? artifactDir, ReadOnlyMemory<byte> stdin, IReadOnlyList<string> args, ResourceLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(language);
        ArgumentNullException.ThrowIfNull(source);
        limits = language.AdjustRunLimits(limits);
        var result = await sandbox.RunAsync(new BoxSpec
        {
            Command = language.Run(Context(source, args, limits)),
            Environment = language.Environment(limits),
            Limits = limits,
            Files = source.Files,
            Stdin = stdin,
            ReadOnlyBinds = language.ReadOnlyBinds,
            ReadOnlyOut = artifactDir,
        }, cancellationToken).ConfigureAwait(false);

        var report = result.Report;
        return new RunOutcome(RunClassifier.Classify(report, RuntimeOutOfMemory(language, report)), report);
    }

    private static bool RuntimeOutOfMemory(LanguageDefinition language, ProcessReport report)
    {
        if (language.OutOfMemoryMarkers.Count == 0 || report.Stderr.IsEmpty)
        {
            return false;
        }

        var stderr = Encoding.UTF8.GetString(report.Stderr.Span);
        return language.OutOfMemoryMarkers.Any(m => stderr.Contains(m, StringComparison.Ordinal));
    }

    private static CommandContext Context(ProgramSource source, IReadOnlyList<string> options, ResourceLimits limits) =>
        new(source.MainFile, source.Files.Select(f => f.Name).ToList(), options, limits);
}
