using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Golden;

/// <summary>Golden verdicts of C++ (G++).</summary>
public sealed class CppGoldenTests(SandboxFixture fixture)
{
    private const string Lang = "cpp";

    [Fact]
    public async Task Cpp_Hello_PrintsHello() =>
        Golden.Accepted(await fixture.Run(Lang, "#include <iostream>\nint main() { std::cout << \"hello\" << std::endl; }\n"), "hello\n");

    [Fact]
    public async Task Cpp_StdinSum_PrintsSum() =>
        Golden.Accepted(await fixture.Run(Lang, """
            #include <iostream>
            int main() { long long a, b; std::cin >> a >> b; std::cout << a + b << '\n'; }
            """, Golden.SumInput), Golden.SumOutput);

    [Fact]
    public async Task Cpp_SyntaxError_IsCompileError() =>
        Golden.CompileError(await fixture.Run(Lang, "#include <iostream>\nint main() { std::cout << \"x\" }\n"));

    [Fact]
    public async Task Cpp_ExitCode3_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "int main() { return 3; }\n"), exitCode: 3);

    [Fact]
    public async Task Cpp_UncaughtException_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "#include <stdexcept>\nint main() { throw std::runtime_error(\"boom\"); }\n"));

    [Fact]
    public async Task Cpp_InfiniteLoop_IsTimeLimitExceeded() =>
        Golden.TimeLimitExceeded(await fixture.Run(Lang, "int main() { volatile unsigned long x = 0; for (;;) x++; }\n", limits: Golden.Tle));

    [Fact]
    public async Task Cpp_MemoryHog_IsMemoryLimitExceeded() =>
        Golden.MemoryLimitExceeded(await fixture.Run(Lang, """
            #include <vector>
            std::vector<std::vector<char>> keep;
            int main() { for (;;) keep.emplace_back(1 << 20, 'x'); }
            """, limits: Golden.Mle));

    [Fact]
    public async Task Cpp_EndlessOutput_IsOutputLimitExceeded() =>
        Golden.OutputLimitExceeded(await fixture.Run(Lang, """
            #include <iostream>
            int main() { for (;;) std::cout << "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"; }
            """, limits: Golden.Ole));
}
