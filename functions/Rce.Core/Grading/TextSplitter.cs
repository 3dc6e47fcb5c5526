namespace Rce.Core.Grading;

/// <summary>Splits output bytes into normalized lines or whitespace-separated tokens, as ranges.</summary>
/// <remarks>
/// Works on bytes, never on decoded text, so invalid UTF-8 can neither throw nor make two different
/// byte sequences compare equal. Only ASCII whitespace separates: a UTF-8 continuation byte can
/// never be mistaken for a separator.
/// </remarks>
internal static class TextSplitter
{
    /// <summary>
    /// The lines of <paramref name="text"/> under the "lines" rules: CRLF becomes LF, trailing
    /// spaces and tabs of each line are dropped, and trailing empty lines are dropped.
    /// </summary>
    public static List<Range> Lines(ReadOnlySpan<byte> text)
    {
        var lines = new List<Range>();
        var start = 0;
        while (start <= text.Length)
        {
            var newline = text[start..].IndexOf((byte)'\n');
            var end = newline < 0 ? text.Length : start + newline;

            // Only a CR directly before an LF is a line ending; a lone CR is content.
            var contentEnd = newline >= 0 && end > start && text[end - 1] == '\r' ? end - 1 : end;
            while (contentEnd > start && text[contentEnd - 1] is (byte)' ' or (byte)'\t')
            {
                contentEnd--;
            }

            lines.Add(start..contentEnd);
            if (newline < 0)
            {
                break;
            }

            start = end + 1;
        }

        // A final newline leaves an empty last line; it and any other trailing empty lines are dropped.
        while (lines.Count > 0 && IsEmpty(lines[^1]))
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    /// <summary>The tokens of <paramref name="text"/>, separated by runs of ASCII whitespace.</summary>
    public static List<Range> Tokens(ReadOnlySpan<byte> text)
    {
        var tokens = new List<Range>();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && IsWhitespace(text[i]))
            {
                i++;
            }

            var start = i;
            while (i < text.Length && !IsWhitespace(text[i]))
            {
                i++;
            }

            if (i > start)
            {
                tokens.Add(start..i);
            }
        }

        return tokens;
    }

    private static bool IsEmpty(Range range) => range.Start.Value == range.End.Value;

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';
}
