using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Golden;

/// <summary>Golden verdicts of C# (top-level statements): the runtime's OutOfMemoryException (GC hard limit) is MLE.</summary>
public sealed class CSharpGoldenTests(SandboxFixture fixture)
{
    private const string Lang = "csharp";

    [Fact]
    public async Task CSharp_Hello_PrintsHello() =>
        Golden.Accepted(await fixture.Run(Lang, "System.Console.WriteLine(\"hello\");\n"), "hello\n");

    [Fact]
    public async Task CSharp_StdinSum_PrintsSum() =>
        Golden.Accepted(await fixture.Run(Lang, """
            var a = long.Parse(System.Console.ReadLine()!);
            var b = long.Parse(System.Console.ReadLine()!);
            System.Console.WriteLine(a + b);
            """, Golden.SumInput), Golden.SumOutput);

    [Fact]
    public async Task CSharp_SyntaxError_IsCompileError() =>
        Golden.CompileError(await fixture.Run(Lang, "System.Console.WriteLine(\"x\")\n"));

    [Fact]
    public async Task CSharp_ExitCode3_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "return 3;\n"), exitCode: 3);

    [Fact]
    public async Task CSharp_UncaughtException_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "throw new System.InvalidOperationException(\"boom\");\n"));

    [Fact]
    public async Task CSharp_InfiniteLoop_IsTimeLimitExceeded() =>
        Golden.TimeLimitExceeded(await fixture.Run(Lang, "long x = 0;\nwhile (true) { x++; }\n", limits: Golden.Tle));

    [Fact]
    public async Task CSharp_MemoryHog_IsMemoryLimitExceeded() =>
        Golden.MemoryLimitExceeded(await fixture.Run(Lang, """
            var keep = new System.Collections.Generic.List<byte[]>();
            while (true) { var b = new byte[1 << 20]; System.Array.Fill(b, (byte)1); keep.Add(b); }
            """, limits: Golden.Mle));

    [Fact]
    public async Task CSharp_EndlessOutput_IsOutputLimitExceeded() =>
        Golden.OutputLimitExceeded(await fixture.Run(Lang, "var s = new string('x', 63);\nwhile (true) { System.Console.WriteLine(s); }\n", limits: Golden.Ole));
}
