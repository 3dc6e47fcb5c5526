using Rce.Core.Grading;
using Rce.Core.Verdicts;
using static Rce.Core.Tests.Grading.GradingData;

namespace Rce.Core.Tests.Grading;

public sealed class TokenCheckerTests
{
    private static CheckResult Check(CheckerSpec spec, string output, string expected) =>
        OutputCheckers.Check(spec, Utf8(output), Utf8(expected), 3);

    private static CheckResult Tokens(string output, string expected) => Check(new CheckerSpec(CheckerKind.Tokens), output, expected);

    private static CheckResult Float(string output, string expected, double? abs = null, double? rel = null) =>
        Check(new CheckerSpec(CheckerKind.Float, abs, rel), output, expected);

    [Theory]
    [InlineData("1   2\n3", "1 2 3")]
    [InlineData("\r\n 1\t2\r\n3\n\n", "1 2 3")]
    [InlineData("", " \n ")]
    public void Check_TokensEqualAnyWhitespace_Accepted(string output, string expected) =>
        Assert.Equal(new CheckResult(Verdict.Accepted, 3, null), Tokens(output, expected));

    [Theory]
    [InlineData("1 2 3 4", "1 2 3 4 5", "expected 5 tokens, got 4")]
    [InlineData("1 2 x", "1 2 y", "token 3 differs")]
    [InlineData("1.0", "1", "token 1 differs")]
    [InlineData("ab", "a b", "token 1 differs")]
    public void Check_TokensDiffer_WrongAnswer(string output, string expected, string message) =>
        Assert.Equal(new CheckResult(Verdict.WrongAnswer, 0, message), Tokens(output, expected));

    [Theory]
    [InlineData("1.0000001", "1")]
    [InlineData("1e-3 abc", "0.001 abc")]
    [InlineData("1000000.5", "1000000")]
    [InlineData("-0", "0")]
    [InlineData("nan", "nan")]
    [InlineData("2.5\n\n3", "2.5 3")]
    public void Check_FloatDefaultToleranceWithin_Accepted(string output, string expected) =>
        Assert.Equal(Verdict.Accepted, Float(output, expected).Verdict);

    [Theory]
    [InlineData("1.00001", "1")]
    [InlineData("NaN", "1")]
    [InlineData("NaN", "nan")]
    [InlineData("Infinity", "1e400")]
    [InlineData("abd", "abc")]
    [InlineData("0x10", "16")]
    public void Check_FloatOutsideToleranceOrNotNumbers_WrongAnswer(string output, string expected) =>
        Assert.Equal(Verdict.WrongAnswer, Float(output, expected).Verdict);

    [Theory]
    [InlineData("1.5", true)]
    [InlineData("0.5", true)]
    [InlineData("1.75", false)]
    public void Check_FloatAbsoluteOnly_EdgeIsInclusive(string output, bool accepted) =>
        Assert.Equal(accepted ? Verdict.Accepted : Verdict.WrongAnswer, Float(output, "1", abs: 0.5).Verdict);

    [Theory]
    [InlineData("5", "4", true)]
    [InlineData("3", "4", true)]
    [InlineData("5.5", "4", false)]
    [InlineData("4", "3", false)]
    public void Check_FloatRelativeOnly_RelativeToExpectedEdgeInclusive(string output, string expected, bool accepted) =>
        Assert.Equal(accepted ? Verdict.Accepted : Verdict.WrongAnswer, Float(output, expected, rel: 0.25).Verdict);

    [Fact]
    public void Check_FloatAbsoluteOrRelative_EitherSuffices()
    {
        Assert.Equal(Verdict.Accepted, Float("100.5", "100", abs: 0.1, rel: 0.01).Verdict);
        Assert.Equal(Verdict.Accepted, Float("0.05", "0", abs: 0.1, rel: 0.01).Verdict);
        Assert.Equal(Verdict.WrongAnswer, Float("102", "100", abs: 0.1, rel: 0.01).Verdict);
    }

    [Fact]
    public void Check_FloatTokenCountMismatch_WrongAnswerWithCounts() =>
        Assert.Equal(new CheckResult(Verdict.WrongAnswer, 0, "expected 3 tokens, got 2"), Float("1 2", "1 2 3"));

    [Fact]
    public void Check_FloatNumberDiffers_SaysWhichToken() =>
        Assert.Equal("token 2 differs", Float("1 2.1", "1 2").Message);

    [Theory]
    [InlineData(-1.0, null)]
    [InlineData(null, double.NaN)]
    [InlineData(double.PositiveInfinity, null)]
    public void Check_FloatInvalidTolerance_InternalError(double? abs, double? rel) =>
        Assert.Equal(Verdict.InternalError, Float("1", "1", abs, rel).Verdict);
}
