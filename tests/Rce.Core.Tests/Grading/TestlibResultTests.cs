using System.Text;
using Rce.Core.Grading;
using Rce.Core.Verdicts;

namespace Rce.Core.Tests.Grading;

public sealed class TestlibResultTests
{
    private static CheckResult Map(int? exit, string stdout = "", string stderr = "", double points = 4, bool crashed = false) =>
        TestlibResult.Map(exit, crashed, stdout, stderr, points);

    [Fact]
    public void Map_Exit0_AcceptedWithFullPointsAndStdoutMessage() =>
        Assert.Equal(new CheckResult(Verdict.Accepted, 4, "ok 3 numbers"), Map(0, "ok 3 numbers"));

    [Fact]
    public void Map_Exit0EmptyStdout_NoMessage() => Assert.Null(Map(0).Message);

    [Fact]
    public void Map_Exit1_WrongAnswerZeroPoints() =>
        Assert.Equal(new CheckResult(Verdict.WrongAnswer, 0, "expected 5, found 6"), Map(1, "expected 5, found 6"));

    [Fact]
    public void Map_Exit2_WrongAnswerPresentationError()
    {
        Assert.Equal(new CheckResult(Verdict.WrongAnswer, 0, "Presentation Error"), Map(2));
        Assert.Equal("Presentation Error\nextra token", Map(2, "extra token").Message);
    }

    [Fact]
    public void Map_Exit3_InternalErrorWithCheckerMessage()
    {
        var result = Map(3, "assertion failed");
        Assert.Equal(Verdict.InternalError, result.Verdict);
        Assert.Equal(0, result.Points);
        Assert.EndsWith("assertion failed", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("points 2.5", 2.5)]
    [InlineData("points 2.5 partially correct", 2.5)]
    [InlineData("some log\npoints 4\n", 4)]
    [InlineData("points 0", 0)]
    [InlineData("points 1e0", 1)]
    public void Map_Exit7ValidPoints_AcceptedWithThosePoints(string stderr, double expected)
    {
        var result = Map(7, "partial", stderr);
        Assert.Equal(new CheckResult(Verdict.Accepted, expected, "partial"), result);
    }

    [Theory]
    [InlineData("points 4.5")]
    [InlineData("points -1")]
    [InlineData("points NaN")]
    [InlineData("points abc")]
    [InlineData("points 1,5")]
    [InlineData("points")]
    [InlineData("")]
    [InlineData("score 2")]
    public void Map_Exit7InvalidOrMissingPoints_InternalError(string stderr)
    {
        var result = Map(7, "", stderr);
        Assert.Equal(Verdict.InternalError, result.Verdict);
        Assert.Equal(0, result.Points);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(-1)]
    [InlineData(255)]
    public void Map_OtherExit_InternalError(int exit) => Assert.Equal(Verdict.InternalError, Map(exit, "x").Verdict);

    [Fact]
    public void Map_Signal_InternalError() => Assert.Equal(Verdict.InternalError, Map(null).Verdict);

    [Fact]
    public void Map_CrashedOrLimitedEvenWithExit0_InternalError() =>
        Assert.Equal(Verdict.InternalError, Map(0, "ok", crashed: true).Verdict);

    [Fact]
    public void Map_LongStdout_TruncatedTo64KiB()
    {
        var result = Map(1, new string('x', 100_000));
        Assert.Equal(TestlibResult.MaxMessageBytes, result.Message!.Length);
    }

    [Fact]
    public void Map_LongMultibyteStdout_TruncatedBetweenCharacters()
    {
        var message = Map(1, new string('é', 40_000)).Message!;
        Assert.Equal(TestlibResult.MaxMessageBytes, Encoding.UTF8.GetByteCount(message));
        Assert.All(message, c => Assert.Equal('é', c));
    }

    [Fact]
    public void Map_RawBytesInvalidUtf8_DoesNotThrowAndReadsPoints()
    {
        byte[] stdout = [0xFF, (byte)'o', (byte)'k'];
        var result = TestlibResult.Map(7, false, stdout, "points 1.5\n"u8, 2);
        Assert.Equal(Verdict.Accepted, result.Verdict);
        Assert.Equal(1.5, result.Points);
        Assert.Equal("\uFFFDok", result.Message);
    }

    [Fact]
    public void Map_RawBytesLongStdout_DecodesOnlyThePrefix()
    {
        var stdout = Encoding.UTF8.GetBytes(new string('é', 40_000));
        var message = TestlibResult.Map(1, false, stdout, ReadOnlySpan<byte>.Empty, 1).Message!;
        Assert.Equal(TestlibResult.MaxMessageBytes / 2, message.Length);
        Assert.DoesNotContain('\uFFFD', message);
    }
}
