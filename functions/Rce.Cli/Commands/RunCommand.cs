using System.CommandLine;
using System.Globalization;
using Rce.Cli.Output;
using Rce.Core.Limits;
using Rce.Core.Verdicts;
using Rce.Sandbox;
using Rce.Sandbox.Boxes;
using Rce.Sandbox.Execution;
using Rce.Sandbox.Languages;

namespace Rce.Cli.Commands;

/// <summary><c>rce run FILE</c>: compile (if needed) and run one program in the sandbox.</summary>
internal static class RunCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("file") { Description = "Source file; its name is kept in the box." };
        var language = new Option<string?>("--language", "-l") { Description = "Language id (default: from the file's extension)." };
        var stdin = new Option<string?>("--stdin") { Description = "File fed to the program's stdin." };
        var time = new Option<string?>("--time-limit") { Description = "CPU time of the whole process tree, e.g. 2s or 500ms (default 2s)." };
        var wall = new Option<string?>("--wall-time-limit") { Description = "Wall-clock time (default 3 x CPU + 1s)." };
        var memory = new Option<string?>("--memory-limit") { Description = "Memory, e.g. 256MiB (default 256MiB)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var tests = new Option<string?>("--tests") { Description = "Directory of NAME.in / NAME.out pairs: compile once, run and grade each (1 point each)." };
        var checker = new Option<string?>("--checker") { Description = "With --tests: lines (default), exact, tokens, float:EPS, ci, unordered, or a checker source FILE (testlib exit codes)." };
        var command = new Command("run", "Compile (if needed) and run a program in a fresh sandbox.") { file, language, stdin, time, wall, memory, json, tests, checker };
        command.SetAction((parse, ct) => RunAsync(
            new RunRequest(parse.GetValue(file)!, parse.GetValue(language), parse.GetValue(stdin), parse.GetValue(time), parse.GetValue(wall), parse.GetValue(memory), parse.GetValue(json), parse.GetValue(tests), parse.GetValue(checker)),
            stdout, stderr, ct));
        return command;
    }

    internal sealed record RunRequest(string File, string? Language, string? Stdin, string? TimeLimit, string? WallTimeLimit, string? MemoryLimit, bool Json, string? Tests = null, string? Checker = null);

    private static async Task<int> RunAsync(RunRequest request, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!File.Exists(request.File))
        {
            return await BadInputAsync(stderr, $"file not found: {request.File}").ConfigureAwait(false);
        }

        if (request.Stdin is not null && !File.Exists(request.Stdin))
        {
            return await BadInputAsync(stderr, $"stdin file not found: {request.Stdin}").ConfigureAwait(false);
        }

        ResourceLimits limits, compileLimits;
        try
        {
            var settings = CliSettings.Limits();
            limits = settings.RunLimits;
            compileLimits = settings.CompileLimits;
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or InvalidOperationException)
        {
            return await BadInputAsync(stderr, "bad Limits__* setting: " + ex.Message).ConfigureAwait(false);
        }

        if (request.TimeLimit is not null)
        {
            if (!LimitParser.TryParseDuration(request.TimeLimit, out var t))
            {
                return await BadInputAsync(stderr, $"bad --time-limit '{request.TimeLimit}' (use e.g. 2s or 500ms)").ConfigureAwait(false);
            }

            // A wall limit derived from the CPU limit follows it; an explicit setting stays.
            limits = limits with { CpuTime = t };
        }

        if (request.WallTimeLimit is not null)
        {
            if (!LimitParser.TryParseDuration(request.WallTimeLimit, out var w))
            {
                return await BadInputAsync(stderr, $"bad --wall-time-limit '{request.WallTimeLimit}' (use e.g. 7s)").ConfigureAwait(false);
            }

            limits = limits with { WallTime = w };
        }

        if (request.MemoryLimit is not null)
        {
            if (!LimitParser.TryParseSize(request.MemoryLimit, out var m) || m < (4L << 20))
            {
                return await BadInputAsync(stderr, $"bad --memory-limit '{request.MemoryLimit}' (use e.g. 256MiB; at least 4MiB)").ConfigureAwait(false);
            }

            limits = limits with { MemoryBytes = m };
        }

        var name = Path.GetFileName(request.File);
        if (BoxPaths.Validate(name) is { } why)
        {
            return await BadInputAsync(stderr, $"file name {why}").ConfigureAwait(false);
        }

        var catalog = LanguageCatalog.Detect();
        var definition = request.Language is null ? catalog.FindByFileName(name) : catalog.Find(request.Language);
        if (definition is null)
        {
            var known = string.Join(", ", catalog.Available.Select(l => l.Id));
            return await BadInputAsync(stderr, request.Language is null
                ? $"cannot tell the language of '{name}'; use --language ({known})"
                : $"unknown language '{request.Language}' (available: {known})").ConfigureAwait(false);
        }

        List<Core.Grading.TestCase>? testCases = null;
        (Core.Grading.CheckerSpec? Spec, LanguageDefinition? Language, string? Error) checker = (null, null, null);
        if (request.Tests is not null)
        {
            testCases = TestDirectory.Load(request.Tests, out var testsError);
            if (testCases is null)
            {
                return await BadInputAsync(stderr, testsError!).ConfigureAwait(false);
            }

            checker = CheckerOption.Parse(request.Checker, catalog);
            if (checker.Error is not null)
            {
                return await BadInputAsync(stderr, checker.Error).ConfigureAwait(false);
            }
        }
        else if (request.Checker is not null)
        {
            return await BadInputAsync(stderr, "--checker needs --tests").ConfigureAwait(false);
        }

        var sandbox = await CliSettings.CreateSandboxAsync(stderr).ConfigureAwait(false);
        if (sandbox is null)
        {
            return CliApp.NoSandbox;
        }

        using (sandbox)
        {
            var source = new ProgramSource([new BoxFile(name, await File.ReadAllBytesAsync(request.File, cancellationToken).ConfigureAwait(false))], name);
            if (testCases is not null)
            {
                var job = new GradingJob(definition, source, [], [], limits, compileLimits, checker.Language, checker.Spec!.Source);
                using var backend = new SandboxGradingBackend(new ProgramExecutor(sandbox), job);
                var report = await new Core.Grading.Grader().GradeAsync(backend, testCases, checker.Spec, new Core.Grading.GradingOptions(), sandbox.SlotCount, cancellationToken).ConfigureAwait(false);
                await (request.Json ? GradeOutput.PrintJsonAsync(stdout, report, definition.IsCompiled) : GradeOutput.PrintTableAsync(stdout, report)).ConfigureAwait(false);
                return 0;
            }

            var input = request.Stdin is null ? [] : await File.ReadAllBytesAsync(request.Stdin, cancellationToken).ConfigureAwait(false);
            var outcome = await ExecuteAsync(new ProgramExecutor(sandbox), definition, source, input, limits, compileLimits, cancellationToken).ConfigureAwait(false);
            await (request.Json ? PrintJsonAsync(stdout, outcome) : PrintHumanAsync(stdout, outcome)).ConfigureAwait(false);
            return 0;
        }
    }

    internal sealed record Outcome(Verdict Verdict, CompileOutcome? Compile, RunOutcome? Run);

    private static async Task<Outcome> ExecuteAsync(ProgramExecutor executor, LanguageDefinition language, ProgramSource source, byte[] stdin, ResourceLimits limits, ResourceLimits compileLimits, CancellationToken cancellationToken)
    {
        string? artifact = null;
        try
        {
            CompileOutcome? compile = null;
            if (language.IsCompiled)
            {
                artifact = executor.CreateArtifactDirectory();
                compile = await executor.CompileAsync(language, source, [], compileLimits, artifact, cancellationToken).ConfigureAwait(false);
                if (!compile.Succeeded)
                {
                    return new Outcome(compile.Verdict == Verdict.InternalError ? Verdict.InternalError : Verdict.CompileError, compile, null);
                }
            }

            var run = await executor.RunAsync(language, source, artifact, stdin, [], limits, cancellationToken).ConfigureAwait(false);
            return new Outcome(run.Verdict, compile, run);
        }
        finally
        {
            if (artifact is not null)
            {
                ProgramExecutor.DeleteArtifactDirectory(artifact);
            }
        }
    }

    private static Task PrintJsonAsync(TextWriter stdout, Outcome outcome) =>
        stdout.WriteLineAsync(CliJson.Serialize(CliJson.Run(outcome.Verdict, outcome.Run?.Report, outcome.Compile?.Verdict, outcome.Compile?.Report)));

    private static async Task PrintHumanAsync(TextWriter stdout, Outcome outcome)
    {
        if (outcome.Compile is { } compile && (!compile.Succeeded || !compile.Report.Stderr.IsEmpty))
        {
            await stdout.WriteLineAsync($"-- compile: {compile.Verdict.ToCode()} ({Ms(compile.Report.WallTime)} wall)").ConfigureAwait(false);
            await stdout.WriteAsync(TerminalText.Escape(CliJson.Lossy(compile.Report.Stdout) + CliJson.Lossy(compile.Report.Stderr))).ConfigureAwait(false);
        }

        if (outcome.Run is { } run)
        {
            await stdout.WriteLineAsync("-- stdout").ConfigureAwait(false);
            await stdout.WriteAsync(TerminalText.Escape(CliJson.Lossy(run.Report.Stdout))).ConfigureAwait(false);
            if (!run.Report.Stderr.IsEmpty)
            {
                await stdout.WriteLineAsync("\n-- stderr").ConfigureAwait(false);
                await stdout.WriteAsync(TerminalText.Escape(CliJson.Lossy(run.Report.Stderr))).ConfigureAwait(false);
            }

            var exit = run.Report.Signal is { } s ? $"signal {s}" : $"exit {run.Report.ExitCode}";
            await stdout.WriteLineAsync($"\n-- {outcome.Verdict.ToCode()}  {exit}  cpu {Ms(run.Report.CpuTime)}  wall {Ms(run.Report.WallTime)}  memory {run.Report.MemoryBytes / 1024} KiB").ConfigureAwait(false);
        }
        else
        {
            await stdout.WriteLineAsync($"-- {outcome.Verdict.ToCode()}").ConfigureAwait(false);
        }
    }

    private static string Ms(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0} ms");

    private static async Task<int> BadInputAsync(TextWriter stderr, string message)
    {
        await stderr.WriteLineAsync("rce: error: " + message).ConfigureAwait(false);
        return CliApp.BadInput;
    }
}
