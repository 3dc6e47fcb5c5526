using System.CommandLine;
using System.Text.Json.Nodes;
using Rce.Cli.Output;
using Rce.Sandbox;
using Rce.Sandbox.Execution;
using Rce.Sandbox.Languages;

namespace Rce.Cli.Commands;

/// <summary><c>rce languages</c>: every language with its in-box version and self-test status.</summary>
internal static class LanguagesCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array." };
        var command = new Command("languages", "List languages with versions and self-test status (runs each self-test in the sandbox).") { json };
        command.SetAction(async (parse, ct) =>
        {
            var catalog = LanguageCatalog.Detect();
            var sandbox = await CliSettings.CreateSandboxAsync(stderr).ConfigureAwait(false);
            if (sandbox is null)
            {
                return CliApp.NoSandbox;
            }

            using (sandbox)
            {
                var executor = new ProgramExecutor(sandbox);
                var results = await Task.WhenAll(catalog.Available.Select(l => SelfTest.RunAsync(executor, l, ct))).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    var array = new JsonArray();
                    foreach (var (language, result) in catalog.Available.Zip(results))
                    {
                        array.Add(new JsonObject
                        {
                            ["id"] = language.Id,
                            ["name"] = language.Name,
                            ["version"] = result.Version,
                            ["compiled"] = language.IsCompiled,
                            ["extensions"] = new JsonArray(language.Extensions.Select(e => (JsonNode?)e).ToArray()),
                            ["selfTestPassed"] = result.Passed,
                            ["selfTestDetail"] = result.Detail,
                        });
                    }

                    await stdout.WriteLineAsync(CliJson.Serialize(array)).ConfigureAwait(false);
                }
                else
                {
                    foreach (var (language, result) in catalog.Available.Zip(results))
                    {
                        var status = result.Passed ? "ok" : "FAILED: " + result.Detail;
                        await stdout.WriteLineAsync($"{language.Id,-11} {language.Name,-22} {result.Version,-40} {status}").ConfigureAwait(false);
                    }

                    foreach (var (id, why) in catalog.Missing)
                    {
                        await stdout.WriteLineAsync($"{id,-11} (not installed: {why})").ConfigureAwait(false);
                    }
                }

                return 0;
            }
        });
        return command;
    }
}
