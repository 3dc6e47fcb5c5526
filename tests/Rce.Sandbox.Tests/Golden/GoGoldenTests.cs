using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Golden;

/// <summary>Golden verdicts of Go: GOMEMLIMIT is soft, so a hog past it is still OOM-killed (MLE).</summary>
public sealed class GoGoldenTests(SandboxFixture fixture)
{
    private const string Lang = "go";

    [Fact]
    public async Task Go_Hello_PrintsHello() =>
        Golden.Accepted(await fixture.Run(Lang, "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"), "hello\n");

    [Fact]
    public async Task Go_StdinSum_PrintsSum() =>
        Golden.Accepted(await fixture.Run(Lang, "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tvar a, b int64\n\tfmt.Scan(&a, &b)\n\tfmt.Println(a + b)\n}\n", Golden.SumInput), Golden.SumOutput);

    [Fact]
    public async Task Go_SyntaxError_IsCompileError() =>
        Golden.CompileError(await fixture.Run(Lang, "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"x\" }\n"));

    [Fact]
    public async Task Go_ExitCode3_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "package main\n\nimport \"os\"\n\nfunc main() { os.Exit(3) }\n"), exitCode: 3);

    [Fact]
    public async Task Go_Panic_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "package main\n\nfunc main() { panic(\"boom\") }\n"), exitCode: 2);

    [Fact]
    public async Task Go_InfiniteLoop_IsTimeLimitExceeded() =>
        Golden.TimeLimitExceeded(await fixture.Run(Lang, "package main\n\nvar x uint64\n\nfunc main() {\n\tfor {\n\t\tx++\n\t}\n}\n", limits: Golden.Tle));

    [Fact]
    public async Task Go_MemoryHog_IsMemoryLimitExceeded() =>
        Golden.MemoryLimitExceeded(await fixture.Run(Lang, """
            package main

            var keep [][]byte

            func main() {
            	for {
            		b := make([]byte, 1<<20)
            		for i := range b {
            			b[i] = 1
            		}
            		keep = append(keep, b)
            	}
            }
            """, limits: Golden.Mle));

    [Fact]
    public async Task Go_EndlessOutput_IsOutputLimitExceeded() =>
        Golden.OutputLimitExceeded(await fixture.Run(Lang, "package main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\nfunc main() {\n\ts := strings.Repeat(\"x\", 63)\n\tfor {\n\t\tfmt.Println(s)\n\t}\n}\n", limits: Golden.Ole));
}
