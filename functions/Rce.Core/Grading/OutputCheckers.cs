using Rce.Core.Verdicts;

namespace Rce.Core.Grading;

/// <summary>The built-in checkers: compare a program's output with the expected output.</summary>
/// <remarks>
/// Every checker works on bytes and never throws on invalid UTF-8. A rejection's message says
/// briefly where the outputs differ and never quotes the output itself, which can be megabytes.
/// </remarks>
public static class OutputCheckers
{
    /// <summary>Checks <paramref name="output"/> against <paramref name="expected"/> with a built-in checker.</summary>
    /// <param name="spec">The checker; <see cref="CheckerKind.Custom"/> is not built in.</param>
    /// <param name="output">What the program wrote to stdout.</param>
    /// <param name="expected">The expected answer.</param>
    /// <param name="points">The test's points: awarded in full on AC, none on WA.</param>
    /// <returns>AC with <paramref name="points"/>, WA with 0 and a short message, or IE for an invalid spec.</returns>
    /// <exception cref="ArgumentException"><paramref name="spec"/> is a custom checker.</exception>
    public static CheckResult Check(CheckerSpec spec, ReadOnlySpan<byte> output, ReadOnlySpan<byte> expected, double points)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var mismatch = spec.Kind switch
        {
            CheckerKind.Lines => LineCheckers.Lines(output, expected, ignoreCase: false),
            CheckerKind.CaseInsensitive => LineCheckers.Lines(output, expected, ignoreCase: true),
            CheckerKind.UnorderedLines => LineCheckers.Unordered(output, expected),
            CheckerKind.Exact => Exact(output, expected),
            CheckerKind.Tokens => TokenCheckers.Tokens(output, expected),
            CheckerKind.Float => CheckFloat(spec, output, expected),
            CheckerKind.Custom => throw new ArgumentException("A custom checker runs in the sandbox, not here.", nameof(spec)),
            _ => throw new ArgumentException($"Unknown checker kind {spec.Kind}.", nameof(spec)),
        };

        return mismatch switch
        {
            null => new CheckResult(Verdict.Accepted, points, null),
            InvalidSpec bad => new CheckResult(Verdict.InternalError, 0, bad.Message),
            _ => new CheckResult(Verdict.WrongAnswer, 0, mismatch.Message),
        };
    }

    private static Mismatch? CheckFloat(CheckerSpec spec, ReadOnlySpan<byte> output, ReadOnlySpan<byte> expected) =>
        FloatTolerance.TryCreate(spec.AbsTolerance, spec.RelTolerance, out var tolerance)
            ? TokenCheckers.Floats(output, expected, tolerance)

            // A bad tolerance is the problem setter's error, not the program's: IE, not WA.
            : new InvalidSpec("invalid float tolerance");

    private static Mismatch? Exact(ReadOnlySpan<byte> output, ReadOnlySpan<byte> expected)
    {
        var common = output.CommonPrefixLength(expected);
        if (common == output.Length && common == expected.Length)
        {
            return null;
        }

        return common < output.Length && common < expected.Length
            ? new Mismatch($"byte {common + 1} differs")
            : new Mismatch($"expected {expected.Length} bytes, got {output.Length}");
    }
}
