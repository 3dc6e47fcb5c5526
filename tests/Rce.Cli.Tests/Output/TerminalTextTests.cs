using Rce.Cli.Output;

namespace Rce.Cli.Tests.Output;

public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("\u001b[31mred\u001b[0m", "\\x1b[31mred\\x1b[0m")]
    [InlineData("bell\u0007", "bell\\x07")]
    [InlineData("cr\rline", "cr\\x0dline")]
    [InlineData("bidi\u202Etxt", "bidi\\u202etxt")]
    [InlineData("ok\n\ttab", "ok\n\ttab")]
    [InlineData("héllo ✓", "héllo ✓")]
    public void Escape_ControlCharacters_AreShownNotInterpreted(string input, string expected) =>
        Assert.Equal(expected, TerminalText.Escape(input));
}
