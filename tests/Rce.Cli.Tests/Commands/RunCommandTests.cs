using System.Text.Json;
using Rce.Testing;

namespace Rce.Cli.Tests.Commands;

public sealed class RunCommandTests
{
    [Fact]
    public async Task Run_MissingFile_ExitsTwoWithOneLine()
    {
        var (exit, stdout, stderr) = await CliHarness.RunAsync("run", "/nonexistent/x.c");
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("file not found", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownLanguage_ExitsTwo()
    {
        var file = CliHarness.WriteSource("x.py", "print(1)\n");
        var (exit, _, stderr) = await CliHarness.RunAsync("run", file, "--language", "cobol");
        Assert.Equal(2, exit);
        Assert.Contains("unknown language 'cobol'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownExtension_ExitsTwo()
    {
        var file = CliHarness.WriteSource("x.unknown", "?\n");
        var (exit, _, stderr) = await CliHarness.RunAsync("run", file);
        Assert.Equal(2, exit);
        Assert.Contains("--language", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--time-limit", "fast")]
    [InlineData("--wall-time-limit", "-3s")]
    [InlineData("--memory-limit", "1KiB")]
    [InlineData("--memory-limit", "lots")]
    public async Task Run_BadLimit_ExitsTwo(string option, string value)
    {
        var file = CliHarness.WriteSource("x.py", "print(1)\n");
        var (exit, stdout, stderr) = await CliHarness.RunAsync("run", file, option, value);
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains(option, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownOption_ExitsTwo()
    {
        var (exit, _, stderr) = await CliHarness.RunAsync("run", "x.py", "--bogus");
        Assert.Equal(2, exit);
        Assert.StartsWith("rce: error:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PythonWithStdin_Json_IsOneObjectWithVerdictAndMeasurements()
    {
        RequireSandbox();
        var file = CliHarness.WriteSource("echo.py", "import sys\nprint(sys.stdin.read().upper(), end='')\n");
        var input = CliHarness.WriteSource("in.txt", "abc\n");
        var (exit, stdout, stderr) = await CliHarness.RunAsync("run", file, "--stdin", input, "--json", "--time-limit", "1s", "--memory-limit", "128MiB");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("AC", root.GetProperty("verdict").GetString());
        Assert.Equal("ABC\n", root.GetProperty("stdout").GetString());
        Assert.Equal(0, root.GetProperty("exitCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("signal").ValueKind);
        Assert.True(root.GetProperty("wallTimeMs").GetInt64() > 0);
        Assert.True(root.GetProperty("memoryBytes").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("compile").ValueKind);
    }

    [Fact]
    public async Task Run_CCompileError_IsVerdictCeWithExitZero()
    {
        RequireSandbox();
        var file = CliHarness.WriteSource("bad.c", "int main(void) { return 0 }\n");
        var (exit, stdout, _) = await CliHarness.RunAsync("run", file, "--json");
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("CE", doc.RootElement.GetProperty("verdict").GetString());
        Assert.Equal("CE", doc.RootElement.GetProperty("compile").GetProperty("verdict").GetString());
        Assert.Contains("error", doc.RootElement.GetProperty("compile").GetProperty("stderr").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_JavaKeepsTheFileName_PublicClassOfThatName()
    {
        RequireSandbox();
        var file = CliHarness.WriteSource("Greeter.java", "public class Greeter { public static void main(String[] a) { System.out.println(\"hi\"); } }\n");
        var (exit, stdout, stderr) = await CliHarness.RunAsync("run", file, "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.True(doc.RootElement.GetProperty("verdict").GetString() == "AC", stdout);
        Assert.Equal("hi\n", doc.RootElement.GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task Run_BinaryOutput_CarriesBase64AndHumanOutputIsEscaped()
    {
        RequireSandbox();
        var file = CliHarness.WriteSource("bin.py", "import sys\nsys.stdout.buffer.write(b'\\x1b[31m\\xff')\n");
        var (_, json, _) = await CliHarness.RunAsync("run", file, "--json");
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(Convert.ToBase64String([0x1b, (byte)'[', (byte)'3', (byte)'1', (byte)'m', 0xff]), doc.RootElement.GetProperty("stdoutBase64").GetString());
        var (_, human, _) = await CliHarness.RunAsync("run", file);
        Assert.DoesNotContain('\u001b', human);
        Assert.Contains("\\x1b[31m", human, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SandboxUnavailable_ExitsThree()
    {
        RequireSandbox();
        var file = CliHarness.WriteSource("x.py", "print(1)\n");
        Environment.SetEnvironmentVariable("Sandbox__BwrapPath", "/nonexistent/bwrap");
        try
        {
            var (exit, stdout, stderr) = await CliHarness.RunAsync("run", file);
            Assert.Equal(3, exit);
            Assert.Empty(stdout);
            Assert.Contains("bubblewrap not found", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Sandbox__BwrapPath", null);
        }
    }

    private static void RequireSandbox()
    {
        Requires.Root();
        Requires.Tool("/usr/bin/bwrap", "bubblewrap");
    }
}

public sealed class LimitSettingsTests
{
    [Fact]
    public async Task LimitsSetting_ChangesTheRunDefault()
    {
        Requires.Root();
        Requires.Tool("/usr/bin/bwrap", "bubblewrap");
        var file = CliHarness.WriteSource("spin.py", "while True: pass\n");
        Environment.SetEnvironmentVariable("Limits__Run__CpuTimeMs", "300");
        try
        {
            var (exit, stdout, stderr) = await CliHarness.RunAsync("run", file, "--json");
            Assert.True(exit == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            Assert.Equal("TLE", doc.RootElement.GetProperty("verdict").GetString());
            Assert.True(doc.RootElement.GetProperty("cpuTimeMs").GetInt64() < 1500, stdout);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Limits__Run__CpuTimeMs", null);
        }
    }

    [Fact]
    public async Task LimitsSetting_Invalid_ExitsTwo()
    {
        var file = CliHarness.WriteSource("x.py", "print(1)\n");
        Environment.SetEnvironmentVariable("Limits__Run__Processes", "0");
        try
        {
            var (exit, _, stderr) = await CliHarness.RunAsync("run", file);
            Assert.Equal(2, exit);
            Assert.Contains("Limits__", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Limits__Run__Processes", null);
        }
    }
}
