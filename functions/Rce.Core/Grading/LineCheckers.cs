namespace Rce.Core.Grading;

/// <summary>The line-based checkers: lines, caseInsensitive and unorderedLines.</summary>
internal static class LineCheckers
{
    /// <summary>Normalized lines (see <see cref="TextSplitter.Lines"/>) must match one for one.</summary>
    public static Mismatch? Lines(ReadOnlySpan<byte> output, ReadOnlySpan<byte> expected, bool ignoreCase)
    {
        var got = TextSplitter.Lines(output);
        var want = TextSplitter.Lines(expected);
        var common = Math.Min(got.Count, want.Count);
        for (var i = 0; i < common; i++)
        {
            var a = output[got[i]];
            var b = expected[want[i]];
            var equal = ignoreCase ? Utf8CaseInsensitive.Equals(a, b) : a.SequenceEqual(b);
            if (!equal)
            {
                return new Mismatch($"line {i + 1} differs");
            }
        }

        return got.Count == want.Count ? null : LineCount(want.Count, got.Count);
    }

    /// <summary>The multisets of normalized lines must be equal.</summary>
    public static Mismatch? Unordered(ReadOnlySpan<byte> output, ReadOnlySpan<byte> expected)
    {
        var got = Sorted(output);
        var want = Sorted(expected);
        if (got.Count != want.Count)
        {
            return LineCount(want.Count, got.Count);
        }

        for (var i = 0; i < got.Count; i++)
        {
            if (!got[i].Span.SequenceEqual(want[i].Span))
            {
                return new Mismatch("the lines differ (compared in any order)");
            }
        }

        return null;
    }

    private static Mismatch LineCount(int expected, int got) => new($"expected {expected} lines, got {got}");

    private static List<ReadOnlyMemory<byte>> Sorted(ReadOnlySpan<byte> text)
    {
        // A copy, because a sort comparison cannot capture a span; this checker is not the hot path.
        ReadOnlyMemory<byte> owned = text.ToArray();
        var lines = TextSplitter.Lines(text).ConvertAll(range => owned[range]);
        lines.Sort(static (x, y) => x.Span.SequenceCompareTo(y.Span));
        return lines;
    }
}
