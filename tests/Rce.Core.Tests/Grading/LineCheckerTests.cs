using Rce.Core.Grading;
using Rce.Core.Verdicts;
using static Rce.Core.Tests.Grading.GradingData;

namespace Rce.Core.Tests.Grading;

public sealed class LineCheckerTests
{
    private static CheckResult Lines(string output, string expected, double points = 1) =>
        OutputCheckers.Check(CheckerSpec.Default, Utf8(output), Utf8(expected), points);

    [Theory]
    [InlineData("1\n2\n", "1\n2\n")]
    [InlineData("1\r\n2\r\n", "1\n2\n")]
    [InlineData("1\n2", "1\n2\n")]
    [InlineData("1  \t\n2 \n", "1\n2")]
    [InlineData("1\n2\n\n\n  \n", "1\n2\n")]
    [InlineData("1 \r\n2\t\r\n\r\n", "1\n2")]
    [InlineData("", "\n\n")]
    [InlineData("a\n\nb\n", "a\n\nb")]
    public void Check_LinesEquivalent_AcceptedWithFullPoints(string output, string expected)
    {
        var result = Lines(output, expected, points: 7);
        Assert.Equal(new CheckResult(Verdict.Accepted, 7, null), result);
    }

    [Theory]
    [InlineData(" 1\n2", "1\n2", "line 1 differs")]
    [InlineData("1\n2  3", "1\n2 3", "line 2 differs")]
    [InlineData("1\n\n2", "1\n2", "line 2 differs")]
    [InlineData("1\r2", "1\n2", "line 1 differs")]
    [InlineData("1\n2", "1\n2\n3", "expected 3 lines, got 2")]
    [InlineData("1\n2\n3\n", "1\n2", "expected 2 lines, got 3")]
    [InlineData("", "x", "expected 1 lines, got 0")]
    [InlineData("Yes", "yes", "line 1 differs")]
    public void Check_LinesDiffer_WrongAnswerWithZeroPointsAndWhere(string output, string expected, string message)
    {
        var result = Lines(output, expected, points: 7);
        Assert.Equal(new CheckResult(Verdict.WrongAnswer, 0, message), result);
    }

    [Theory]
    [InlineData("Hello\nWORLD\n", "hello\nworld")]
    [InlineData("YES  \r\n", "yes")]
    [InlineData("ÄBÇ\n", "äbç")]
    public void Check_CaseInsensitiveDifferentCase_Accepted(string output, string expected) =>
        Assert.Equal(Verdict.Accepted, Check(CheckerKind.CaseInsensitive, output, expected).Verdict);

    [Theory]
    [InlineData("hallo", "hello")]
    [InlineData(" yes", "YES")]
    [InlineData("yes\nno", "yes")]
    public void Check_CaseInsensitiveOtherwiseDifferent_WrongAnswer(string output, string expected) =>
        Assert.Equal(Verdict.WrongAnswer, Check(CheckerKind.CaseInsensitive, output, expected).Verdict);

    [Fact]
    public void Check_CaseInsensitiveInvalidUtf8_ComparesInvalidBytesExactly()
    {
        var spec = new CheckerSpec(CheckerKind.CaseInsensitive);
        Assert.Equal(Verdict.Accepted, OutputCheckers.Check(spec, [0xFF, (byte)'a'], [0xFF, (byte)'A'], 1).Verdict);
        Assert.Equal(Verdict.WrongAnswer, OutputCheckers.Check(spec, [0xFF, (byte)'a'], [0xFE, (byte)'a'], 1).Verdict);
    }

    [Theory]
    [InlineData("b\na\nc", "a\nb\nc")]
    [InlineData("b \r\na\r\n\n", "a\nb\n")]
    [InlineData("x\n\ny", "y\n\nx\n\n")]
    public void Check_UnorderedLinesPermutation_Accepted(string output, string expected) =>
        Assert.Equal(Verdict.Accepted, Check(CheckerKind.UnorderedLines, output, expected).Verdict);

    [Theory]
    [InlineData("a\na\nb", "a\nb\nb", "the lines differ (compared in any order)")]
    [InlineData("a\nb", "a\nb\nc", "expected 3 lines, got 2")]
    [InlineData("A\nb", "a\nb", "the lines differ (compared in any order)")]
    public void Check_UnorderedLinesDifferentMultiset_WrongAnswer(string output, string expected, string message) =>
        Assert.Equal(new CheckResult(Verdict.WrongAnswer, 0, message), Check(CheckerKind.UnorderedLines, output, expected));

    private static CheckResult Check(CheckerKind kind, string output, string expected) =>
        OutputCheckers.Check(new CheckerSpec(kind), Utf8(output), Utf8(expected), 1);
}
