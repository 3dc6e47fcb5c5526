using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Golden;

/// <summary>Golden verdicts of Java: the JVM's own OutOfMemoryError (heap bound from the limit) is MLE.</summary>
public sealed class JavaGoldenTests(SandboxFixture fixture)
{
    private const string Lang = "java";

    [Fact]
    public async Task Java_Hello_PrintsHello() =>
        Golden.Accepted(await fixture.Run(Lang, Program("System.out.println(\"hello\");")), "hello\n");

    [Fact]
    public async Task Java_StdinSum_PrintsSum() =>
        Golden.Accepted(await fixture.Run(Lang, Program("java.util.Scanner in = new java.util.Scanner(System.in); System.out.println(in.nextLong() + in.nextLong());"), Golden.SumInput), Golden.SumOutput);

    [Fact]
    public async Task Java_SyntaxError_IsCompileError() =>
        Golden.CompileError(await fixture.Run(Lang, Program("System.out.println(\"x\")")));

    [Fact]
    public async Task Java_ExitCode3_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, Program("System.exit(3);")), exitCode: 3);

    [Fact]
    public async Task Java_UncaughtException_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, Program("int z = args.length; System.out.println(7 / z);")), exitCode: 1);

    [Fact]
    public async Task Java_InfiniteLoop_IsTimeLimitExceeded() =>
        Golden.TimeLimitExceeded(await fixture.Run(Lang, Program("long x = 0; for (;;) { x++; }"), limits: Golden.Tle));

    [Fact]
    public async Task Java_MemoryHog_IsMemoryLimitExceeded() =>
        Golden.MemoryLimitExceeded(await fixture.Run(Lang, Program("java.util.List<long[]> keep = new java.util.ArrayList<>(); for (;;) { long[] b = new long[1 << 17]; java.util.Arrays.fill(b, 1L); keep.add(b); }"), limits: Golden.Mle));

    [Fact]
    public async Task Java_EndlessOutput_IsOutputLimitExceeded() =>
        Golden.OutputLimitExceeded(await fixture.Run(Lang, Program("String s = \"x\".repeat(63); for (;;) { System.out.println(s); }"), limits: Golden.Ole));

    private static string Program(string body) =>
        "public class Main {\n    public static void main(String[] args) {\n        " + body + "\n    }\n}\n";
}
