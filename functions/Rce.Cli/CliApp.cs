using System.CommandLine;
using Rce.Cli.Commands;

namespace Rce.Cli;

/// <summary>The command tree of <c>rce</c>. Exit codes: 0 a verdict (whatever it is) or done, 1 an operation failed (up, keys), 2 bad input, 3 no sandbox.</summary>
internal static class CliApp
{
    public const int BadInput = 2;
    public const int NoSandbox = 3;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("rce: run untrusted code in a sandbox, grade it, and run the RceFunctions stack.")
        {
            RunCommand.Create(stdout, stderr),
            LanguagesCommand.Create(stdout, stderr),
            UpCommand.Create(stdout, stderr),
            KeysCommand.Create(stdout, stderr),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            await stderr.WriteLineAsync("rce: error: " + parse.Errors[0].Message).ConfigureAwait(false);
            return BadInput;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }).ConfigureAwait(false);
    }
}
