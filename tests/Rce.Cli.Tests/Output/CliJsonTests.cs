using Rce.Cli.Output;
using Rce.Core.Execution;
using Rce.Core.Verdicts;

namespace Rce.Cli.Tests.Output;

public sealed class CliJsonTests
{
    private static ProcessReport Report(byte[] stdout) => new()
    {
        Stdout = stdout,
        Stderr = "warn"u8.ToArray(),
        ExitCode = null,
        Signal = 11,
        CpuTime = TimeSpan.FromMilliseconds(12.4),
        WallTime = TimeSpan.FromMilliseconds(30.6),
        MemoryBytes = 4096,
    };

    [Fact]
    public void Run_ValidUtf8_HasNoBase64AndEveryField()
    {
        var json = CliJson.Run(Verdict.RuntimeError, Report("hé\n"u8.ToArray()), null, null);
        Assert.Equal("RE", (string?)json["verdict"]);
        Assert.Equal("hé\n", (string?)json["stdout"]);
        Assert.Equal("warn", (string?)json["stderr"]);
        Assert.False(json.ContainsKey("stdoutBase64"));
        Assert.Null(json["exitCode"]);
        Assert.Equal(11, (int?)json["signal"]);
        Assert.Equal(12, (long?)json["cpuTimeMs"]);
        Assert.Equal(31, (long?)json["wallTimeMs"]);
        Assert.Equal(4096, (long?)json["memoryBytes"]);
        Assert.True(json.ContainsKey("compile"));
        Assert.Null(json["compile"]);
    }

    [Fact]
    public void Run_InvalidUtf8_ReplacesAndCarriesExactBytes()
    {
        byte[] bytes = [0x61, 0xff, 0x62];
        var json = CliJson.Run(Verdict.Accepted, Report(bytes), null, null);
        Assert.Equal("a\uFFFDb", (string?)json["stdout"]);
        Assert.Equal(Convert.ToBase64String(bytes), (string?)json["stdoutBase64"]);
    }

    [Fact]
    public void Run_WithCompile_HasCompileObject()
    {
        var json = CliJson.Run(Verdict.CompileError, null, Verdict.CompileError, Report("err"u8.ToArray()));
        Assert.Equal("CE", (string?)json["compile"]!["verdict"]);
        Assert.Equal("err", (string?)json["compile"]!["stdout"]);
        Assert.Null(json["exitCode"]);
    }
}
