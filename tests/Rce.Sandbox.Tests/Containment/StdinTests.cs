using System.Text;
using Rce.Core.Limits;
using Rce.Core.Verdicts;
using Rce.Sandbox.Boxes;
using Rce.Sandbox.Execution;
using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Containment;

/// <summary>stdin is written by the parent while it reads the outputs: a program that never reads it never blocks the run.</summary>
public sealed class StdinTests(SandboxFixture fixture)
{
    [Theory]
    [InlineData("print('ignored input')\n")]
    [InlineData("import os\nos.close(0)\nprint('closed stdin')\n")]
    public async Task LargeStdin_NotRead_DoesNotBlockOrFail(string source)
    {
        var python = fixture.Language("python");
        var program = new ProgramSource([new BoxFile("main.py", Encoding.UTF8.GetBytes(source))], "main.py");
        var stdin = new byte[16 << 20];
        var run = await fixture.Executor.RunAsync(python, program, null, stdin, [], ResourceLimits.RunDefaults, TestContext.Current.CancellationToken);
        Assert.Equal(Verdict.Accepted, run.Verdict);
        Assert.True(run.Report.WallTime < TimeSpan.FromSeconds(3), run.Report.WallTime.ToString());
    }

    [Fact]
    public async Task LargeStdin_ReadWhileWriting_ArrivesWhole()
    {
        var python = fixture.Language("python");
        var program = new ProgramSource([new BoxFile("main.py", "import sys\nprint(len(sys.stdin.buffer.read()))\n"u8.ToArray())], "main.py");
        var stdin = new byte[8 << 20];
        var run = await fixture.Executor.RunAsync(python, program, null, stdin, [], ResourceLimits.RunDefaults, TestContext.Current.CancellationToken);
        Assert.Equal(Verdict.Accepted, run.Verdict);
        Assert.Equal($"{8 << 20}\n", Encoding.UTF8.GetString(run.Report.Stdout.Span));
    }
}
