using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Golden;

/// <summary>Golden verdicts of C (GCC).</summary>
public sealed class CGoldenTests(SandboxFixture fixture)
{
    private const string Lang = "c";

    [Fact]
    public async Task C_Hello_PrintsHello() =>
        Golden.Accepted(await fixture.Run(Lang, "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n"), "hello\n");

    [Fact]
    public async Task C_StdinSum_PrintsSum() =>
        Golden.Accepted(await fixture.Run(Lang, """
            #include <stdio.h>
            int main(void) { long a, b; if (scanf("%ld %ld", &a, &b) != 2) return 1; printf("%ld\n", a + b); return 0; }
            """, Golden.SumInput), Golden.SumOutput);

    [Fact]
    public async Task C_SyntaxError_IsCompileError() =>
        Golden.CompileError(await fixture.Run(Lang, "int main(void) { return 0 }\n"));

    [Fact]
    public async Task C_ExitCode3_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "int main(void) { return 3; }\n"), exitCode: 3);

    [Fact]
    public async Task C_DivisionByZero_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "int main(void) { volatile int z = 0; return 7 / z; }\n"));

    [Fact]
    public async Task C_InfiniteLoop_IsTimeLimitExceeded() =>
        Golden.TimeLimitExceeded(await fixture.Run(Lang, "int main(void) { volatile unsigned long x = 0; for (;;) x++; }\n", limits: Golden.Tle));

    [Fact]
    public async Task C_MemoryHog_IsMemoryLimitExceeded() =>
        Golden.MemoryLimitExceeded(await fixture.Run(Lang, """
            #include <stdlib.h>
            #include <string.h>
            char *volatile keep;
            int main(void) { for (;;) { char *p = malloc(1 << 20); if (!p) return 1; memset(p, 1, 1 << 20); keep = p; } }
            """, limits: Golden.Mle));

    [Fact]
    public async Task C_EndlessOutput_IsOutputLimitExceeded() =>
        Golden.OutputLimitExceeded(await fixture.Run(Lang, """
            #include <stdio.h>
            int main(void) { for (;;) puts("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"); }
            """, limits: Golden.Ole));
}
