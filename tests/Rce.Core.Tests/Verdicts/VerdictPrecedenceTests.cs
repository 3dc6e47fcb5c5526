using Rce.Core.Verdicts;

namespace Rce.Core.Tests.Verdicts;

public sealed class VerdictPrecedenceTests
{
    [Fact]
    public void Combine_CompileFailed_IsCompileErrorWhateverTheTests() =>
        Assert.Equal(Verdict.CompileError, VerdictPrecedence.Combine(true, [Verdict.Accepted, Verdict.InternalError]));

    [Theory]
    [InlineData(new[] { Verdict.Accepted, Verdict.WrongAnswer, Verdict.RuntimeError }, Verdict.RuntimeError)]
    [InlineData(new[] { Verdict.OutputLimitExceeded, Verdict.RuntimeError }, Verdict.OutputLimitExceeded)]
    [InlineData(new[] { Verdict.MemoryLimitExceeded, Verdict.OutputLimitExceeded }, Verdict.MemoryLimitExceeded)]
    [InlineData(new[] { Verdict.TimeLimitExceeded, Verdict.MemoryLimitExceeded }, Verdict.TimeLimitExceeded)]
    [InlineData(new[] { Verdict.InternalError, Verdict.TimeLimitExceeded }, Verdict.InternalError)]
    [InlineData(new[] { Verdict.Accepted, Verdict.Accepted }, Verdict.Accepted)]
    [InlineData(new[] { Verdict.WrongAnswer, Verdict.Skipped, Verdict.Skipped }, Verdict.WrongAnswer)]
    public void Combine_FirstPresentInPrecedenceOrder_Wins(Verdict[] tests, Verdict expected) =>
        Assert.Equal(expected, VerdictPrecedence.Combine(false, tests));

    [Fact]
    public void Combine_SkippedNeverDecides_OnlySkippedIsInternalError() =>
        Assert.Equal(Verdict.InternalError, VerdictPrecedence.Combine(false, [Verdict.Skipped]));

    [Fact]
    public void Combine_OrderOfTests_DoesNotMatter()
    {
        Verdict[] tests = [Verdict.WrongAnswer, Verdict.TimeLimitExceeded, Verdict.Accepted];
        Assert.Equal(VerdictPrecedence.Combine(false, tests), VerdictPrecedence.Combine(false, tests.Reverse()));
    }
}
