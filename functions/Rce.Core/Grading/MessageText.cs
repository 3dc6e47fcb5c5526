using System.Text;

namespace Rce.Core.Grading;

/// <summary>Bounds and joins checker messages.</summary>
internal static class MessageText
{
    /// <summary>The longest prefix of <paramref name="text"/> whose UTF-8 encoding fits in <paramref name="maxBytes"/>.</summary>
    /// <remarks>Cuts between scalars, never inside a surrogate pair.</remarks>
    public static string Truncate(string text, int maxBytes)
    {
        // At most 3 UTF-8 bytes per UTF-16 unit: short strings fit without counting.
        if (text.Length <= maxBytes / 3 || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        var bytes = 0;
        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            bytes += rune.Utf8SequenceLength;
            if (bytes > maxBytes)
            {
                break;
            }

            index += rune.Utf16SequenceLength;
        }

        return text[..index];
    }

    /// <summary>Decodes at most <paramref name="maxBytes"/> of <paramref name="utf8"/>, lossily.</summary>
    /// <remarks>Backs off a sequence cut by the limit, so the cut does not show as a replacement character.</remarks>
    public static string DecodePrefix(ReadOnlySpan<byte> utf8, int maxBytes)
    {
        if (utf8.Length > maxBytes)
        {
            var end = maxBytes;

            // Step back over continuation bytes (10xxxxxx) to the start of the cut sequence.
            while (end > 0 && end > maxBytes - 3 && (utf8[end] & 0xC0) == 0x80)
            {
                end--;
            }

            utf8 = utf8[..end];
        }

        return Encoding.UTF8.GetString(utf8);
    }

    /// <summary>A fixed message followed by the checker's own, if it said anything.</summary>
    public static string Join(string fixedMessage, string checkerMessage) =>
        string.IsNullOrWhiteSpace(checkerMessage) ? fixedMessage : $"{fixedMessage}\n{checkerMessage}";
}
