using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Golden;

/// <summary>Golden verdicts of Python 3: no compile step, so a syntax error is a runtime error.</summary>
public sealed class PythonGoldenTests(SandboxFixture fixture)
{
    private const string Lang = "python";

    [Fact]
    public async Task Python_Hello_PrintsHello() =>
        Golden.Accepted(await fixture.Run(Lang, "print('hello')\n"), "hello\n");

    [Fact]
    public async Task Python_StdinSum_PrintsSum() =>
        Golden.Accepted(await fixture.Run(Lang, "import sys\na, b = map(int, sys.stdin.read().split())\nprint(a + b)\n", Golden.SumInput), Golden.SumOutput);

    [Fact]
    public async Task Python_SyntaxError_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "def f(:\n    pass\n"), exitCode: 1);

    [Fact]
    public async Task Python_ExitCode3_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "import sys\nsys.exit(3)\n"), exitCode: 3);

    [Fact]
    public async Task Python_DivisionByZero_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "print(1 // 0)\n"), exitCode: 1);

    [Fact]
    public async Task Python_InfiniteLoop_IsTimeLimitExceeded() =>
        Golden.TimeLimitExceeded(await fixture.Run(Lang, "while True:\n    pass\n", limits: Golden.Tle));

    [Fact]
    public async Task Python_MemoryHog_IsMemoryLimitExceeded() =>
        Golden.MemoryLimitExceeded(await fixture.Run(Lang, "keep = []\nwhile True:\n    keep.append(b'x' * (1 << 20))\n", limits: Golden.Mle));

    [Fact]
    public async Task Python_EndlessOutput_IsOutputLimitExceeded() =>
        Golden.OutputLimitExceeded(await fixture.Run(Lang, "while True:\n    print('x' * 63)\n", limits: Golden.Ole));
}
