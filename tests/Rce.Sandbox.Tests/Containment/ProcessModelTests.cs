using Rce.Core.Execution;
using Rce.Core.Verdicts;
using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Containment;

/// <summary>
/// The box's process model: <c>rce-init</c> is the pid namespace's init and the program its child,
/// so that signals a program sends itself, and the kernel's own signals, end it as they would on
/// a plain host. (A program that were pid 1 itself would have them dropped by the kernel.)
/// </summary>
public sealed class ProcessModelTests(SandboxFixture fixture) : ContainmentHarness(fixture)
{
    [Fact]
    public async Task TheProgram_IsNotPid1_AndPid1IsRceInit()
    {
        const string source = "import os\nprint('pid1', os.getpid() == 1)\nprint('init', open('/proc/1/cmdline', 'rb').read().split(b'\\0')[0].decode())\n";
        var result = await ContainAsync("python", source, Tight, Verdict.Accepted);
        Assert.Contains("pid1 False", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("init /rce-init", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Abort_EndsBySigabrt()
    {
        var result = await ContainAsync("c", "#include <stdlib.h>\nint main(void){abort();}\n", Tight, Verdict.RuntimeError);
        Assert.Equal(6, result.Run!.Report.Signal);
    }

    [Fact]
    public async Task AFailedAssertion_EndsBySigabrt_WithItsMessage()
    {
        var result = await ContainAsync("cpp", "#include <cassert>\nint main(){int x = 1; assert(x == 2); return 0;}\n", Tight, Verdict.RuntimeError);
        Assert.Equal(6, result.Run!.Report.Signal);
        Assert.Contains("Assertion", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASignalTheProgramSendsItself_EndsIt()
    {
        var result = await ContainAsync("python", "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\nprint('survived')\n", Tight, Verdict.RuntimeError);
        Assert.Equal(15, result.Run!.Report.Signal);
        Assert.DoesNotContain("survived", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WritingPastTheFileSizeLimit_IsOutputLimitExceeded()
    {
        // RLIMIT_FSIZE's SIGXFSZ, sent by the kernel to the writer: OLE, not an EFBIG the program
        // could swallow.
        const string source = "#include <stdio.h>\nint main(void){static char b[65536];FILE*f=fopen(\"/tmp/big\",\"w\");" +
            "for(int i=0;i<64;i++){if(fwrite(b,1,sizeof b,f)!=sizeof b||fflush(f)){puts(\"write failed\");return 3;}}puts(\"wrote all\");return 0;}\n";
        var result = await ContainAsync("c", source, Tight with { FileSizeBytes = 1L << 20 }, Verdict.OutputLimitExceeded);
        Assert.Equal(StopReason.Output, result.Run!.Report.StopReason);
        Assert.Equal(25, result.Run.Report.Signal);
    }

    [Fact]
    public async Task ACommandThatCannotBeStarted_ExitsWith127_AndSaysWhy()
    {
        var result = await Fixture.Sandbox.RunAsync(
            new BoxSpec { Command = ["/box/missing"], Limits = Tight }, TestContext.Current.CancellationToken);
        Assert.Equal(StopReason.None, result.Report.StopReason);
        Assert.Equal(127, result.Report.ExitCode);
        Assert.Null(result.Report.Signal);
        Assert.Contains("rce-init: /box/missing: No such file or directory", System.Text.Encoding.UTF8.GetString(result.Report.Stderr.Span), StringComparison.Ordinal);
    }
}
