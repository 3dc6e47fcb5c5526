using System.Diagnostics.CodeAnalysis;

namespace Rce.Core.Verdicts;

/// <summary>Maps verdicts to and from their short string codes (<c>AC</c>, <c>WA</c>, …).</summary>
public static class VerdictCodes
{
    private static readonly (Verdict Verdict, string Code)[] Table =
    [
        (Verdict.Accepted, "AC"),
        (Verdict.WrongAnswer, "WA"),
        (Verdict.TimeLimitExceeded, "TLE"),
        (Verdict.MemoryLimitExceeded, "MLE"),
        (Verdict.OutputLimitExceeded, "OLE"),
        (Verdict.RuntimeError, "RE"),
        (Verdict.CompileError, "CE"),
        (Verdict.InternalError, "IE"),
        (Verdict.Skipped, "SK"),
    ];

    /// <summary>All verdicts with their codes, in numeric order.</summary>
    public static IReadOnlyList<(Verdict Verdict, string Code)> All => Table;

    /// <summary>The short code of <paramref name="verdict"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined verdict.</exception>
    public static string ToCode(this Verdict verdict)
    {
        foreach (var (v, code) in Table)
        {
            if (v == verdict)
            {
                return code;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "Not a defined verdict.");
    }

    /// <summary>Parses a short code, case-sensitively.</summary>
    public static bool TryParse(string? code, [NotNullWhen(true)] out Verdict? verdict)
    {
        foreach (var (v, c) in Table)
        {
            if (string.Equals(c, code, StringComparison.Ordinal))
            {
                verdict = v;
                return true;
            }
        }

        verdict = null;
        return false;
    }
}
