namespace Rce.Runner.Tests;

/// <summary>Every checker through the API, including custom checkers with partial scores and crashes.</summary>
public sealed class CheckerApiTests(RunnerFixture runner)
{
    private async Task<System.Text.Json.Nodes.JsonNode> GradeAsync(string output, string expected, object checker, double points = 1)
    {
        var (status, body) = await runner.PostAsync(new
        {
            language = "bash",
            source = "printf '%s' \"$(cat)\"\n",
            tests = new object[] { new { id = "1", input = output, expectedOutput = expected, points } },
            checker,
        });
        Assert.True(status == 200, body.ToJsonString());
        return body["tests"]![0]!;
    }

    [Theory]
    [InlineData("lines", "a b\r\nc  \n\n", "a b\nc", "AC")]
    [InlineData("lines", " a b\nc", "a b\nc", "WA")]
    [InlineData("exact", "a b", "a b", "AC")]
    [InlineData("exact", "a b", "a b\n", "WA")]
    [InlineData("tokens", "1   2\n\n3", "1 2 3", "AC")]
    [InlineData("tokens", "1 2", "1 2 3", "WA")]
    [InlineData("caseInsensitive", "Hello World", "hello world", "AC")]
    [InlineData("unorderedLines", "b\na\nc", "a\nb\nc", "AC")]
    [InlineData("unorderedLines", "a\na\nc", "a\nb\nc", "WA")]
    public async Task BuiltInChecker_DecidesAsSpecified(string type, string output, string expected, string verdict)
    {
        var test = await GradeAsync(output, expected, new { type });
        Assert.Equal(verdict, (string?)test["verdict"]);
    }

    [Theory]
    [InlineData("3.14159", "3.1416", 1e-3, "AC")]
    [InlineData("3.2", "3.1416", 1e-3, "WA")]
    [InlineData("1000001", "1000000", 1e-5, "AC")]
    public async Task FloatChecker_UsesTolerance(string output, string expected, double tolerance, string verdict)
    {
        var test = await GradeAsync(output, expected, new { type = "float", absTolerance = tolerance, relTolerance = tolerance });
        Assert.Equal(verdict, (string?)test["verdict"]);
    }

    [Fact]
    public async Task CustomChecker_PartialPoints_AreAwarded()
    {
        const string checker = "import sys\nout = open(sys.argv[2]).read().split()\nans = open(sys.argv[3]).read().split()\n" +
            "good = sum(1 for a, b in zip(out, ans) if a == b)\nprint(f'{good} of {len(ans)} right')\n" +
            "sys.stderr.write(f'points {good * 2}\\n')\nsys.exit(7)\n";
        var test = await GradeAsync("1 2 9 4", "1 2 3 4", new { type = "custom", language = "python", source = checker }, points: 8);
        Assert.Equal("AC", (string?)test["verdict"]);
        Assert.Equal(6.0, (double?)test["points"]);
        Assert.Contains("3 of 4 right", (string?)test["checkerMessage"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomChecker_InCompiledLanguage_SeesInputOutputAnswer()
    {
        const string checker = "#include <stdio.h>\nint main(int c,char**v){int a=0,b=0,x=0;FILE*i=fopen(v[1],\"r\"),*o=fopen(v[2],\"r\"),*r=fopen(v[3],\"r\");" +
            "fscanf(i,\"%d\",&x);fscanf(o,\"%d\",&a);fscanf(r,\"%d\",&b);printf(\"input %d\\n\",x);return a==b?0:1;}\n";
        var test = await GradeAsync("5", "5", new { type = "custom", language = "c", source = checker });
        Assert.Equal("AC", (string?)test["verdict"]);
        Assert.Contains("input 5", (string?)test["checkerMessage"], StringComparison.Ordinal);
        var wrong = await GradeAsync("6", "5", new { type = "custom", language = "c", source = checker });
        Assert.Equal("WA", (string?)wrong["verdict"]);
    }

    [Fact]
    public async Task CustomChecker_PresentationError_IsWrongAnswerWithMessage()
    {
        var test = await GradeAsync("x", "x", new { type = "custom", language = "bash", source = "exit 2\n" });
        Assert.Equal("WA", (string?)test["verdict"]);
        Assert.Contains("Presentation Error", (string?)test["checkerMessage"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kill -SEGV $$\n")]
    [InlineData("exit 3\n")]
    [InlineData("exit 42\n")]
    [InlineData("echo 'points 99' >&2; exit 7\n")]
    public async Task CustomChecker_ThatFails_IsInternalErrorNotWrongAnswer(string source)
    {
        var (_, body) = await runner.PostAsync(new
        {
            language = "bash",
            source = "echo hi\n",
            tests = new object[] { new { id = "1", input = "", expectedOutput = "hi\n" } },
            checker = new { type = "custom", language = "bash", source },
        });
        Assert.Equal("IE", (string?)body["tests"]![0]!["verdict"]);
        Assert.Equal("IE", (string?)body["verdict"]);
    }
}
