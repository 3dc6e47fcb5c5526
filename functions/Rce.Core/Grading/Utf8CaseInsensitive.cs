using System.Buffers;
using System.Text;

namespace Rce.Core.Grading;

/// <summary>Ordinal, case-insensitive equality of two UTF-8 byte sequences that may be invalid.</summary>
internal static class Utf8CaseInsensitive
{
    /// <summary>
    /// Whether <paramref name="a"/> and <paramref name="b"/> are equal ignoring case: valid scalars
    /// compare by their invariant upper case (the ordinal ignore-case rule), invalid byte runs
    /// compare byte for byte, so two different invalid sequences never become equal.
    /// </summary>
    public static bool Equals(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.SequenceEqual(b))
        {
            return true;
        }

        while (!a.IsEmpty && !b.IsEmpty)
        {
            var statusA = Rune.DecodeFromUtf8(a, out var runeA, out var lengthA);
            var statusB = Rune.DecodeFromUtf8(b, out var runeB, out var lengthB);
            if (statusA != OperationStatus.Done || statusB != OperationStatus.Done)
            {
                if (statusA != statusB || !a[..lengthA].SequenceEqual(b[..lengthB]))
                {
                    return false;
                }
            }
            else if (runeA != runeB && Rune.ToUpperInvariant(runeA) != Rune.ToUpperInvariant(runeB))
            {
                return false;
            }

            a = a[lengthA..];
            b = b[lengthB..];
        }

        return a.IsEmpty && b.IsEmpty;
    }
}
