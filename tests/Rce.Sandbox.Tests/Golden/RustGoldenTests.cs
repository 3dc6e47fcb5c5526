using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Golden;

/// <summary>Golden verdicts of Rust.</summary>
public sealed class RustGoldenTests(SandboxFixture fixture)
{
    private const string Lang = "rust";

    [Fact]
    public async Task Rust_Hello_PrintsHello() =>
        Golden.Accepted(await fixture.Run(Lang, "fn main() { println!(\"hello\"); }\n"), "hello\n");

    [Fact]
    public async Task Rust_StdinSum_PrintsSum() =>
        Golden.Accepted(await fixture.Run(Lang, """
            use std::io::Read;
            fn main() {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s).unwrap();
                let sum: i64 = s.split_whitespace().map(|t| t.parse::<i64>().unwrap()).sum();
                println!("{}", sum);
            }
            """, Golden.SumInput), Golden.SumOutput);

    [Fact]
    public async Task Rust_SyntaxError_IsCompileError() =>
        Golden.CompileError(await fixture.Run(Lang, "fn main() { let x = ; }\n"));

    [Fact]
    public async Task Rust_ExitCode3_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "fn main() { std::process::exit(3); }\n"), exitCode: 3);

    [Fact]
    public async Task Rust_Panic_IsRuntimeError() =>
        Golden.RuntimeError(await fixture.Run(Lang, "fn main() { let v: Vec<i32> = Vec::new(); println!(\"{}\", v[std::env::args().count()]); }\n"), exitCode: 101);

    [Fact]
    public async Task Rust_InfiniteLoop_IsTimeLimitExceeded() =>
        Golden.TimeLimitExceeded(await fixture.Run(Lang, "fn main() { let mut x: u64 = 0; loop { unsafe { std::ptr::write_volatile(&mut x, x.wrapping_add(1)); } } }\n", limits: Golden.Tle));

    [Fact]
    public async Task Rust_MemoryHog_IsMemoryLimitExceeded() =>
        Golden.MemoryLimitExceeded(await fixture.Run(Lang, """
            fn main() {
                let mut keep: Vec<Vec<u8>> = Vec::new();
                let mut sum = 0u64;
                loop {
                    keep.push(vec![1u8; 1 << 20]);
                    sum += unsafe { std::ptr::read_volatile(&keep[keep.len() - 1][4096]) } as u64;
                    if sum == u64::MAX { println!("{}", keep.len()); }
                }
            }
            """, limits: Golden.Mle));

    [Fact]
    public async Task Rust_EndlessOutput_IsOutputLimitExceeded() =>
        Golden.OutputLimitExceeded(await fixture.Run(Lang, "fn main() { let s = \"x\".repeat(63); loop { println!(\"{}\", s); } }\n", limits: Golden.Ole));
}
