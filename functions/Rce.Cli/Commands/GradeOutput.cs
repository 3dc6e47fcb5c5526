using System.Globalization;
using System.Text.Json.Nodes;
using Rce.Cli.Output;
using Rce.Core.Grading;
using Rce.Core.Verdicts;

namespace Rce.Cli.Commands;

/// <summary>Prints a graded run: a per-test table for people, or the run object plus tests, score and maxScore.</summary>
internal static class GradeOutput
{
    public static Task PrintJsonAsync(TextWriter stdout, GradeReport report, bool compiled)
    {
        // The top-level run fields describe the first test that did not pass (else the first test).
        var shown = report.Tests.FirstOrDefault(t => t.Run is not null && t.Verdict != Verdict.Accepted) ?? report.Tests.FirstOrDefault(t => t.Run is not null);
        var json = CliJson.Run(report.Verdict, shown?.Run, compiled ? report.Compile.Verdict : null, compiled ? report.Compile.Report : null);
        var tests = new JsonArray();
        foreach (var test in report.Tests)
        {
            tests.Add(new JsonObject
            {
                ["id"] = test.Id,
                ["verdict"] = test.Verdict.ToCode(),
                ["cpuTimeMs"] = test.Run is null ? null : (long)Math.Round(test.Run.CpuTime.TotalMilliseconds),
                ["wallTimeMs"] = test.Run is null ? null : (long)Math.Round(test.Run.WallTime.TotalMilliseconds),
                ["memoryBytes"] = test.Run?.MemoryBytes,
                ["points"] = test.Points,
                ["checkerMessage"] = test.CheckerMessage,
            });
        }

        json["tests"] = tests;
        json["score"] = report.Score;
        json["maxScore"] = report.MaxScore;
        return stdout.WriteLineAsync(CliJson.Serialize(json));
    }

    public static async Task PrintTableAsync(TextWriter stdout, GradeReport report)
    {
        if (report.Compile.Report is { } compile && (!report.Compile.Succeeded || !compile.Stderr.IsEmpty))
        {
            await stdout.WriteLineAsync($"-- compile: {report.Compile.Verdict.ToCode()}").ConfigureAwait(false);
            await stdout.WriteAsync(TerminalText.Escape(CliJson.Lossy(compile.Stdout) + CliJson.Lossy(compile.Stderr))).ConfigureAwait(false);
        }

        await stdout.WriteLineAsync($"{"test",-16} {"verdict",-7} {"cpu ms",8} {"wall ms",8} {"memory KiB",11} {"points",7}").ConfigureAwait(false);
        foreach (var test in report.Tests)
        {
            var run = test.Run;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{TerminalText.Escape(test.Id),-16} {test.Verdict.ToCode(),-7} {Ms(run?.CpuTime),8} {Ms(run?.WallTime),8} {(run is null ? "-" : (run.MemoryBytes / 1024).ToString(CultureInfo.InvariantCulture)),11} {test.Points,7:0.##}");
            await stdout.WriteLineAsync(line).ConfigureAwait(false);
            if (test.CheckerMessage is { Length: > 0 } message)
            {
                await stdout.WriteLineAsync("    " + TerminalText.Escape(message.Trim())).ConfigureAwait(false);
            }
        }

        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"-- {report.Verdict.ToCode()}  score {report.Score:0.##}/{report.MaxScore:0.##}")).ConfigureAwait(false);
    }

    private static string Ms(TimeSpan? t) => t is null ? "-" : Math.Round(t.Value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}
