namespace Rce.Runner.Tests;

/// <summary>Every verdict is reachable through the API.</summary>
public sealed class VerdictApiTests(RunnerFixture runner)
{
    private static object[] Tests(params (string Id, string Input, string? Expected)[] tests) =>
        [.. tests.Select(t => (object)new { id = t.Id, input = t.Input, expectedOutput = t.Expected })];

    [Fact]
    public async Task Execute_CorrectProgram_IsAcceptedWithFullScore()
    {
        var (status, body) = await runner.PostAsync(new
        {
            language = "python",
            source = "a, b = map(int, input().split())\nprint(a + b)\n",
            tests = Tests(("1", "1 2\n", "3\n"), ("2", "10 20\n", "30"), ("3", "-1 1\n", "0\n")),
        });
        Assert.Equal(200, status);
        Assert.Equal("AC", (string?)body["verdict"]);
        Assert.Equal(3.0, (double?)body["score"]);
        Assert.Equal(3.0, (double?)body["maxScore"]);
        Assert.Equal(3, body["tests"]!.AsArray().Count);
        Assert.All(body["tests"]!.AsArray(), t => Assert.Equal("AC", (string?)t!["verdict"]));
        Assert.Null(body["compile"]);
    }

    [Fact]
    public async Task Execute_WrongOutput_IsWrongAnswer()
    {
        var (_, body) = await runner.PostAsync(new { language = "python", source = "print(41)\n", tests = Tests(("t", "", "42\n")) });
        Assert.Equal("WA", (string?)body["verdict"]);
        Assert.Equal(0.0, (double?)body["score"]);
        Assert.Equal("41\n", (string?)body["tests"]![0]!["stdout"]);
    }

    [Theory]
    [InlineData("while True: pass\n", "TLE")]
    [InlineData("a = []\nwhile True: a.append(bytearray(1 << 20))\n", "MLE")]
    [InlineData("while True: print('x' * 1000)\n", "OLE")]
    [InlineData("import sys\nsys.exit(3)\n", "RE")]
    [InlineData("print(\n", "RE")]
    public async Task Execute_FailingProgram_HasItsVerdict(string source, string verdict)
    {
        var (status, body) = await runner.PostAsync(new
        {
            language = "python",
            source,
            tests = Tests(("1", "", "x")),
            limits = new { cpuTimeMs = 500, wallTimeMs = 2000, memoryBytes = 64L << 20, stdoutBytes = 1 << 20 },
        });
        Assert.Equal(200, status);
        Assert.Equal(verdict, (string?)body["verdict"]);
        Assert.Equal(verdict, (string?)body["tests"]![0]!["verdict"]);
    }

    [Fact]
    public async Task Execute_RuntimeError_ReportsExitCodeAndSignal()
    {
        var (_, body) = await runner.PostAsync(new { language = "c", source = "#include <signal.h>\nint main(void){raise(SIGSEGV);return 0;}\n", stdin = "" });
        Assert.Equal("RE", (string?)body["verdict"]);
        Assert.Equal(11, (int?)body["tests"]![0]!["signal"]);
        Assert.Null(body["tests"]![0]!["exitCode"]);
    }

    [Fact]
    public async Task Execute_CompileError_IsCeAndNoTestRuns()
    {
        var (_, body) = await runner.PostAsync(new { language = "c", source = "int main(void) { return 0 }\n", tests = Tests(("1", "", ""), ("2", "", "")) });
        Assert.Equal("CE", (string?)body["verdict"]);
        Assert.Equal("CE", (string?)body["compile"]!["verdict"]);
        Assert.Contains("error", (string?)body["compile"]!["stderr"], StringComparison.Ordinal);
        Assert.All(body["tests"]!.AsArray(), t => Assert.Equal("SK", (string?)t!["verdict"]));
        Assert.Equal(2.0, (double?)body["maxScore"]);
    }

    [Fact]
    public async Task Execute_StopOnFirstFailure_SkipsTheRest()
    {
        var (_, body) = await runner.PostAsync(new
        {
            language = "python",
            source = "print(input())\n",
            tests = Tests(("1", "a\n", "a\n"), ("2", "b\n", "x\n"), ("3", "c\n", "c\n"), ("4", "d\n", "d\n")),
            grading = new { stopOnFirstFailure = true },
        });
        Assert.Equal("WA", (string?)body["verdict"]);
        var verdicts = body["tests"]!.AsArray().Select(t => (string?)t!["verdict"]).ToArray();
        Assert.Equal(["AC", "WA", "SK", "SK"], verdicts);
        Assert.Equal(1.0, (double?)body["score"]);
    }

    [Fact]
    public async Task Execute_StdinWithoutTests_IsOneTestWithIdOne()
    {
        var (_, body) = await runner.PostAsync(new { language = "bash", source = "read x; echo \"got $x\"\n", stdin = "hello\n" });
        Assert.Equal("AC", (string?)body["verdict"]);
        var test = body["tests"]![0]!;
        Assert.Equal("1", (string?)test["id"]);
        Assert.Equal("got hello\n", (string?)test["stdout"]);
        Assert.Equal(0, (int?)test["exitCode"]);
    }

    [Fact]
    public async Task Execute_MultiFileProgramWithInputFile_SeesAllFiles()
    {
        var (_, body) = await runner.PostAsync(new
        {
            language = "python",
            mainFile = "main.py",
            files = new object[]
            {
                new { name = "main.py", content = "from lib.util import twice\nprint(twice(int(open('data/n.txt').read())))\n" },
                new { name = "lib/__init__.py", content = "" },
                new { name = "lib/util.py", content = "def twice(x):\n    return 2 * x\n" },
                new { name = "data/n.txt", content = "MjE=", encoding = "base64" },
            },
            tests = Tests(("1", "", "42\n")),
        });
        Assert.True((string?)body["verdict"] == "AC", body.ToJsonString());
    }

    [Fact]
    public async Task Execute_ManyTests_CompilesOnceAndRunsThemAll()
    {
        var tests = Enumerable.Range(1, 12).Select(i => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{i}\n", (string?)$"{i * i}\n")).ToArray();
        var (_, body) = await runner.PostAsync(new
        {
            language = "cpp",
            source = "#include <iostream>\nint main(){long x;std::cin>>x;std::cout<<x*x<<\"\\n\";}\n// " + Guid.NewGuid() + "\n",
            tests = Tests(tests),
        });
        Assert.True((string?)body["verdict"] == "AC", body.ToJsonString());
        Assert.Equal(12.0, (double?)body["score"]);
        Assert.False((bool?)body["compile"]!["cached"]);
    }
}
