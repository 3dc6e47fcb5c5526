using Rce.Core.Grading;
using Rce.Core.Verdicts;
using static Rce.Core.Tests.Grading.GradingData;

namespace Rce.Core.Tests.Grading;

public sealed class OutputCheckersTests
{
    public static TheoryData<CheckerKind> BuiltIn =>
    [
        CheckerKind.Lines, CheckerKind.Exact, CheckerKind.Tokens, CheckerKind.Float, CheckerKind.CaseInsensitive, CheckerKind.UnorderedLines,
    ];

    [Fact]
    public void Check_ExactIdentical_AcceptedWithFullPoints() =>
        Assert.Equal(new CheckResult(Verdict.Accepted, 2, null), OutputCheckers.Check(new CheckerSpec(CheckerKind.Exact), Utf8("a b\n"), Utf8("a b\n"), 2));

    [Theory]
    [InlineData("1\n", "1", "expected 1 bytes, got 2")]
    [InlineData("ab", "ac", "byte 2 differs")]
    [InlineData("1\r\n", "1\n", "byte 2 differs")]
    [InlineData("1 ", "1", "expected 1 bytes, got 2")]
    public void Check_ExactAnyByteDiffers_WrongAnswer(string output, string expected, string message) =>
        Assert.Equal(new CheckResult(Verdict.WrongAnswer, 0, message), OutputCheckers.Check(new CheckerSpec(CheckerKind.Exact), Utf8(output), Utf8(expected), 2));

    [Theory]
    [MemberData(nameof(BuiltIn))]
    public void Check_InvalidUtf8Identical_AcceptedWithoutThrowing(CheckerKind kind)
    {
        byte[] bytes = [0xC3, 0x28, (byte)' ', 0xFF, 0xFE, (byte)'\n', 0xE2, 0x82];
        Assert.Equal(Verdict.Accepted, OutputCheckers.Check(new CheckerSpec(kind), bytes, bytes, 1).Verdict);
    }

    [Theory]
    [MemberData(nameof(BuiltIn))]
    public void Check_DifferentInvalidUtf8_WrongAnswerNotConflated(CheckerKind kind)
    {
        // Both would decode to U+FFFD: comparing decoded text would wrongly accept.
        Assert.Equal(Verdict.WrongAnswer, OutputCheckers.Check(new CheckerSpec(kind), [0xFF], [0xFE], 1).Verdict);
    }

    [Theory]
    [MemberData(nameof(BuiltIn))]
    public void Check_HugeDifferingOutput_MessageStaysShort(CheckerKind kind)
    {
        var output = new byte[1 << 20];
        output.AsSpan().Fill((byte)'x');
        var result = OutputCheckers.Check(new CheckerSpec(kind), output, Utf8("y"), 1);
        Assert.Equal(Verdict.WrongAnswer, result.Verdict);
        Assert.InRange(result.Message!.Length, 1, 100);
    }

    [Fact]
    public void Check_Custom_Throws() =>
        Assert.Throws<ArgumentException>(() => OutputCheckers.Check(new CheckerSpec(CheckerKind.Custom), Utf8("a"), Utf8("a"), 1));
}
