using System.Globalization;

namespace Rce.Core.Grading;

/// <summary>The token-based checkers: tokens and float.</summary>
internal static class TokenCheckers
{
    /// <summary>Whitespace-separated tokens must be equal, byte for byte.</summary>
    public static Mismatch? Tokens(ReadOnlySpan<byte> output, ReadOnlySpan<byte> expected) =>
        Compare(output, expected, static (a, b, _) => a.SequenceEqual(b), default);

    /// <summary>
    /// Tokens must be equal, except that two finite numbers are equal within <paramref name="tolerance"/>.
    /// NaN and infinities are only equal as identical text.
    /// </summary>
    public static Mismatch? Floats(ReadOnlySpan<byte> output, ReadOnlySpan<byte> expected, FloatTolerance tolerance) =>
        Compare(output, expected, static (a, b, t) => a.SequenceEqual(b) || NumbersAgree(a, b, t), tolerance);

    private delegate bool TokenComparer(ReadOnlySpan<byte> got, ReadOnlySpan<byte> expected, FloatTolerance tolerance);

    private static Mismatch? Compare(ReadOnlySpan<byte> output, ReadOnlySpan<byte> expected, TokenComparer equal, FloatTolerance tolerance)
    {
        var got = TextSplitter.Tokens(output);
        var want = TextSplitter.Tokens(expected);
        var common = Math.Min(got.Count, want.Count);
        for (var i = 0; i < common; i++)
        {
            if (!equal(output[got[i]], expected[want[i]], tolerance))
            {
                return new Mismatch($"token {i + 1} differs");
            }
        }

        return got.Count == want.Count ? null : new Mismatch($"expected {want.Count} tokens, got {got.Count}");
    }

    private static bool NumbersAgree(ReadOnlySpan<byte> got, ReadOnlySpan<byte> expected, FloatTolerance tolerance) =>
        TryParseFinite(got, out var a) && TryParseFinite(expected, out var b) && tolerance.Accepts(a, b);

    private static bool TryParseFinite(ReadOnlySpan<byte> token, out double value) =>
        double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
