namespace Rce.Cli.Tests.Commands;

/// <summary>Runs the CLI in-process with its own sandbox state root and uid range.</summary>
internal static class CliHarness
{
    static CliHarness()
    {
        // Isolated from a developer's concurrent `rce run` and from the sandbox tests.
        Environment.SetEnvironmentVariable("Sandbox__StateRoot", "/run/rce-cli-tests");
        Environment.SetEnvironmentVariable("Sandbox__UidBase", "61100");
        Environment.SetEnvironmentVariable("Sandbox__CgroupName", "rce-cli-tests");
    }

    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    public static string WriteSource(string name, string content)
    {
        var dir = Directory.CreateTempSubdirectory("rce-cli-test-");
        var path = Path.Combine(dir.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
