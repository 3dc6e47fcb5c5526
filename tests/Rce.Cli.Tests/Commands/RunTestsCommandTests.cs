using System.Text.Json;
using Rce.Testing;

namespace Rce.Cli.Tests.Commands;

/// <summary><c>rce run FILE --tests DIR [--checker …]</c>: compile once, grade every NAME.in/NAME.out pair.</summary>
public sealed class RunTestsCommandTests
{
    private static string TestsDirectory(params (string Name, string Input, string Output)[] tests)
    {
        var dir = Directory.CreateTempSubdirectory("rce-tests-dir-").FullName;
        foreach (var (name, input, output) in tests)
        {
            File.WriteAllText(Path.Combine(dir, name + ".in"), input);
            File.WriteAllText(Path.Combine(dir, name + ".out"), output);
        }

        return dir;
    }

    [Fact]
    public async Task Tests_Json_HasPerTestResultsScoreAndOverallVerdict()
    {
        RequireSandbox();
        var program = CliHarness.WriteSource("sum.c", "#include <stdio.h>\nint main(void){long a,b;scanf(\"%ld %ld\",&a,&b);printf(\"%ld\\n\",a+b);return 0;}\n");
        var dir = TestsDirectory(("1", "1 2", "3\n"), ("2", "2 2", "5\n"), ("10", "5 5", "10"));
        var (exit, stdout, stderr) = await CliHarness.RunAsync("run", program, "--tests", dir, "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("WA", root.GetProperty("verdict").GetString());
        Assert.Equal(2, root.GetProperty("score").GetDouble());
        Assert.Equal(3, root.GetProperty("maxScore").GetDouble());
        var tests = root.GetProperty("tests").EnumerateArray().ToList();
        Assert.Equal(["1", "2", "10"], tests.Select(t => t.GetProperty("id").GetString()));
        Assert.Equal(["AC", "WA", "AC"], tests.Select(t => t.GetProperty("verdict").GetString()));
        Assert.All(tests, t => Assert.True(t.GetProperty("wallTimeMs").GetInt64() > 0));
        Assert.Equal("AC", root.GetProperty("compile").GetProperty("verdict").GetString());
        Assert.Equal("4\n", root.GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task Tests_Table_ListsEveryTestAndTheScore()
    {
        RequireSandbox();
        var program = CliHarness.WriteSource("echo.py", "print(input())\n");
        var dir = TestsDirectory(("a", "x\n", "x\n"), ("b", "y\n", "y\n"));
        var (exit, stdout, _) = await CliHarness.RunAsync("run", program, "--tests", dir);
        Assert.Equal(0, exit);
        Assert.Contains("a ", stdout, StringComparison.Ordinal);
        Assert.Contains("-- AC  score 2/2", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("float:0.01", "3.14159\n", "3.14\n", "AC")]
    [InlineData("float:0.0001", "3.14159\n", "3.14\n", "WA")]
    [InlineData("tokens", "1  2\n3\n", "1 2 3\n", "AC")]
    [InlineData("exact", "a \n", "a", "WA")]
    [InlineData("ci", "HELLO\n", "hello\n", "AC")]
    [InlineData("unordered", "b\na\n", "a\nb\n", "AC")]
    public async Task Checker_Option_SelectsTheChecker(string checker, string printed, string expected, string verdict)
    {
        RequireSandbox();
        var program = CliHarness.WriteSource("p.sh", "printf '%s' \"$(cat)\"\n");
        var dir = TestsDirectory(("1", printed, expected));
        var (_, stdout, stderr) = await CliHarness.RunAsync("run", program, "--tests", dir, "--checker", checker, "--json");
        using var doc = JsonDocument.Parse(stdout);
        Assert.True(doc.RootElement.GetProperty("verdict").GetString() == verdict, stdout + stderr);
    }

    [Fact]
    public async Task Checker_File_IsACustomSandboxedChecker()
    {
        RequireSandbox();
        var program = CliHarness.WriteSource("p.py", "print(int(input()) * 2)\n");
        var checker = CliHarness.WriteSource("check.py", "import sys\nout = int(open(sys.argv[2]).read())\nans = int(open(sys.argv[3]).read())\nprint('diff', abs(out - ans))\nsys.exit(0 if abs(out - ans) <= 1 else 1)\n");
        var dir = TestsDirectory(("1", "5\n", "11\n"), ("2", "5\n", "20\n"));
        var (_, stdout, _) = await CliHarness.RunAsync("run", program, "--tests", dir, "--checker", checker, "--json");
        using var doc = JsonDocument.Parse(stdout);
        var tests = doc.RootElement.GetProperty("tests").EnumerateArray().ToList();
        Assert.Equal("AC", tests[0].GetProperty("verdict").GetString());
        Assert.Equal("WA", tests[1].GetProperty("verdict").GetString());
        Assert.Contains("diff 10", tests[1].GetProperty("checkerMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tests_MissingDirectoryOrAnswer_ExitsTwo()
    {
        var program = CliHarness.WriteSource("p.py", "print(1)\n");
        var (exit, _, stderr) = await CliHarness.RunAsync("run", program, "--tests", "/nonexistent/dir");
        Assert.Equal(2, exit);
        Assert.Contains("not found", stderr, StringComparison.Ordinal);

        var dir = Directory.CreateTempSubdirectory("rce-tests-bad-").FullName;
        File.WriteAllText(Path.Combine(dir, "1.in"), "x");
        (exit, _, stderr) = await CliHarness.RunAsync("run", program, "--tests", dir);
        Assert.Equal(2, exit);
        Assert.Contains("1.out", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checker_WithoutTestsOrUnknown_ExitsTwo()
    {
        var program = CliHarness.WriteSource("p.py", "print(1)\n");
        var (exit, _, _) = await CliHarness.RunAsync("run", program, "--checker", "tokens");
        Assert.Equal(2, exit);
        var dir = TestsDirectory(("1", "", "1\n"));
        (exit, _, var stderr) = await CliHarness.RunAsync("run", program, "--tests", dir, "--checker", "magic");
        Assert.Equal(2, exit);
        Assert.Contains("magic", stderr, StringComparison.Ordinal);
    }

    private static void RequireSandbox()
    {
        Requires.Root();
        Requires.Tool("/usr/bin/bwrap", "bubblewrap");
    }
}
