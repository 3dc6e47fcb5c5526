using System.Diagnostics;
using System.Globalization;
using Rce.Testing;

namespace Rce.Sandbox.Tests.Unit;

/// <summary>
/// The native helpers on their own: rce-launch's refusals and what it sets up before its exec,
/// rce-init's status encoding and command lookup, rce-setup's one-time outputs.
/// </summary>
public sealed class NativeHelperTests
{
    private const int SlotUid = 61063;
    private static readonly string Dir = AppContext.BaseDirectory;
    private static readonly string Launch = Path.Combine(Dir, "rce-launch");
    private static readonly string Init = Path.Combine(Dir, "rce-init");
    private static readonly string Setup = Path.Combine(Dir, "rce-setup");

    [Theory]
    [InlineData("--uid", "0")]
    [InlineData("--uid", "x1")]
    [InlineData("--uid", "99999999999999999999999")]
    [InlineData("--bogus", "1")]
    public async Task Launch_RefusesBadArguments_WithUsage(string option, string value)
    {
        var args = new List<string> { "--uid", "61063", "--gid", "61063", "--ppid", Self, "--seccomp-file", SeccompFile() };
        var at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var (code, _, stderr) = await RunAsync(Launch, [.. args, "--", "/usr/bin/true"]);
        Assert.Equal(121, code);
        Assert.StartsWith("rce-launch: usage:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launch_WithoutASeccompFile_IsRefused()
    {
        var (code, _, stderr) = await RunAsync(Launch, ["--uid", "61063", "--gid", "61063", "--ppid", Self, "--", "/usr/bin/true"]);
        Assert.Equal(121, code);
        Assert.Contains("--seccomp-file", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launch_WhoseParentIsNotTheNamedOne_StopsBeforeExec()
    {
        var (code, stdout, _) = await RunAsync(Launch, ["--uid", "61063", "--gid", "61063", "--ppid", "2", "--seccomp-file", SeccompFile(), "--", "/usr/bin/echo", "RAN"]);
        Assert.Equal(122, code);
        Assert.DoesNotContain("RAN", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launch_DropsToTheSlotUid_WithLimits_NoNewPrivileges_AndAnEmptyEnvironment()
    {
        var status = Path.Combine(Path.GetTempPath(), $"rce-launch-status-{Guid.NewGuid():N}");
        try
        {
            var script = "id -u; id -g; id -G; ulimit -n; ulimit -t; ulimit -c; grep NoNewPrivs /proc/self/status; " +
                "ls -l /proc/self/fd/10 /proc/self/fd/11 | sed 's/.*-> //'";
            var (code, stdout, stderr) = await RunAsync(Launch, ["--uid", "61063", "--gid", "61063", "--ppid", Self, "--nofile", "77", "--cpu", "5",
                "--status", status, "--seccomp-file", SeccompFile(), "--", "/bin/sh", "-c", script]);
            Assert.True(code == 0, stderr);
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["61063", "61063", "61063", "77", "5", "0"], lines[..6]);
            Assert.Matches(@"NoNewPrivs:\s+1", lines[6]);
            Assert.Equal([SeccompFile(), status], lines[7..9]);

            // bwrap's own environment would be readable by the box's processes of its uid.
            (code, stdout, _) = await RunAsync(Launch, ["--uid", "61063", "--gid", "61063", "--ppid", Self, "--seccomp-file", SeccompFile(), "--", "/usr/bin/env"], ("SECRET", "x"));
            Assert.Equal(0, code);
            Assert.Equal(string.Empty, stdout);
        }
        finally
        {
            File.Delete(status);
        }
    }

    [Theory]
    [InlineData("exit 7", 7)]
    [InlineData("kill -ABRT $$", 128 + 6)]
    [InlineData("kill -TERM $$", 128 + 15)]
    public async Task Init_ExitsWithTheCommandsStatus(string script, int expected)
    {
        var (code, _, _) = await RunAsync(Init, ["/bin/sh", "-c", script]);
        Assert.Equal(expected, code);
    }

    [Fact]
    public async Task Init_SearchesPath_AndSaysWhyACommandCannotStart()
    {
        var (code, stdout, _) = await RunAsync(Init, ["echo", "found"], ("PATH", "/nonexistent:/usr/bin"));
        Assert.Equal(0, code);
        Assert.Equal("found\n", stdout);

        (code, _, var stderr) = await RunAsync(Init, ["no-such-command"], ("PATH", "/usr/bin"));
        Assert.Equal(127, code);
        Assert.Equal("rce-init: no-such-command: No such file or directory\n", stderr);

        var text = Path.Combine(Path.GetTempPath(), $"rce-init-text-{Guid.NewGuid():N}");
        File.WriteAllText(text, "not a program\n");
        try
        {
            (code, _, stderr) = await RunAsync(Init, [text]);
            Assert.Equal(126, code);
            Assert.Equal($"rce-init: {text}: Permission denied\n", stderr);
        }
        finally
        {
            File.Delete(text);
        }

        (code, _, stderr) = await RunAsync(Init, []);
        Assert.Equal(121, code);
        Assert.StartsWith("rce-init: usage:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setup_ReportsLibseccomp_AndRefusesUnknownSteps()
    {
        var (code, stdout, _) = await RunAsync(Setup, ["--version"]);
        Assert.Equal(0, code);
        Assert.Matches(@"^rce-setup 2 libseccomp \d+\.\d+\.\d+\n$", stdout);
        (code, _, var stderr) = await RunAsync(Setup, ["--frobnicate"]);
        Assert.Equal(121, code);
        Assert.StartsWith("rce-setup: usage:", stderr, StringComparison.Ordinal);
    }

    private static string Self => Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    private static string SeccompFile()
    {
        var file = Path.Combine(Path.GetTempPath(), "rce-native-tests.bpf");
        if (!File.Exists(file))
        {
            using var process = Process.Start(Setup, ["--emit-seccomp", file]);
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
        }

        Assert.True(new FileInfo(file).Length > 0);
        return file;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string program, IReadOnlyList<string> args, params (string Key, string Value)[] environment)
    {
        Requires.Root();
        Requires.That(File.Exists(program), $"{program} is built by the Rce.Sandbox project");
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }
}
