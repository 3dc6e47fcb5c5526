using Rce.Core.Verdicts;

namespace Rce.Core.Tests.Verdicts;

public sealed class VerdictCodesTests
{
    [Theory]
    [InlineData(Verdict.Accepted, "AC", 1)]
    [InlineData(Verdict.WrongAnswer, "WA", 2)]
    [InlineData(Verdict.TimeLimitExceeded, "TLE", 3)]
    [InlineData(Verdict.MemoryLimitExceeded, "MLE", 4)]
    [InlineData(Verdict.OutputLimitExceeded, "OLE", 5)]
    [InlineData(Verdict.RuntimeError, "RE", 6)]
    [InlineData(Verdict.CompileError, "CE", 7)]
    [InlineData(Verdict.InternalError, "IE", 8)]
    [InlineData(Verdict.Skipped, "SK", 9)]
    public void Codes_AndNumericIds_AreFixed(Verdict verdict, string code, int id)
    {
        Assert.Equal(code, verdict.ToCode());
        Assert.Equal(id, (int)verdict);
        Assert.True(VerdictCodes.TryParse(code, out var parsed));
        Assert.Equal(verdict, parsed);
    }

    [Fact]
    public void All_CoversEveryEnumMember() =>
        Assert.Equal(Enum.GetValues<Verdict>().Length, VerdictCodes.All.Count);

    [Theory]
    [InlineData("ac")]
    [InlineData("Queued")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_UnknownOrStatus_IsRejected(string? code) => Assert.False(VerdictCodes.TryParse(code, out _));
}
