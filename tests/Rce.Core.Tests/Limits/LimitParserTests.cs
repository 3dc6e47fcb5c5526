using Rce.Core.Limits;

namespace Rce.Core.Tests.Limits;

public sealed class LimitParserTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("2s", 2000)]
    [InlineData("1.5s", 1500)]
    [InlineData("1m", 60000)]
    public void TryParseDuration_WithUnit_Parses(string text, int ms)
    {
        Assert.True(LimitParser.TryParseDuration(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(ms), value);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("-1s")]
    [InlineData("0s")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("9999999m")]
    public void TryParseDuration_Invalid_IsRejected(string text) => Assert.False(LimitParser.TryParseDuration(text, out _));

    [Theory]
    [InlineData("256MiB", 256L << 20)]
    [InlineData("64KiB", 64L << 10)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("1000", 1000)]
    [InlineData("1.5MiB", 3L << 19)]
    public void TryParseSize_Valid_Parses(string text, long bytes)
    {
        Assert.True(LimitParser.TryParseSize(text, out var value));
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5MiB")]
    [InlineData("lots")]
    [InlineData("12XB")]
    public void TryParseSize_Invalid_IsRejected(string text) => Assert.False(LimitParser.TryParseSize(text, out _));

    [Fact]
    public void Defaults_MatchTheProductsLimits()
    {
        var run = ResourceLimits.RunDefaults;
        Assert.Equal(TimeSpan.FromSeconds(2), run.CpuTime);
        Assert.Equal(TimeSpan.FromSeconds(7), run.EffectiveWallTime);
        Assert.Equal(256L << 20, run.MemoryBytes);
        Assert.Equal(64, run.Processes);
        Assert.Equal(16L << 20, run.StdoutBytes);
        Assert.Equal(1L << 20, run.StderrBytes);
        Assert.Equal(64L << 20, run.FileSizeBytes);
        Assert.Equal(256, run.OpenFiles);
        var compile = ResourceLimits.CompileDefaults;
        Assert.Equal(TimeSpan.FromSeconds(10), compile.CpuTime);
        Assert.Equal(TimeSpan.FromSeconds(20), compile.EffectiveWallTime);
        Assert.Equal(1L << 30, compile.MemoryBytes);
        Assert.Equal(128, compile.Processes);
        Assert.Equal(64L << 10, compile.StderrBytes);
    }
}
