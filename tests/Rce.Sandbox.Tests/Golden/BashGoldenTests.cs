using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Golden;

/// <summary>Golden verdicts of Bash: a syntax error is a runtime error (bash exits 2).</summary>
public sealed class BashGoldenTests(SandboxFixture fixture)
{
    private const string Lang = "bash";

    [Fact]
    public async Task Bash_Hello_PrintsHello() =>
        Golden.Accepted(await fixture.Run(Lang, "echo hello\n"), "hello\n");

    [Fact]
    public async Task Bash_StdinSum_PrintsSum() =>
        Golden.Accepted(await fixture.Run(Lang, "read -r a\nread -r b\necho $((a + b))\n", Golden.SumInput), Golden.SumOutput);

    [Fact]
    public async Task Bash_SyntaxError_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "if then fi\n"), exitCode: 2);

    [Fact]
    public async Task Bash_ExitCode3_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "exit 3\n"), exitCode: 3);

    [Fact]
    public async Task Bash_InfiniteLoop_IsTimeLimitExceeded() =>
        Golden.TimeLimitExceeded(await fixture.Run(Lang, "while :; do :; done\n", limits: Golden.Tle));

    [Fact]
    public async Task Bash_MemoryHog_IsMemoryLimitExceeded() =>
        Golden.MemoryLimitExceeded(await fixture.Run(Lang, "s=xxxxxxxxxxxxxxxx\nwhile :; do s=\"$s$s\"; done\n", limits: Golden.Mle));

    [Fact]
    public async Task Bash_EndlessOutput_IsOutputLimitExceeded() =>
        Golden.OutputLimitExceeded(await fixture.Run(Lang, "s=$(printf 'x%.0s' {1..63})\nwhile :; do echo \"$s\"; done\n", limits: Golden.Ole));
}
