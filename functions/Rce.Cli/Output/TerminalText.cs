using System.Globalization;
using System.Text;

namespace Rce.Cli.Output;

/// <summary>Makes program output safe to print to a terminal.</summary>
/// <remarks>
/// Threat: a program's bytes could carry escape sequences that recolour, retitle or (on some
/// terminals) drive the user's terminal. Every control character except newline and tab is
/// shown as an escape such as <c>\x1b</c>.
/// </remarks>
internal static class TerminalText
{
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is '\n' or '\t')
            {
                sb.Append((char)rune.Value);
            }
            else if (Rune.IsControl(rune) || rune.Value is >= 0x200B and <= 0x200F or >= 0x202A and <= 0x202E or >= 0x2066 and <= 0x2069)
            {
                sb.Append(rune.Value <= 0xFF
                    ? string.Create(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}")
                    : string.Create(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}"));
            }
            else
            {
                sb.Append(rune.ToString());
            }
        }

        return sb.ToString();
    }
}
