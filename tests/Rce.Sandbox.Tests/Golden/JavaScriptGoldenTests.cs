using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Golden;

/// <summary>Golden verdicts of JavaScript (Node.js): a syntax error is a runtime error; V8's heap OOM is MLE.</summary>
public sealed class JavaScriptGoldenTests(SandboxFixture fixture)
{
    private const string Lang = "javascript";

    [Fact]
    public async Task JavaScript_Hello_PrintsHello() =>
        Golden.Accepted(await fixture.Run(Lang, "console.log('hello');\n"), "hello\n");

    [Fact]
    public async Task JavaScript_StdinSum_PrintsSum() =>
        Golden.Accepted(await fixture.Run(Lang, """
            const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
            console.log(a + b);
            """, Golden.SumInput), Golden.SumOutput);

    [Fact]
    public async Task JavaScript_SyntaxError_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "function (\n"), exitCode: 1);

    [Fact]
    public async Task JavaScript_ExitCode3_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "process.exit(3);\n"), exitCode: 3);

    [Fact]
    public async Task JavaScript_UncaughtException_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "throw new Error('boom');\n"), exitCode: 1);

    [Fact]
    public async Task JavaScript_InfiniteLoop_IsTimeLimitExceeded() =>
        Golden.TimeLimitExceeded(await fixture.Run(Lang, "for (;;) {}\n", limits: Golden.Tle));

    [Fact]
    public async Task JavaScript_MemoryHog_IsMemoryLimitExceeded() =>
        Golden.MemoryLimitExceeded(await fixture.Run(Lang, "const keep = [];\nfor (;;) keep.push(new Array(1 << 16).fill(1.5));\n", limits: Golden.Mle));

    [Fact]
    public async Task JavaScript_EndlessOutput_IsOutputLimitExceeded() =>
        // Node buffers pipe writes until its event loop runs, so an endless writer must yield on 'drain';
        // a loop that never yields grows its buffer until the memory or time limit ends it instead.
        Golden.OutputLimitExceeded(await fixture.Run(Lang, "const s = 'x'.repeat(4095) + '\\n';\nfunction pump() { while (process.stdout.write(s)); process.stdout.once('drain', pump); }\npump();\n", limits: Golden.Ole));
}
