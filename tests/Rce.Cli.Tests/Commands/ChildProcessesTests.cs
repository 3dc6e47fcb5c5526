using Rce.Cli.Commands;

namespace Rce.Cli.Tests.Commands;

/// <summary>
/// <see cref="ChildProcesses.Start"/>: the child sees the environment it was given, whether it runs
/// under the watchdog's <c>/bin/sh</c> (which drops variables whose names are not shell names, such
/// as a setting with a dot) or not.
/// </summary>
public sealed class ChildProcessesTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Start_TheChildSeesEveryVariable_DottedNamesToo(bool watchParent)
    {
        var lines = new List<string>();
        var environment = new Dictionary<string, string>
        {
            ["Logging__LogLevel__Rce.Core"] = "Debug",
            ["Plain__Setting"] = "a value with spaces and = signs",
        };

        using var child = ChildProcesses.Start("/usr/bin/env", [], environment, line => { lock (lines) { lines.Add(line); } }, watchParent);
        await child.WaitForExitAsync(TestContext.Current.CancellationToken);
        child.WaitForExit(); // the asynchronous reads of stdout are done too

        Assert.Equal(0, child.ExitCode);
        Assert.Contains("Logging__LogLevel__Rce.Core=Debug", lines);
        Assert.Contains("Plain__Setting=a value with spaces and = signs", lines);
        Assert.Contains("Logging__Console__LogToStandardErrorThreshold=Trace", lines);
    }

    [Theory]
    [InlineData("Runner__Token", true)]
    [InlineData("_x1", true)]
    [InlineData("Logging__LogLevel__Microsoft.AspNetCore", false)]
    [InlineData("1abc", false)]
    [InlineData("a-b", false)]
    [InlineData("", false)]
    public void IsShellName_AsPosixShellsKeepThem(string name, bool kept) => Assert.Equal(kept, ChildProcesses.IsShellName(name));
}
