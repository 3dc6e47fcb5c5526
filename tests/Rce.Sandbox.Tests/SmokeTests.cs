using Rce.Core.Verdicts;
using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests;

public sealed class SmokeTests(SandboxFixture fixture)
{
    [Fact]
    public async Task Run_PythonHello_IsAccepted()
    {
        var result = await fixture.RunAsync("python", "print('hello')\n", cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.Verdict == Verdict.Accepted, result.ToString());
        Assert.Equal("hello\n", result.Stdout);
    }
}
