namespace Rce.Core.Grading;

/// <summary>How a test's output is compared with its expected output.</summary>
public enum CheckerKind
{
    /// <summary>Default: CRLF→LF, trailing whitespace per line and trailing empty lines ignored; the rest must match.</summary>
    Lines = 0,

    /// <summary>Byte-for-byte equality.</summary>
    Exact = 1,

    /// <summary>Whitespace-separated tokens must be equal.</summary>
    Tokens = 2,

    /// <summary>Tokens equal, numbers within an absolute or relative tolerance (API name <c>float</c>).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The API's own name for this checker.")]
    Float = 3,

    /// <summary>Like <see cref="Lines"/>, ignoring letter case.</summary>
    CaseInsensitive = 4,

    /// <summary>Like <see cref="Lines"/>, in any order (multiset of lines).</summary>
    UnorderedLines = 5,

    /// <summary>A program in any supported language, sandboxed, run as <c>checker INPUT OUTPUT ANSWER</c> (testlib).</summary>
    Custom = 6,
}

/// <summary>A checker choice with its parameters.</summary>
/// <param name="Kind">The checker.</param>
/// <param name="AbsTolerance">For <see cref="CheckerKind.Float"/>: absolute tolerance.</param>
/// <param name="RelTolerance">For <see cref="CheckerKind.Float"/>: relative tolerance.</param>
/// <param name="Language">For <see cref="CheckerKind.Custom"/>: the checker's language id.</param>
/// <param name="Source">For <see cref="CheckerKind.Custom"/>: the checker's source.</param>
public sealed record CheckerSpec(CheckerKind Kind, double? AbsTolerance = null, double? RelTolerance = null, string? Language = null, string? Source = null)
{
    /// <summary>The default checker.</summary>
    public static CheckerSpec Default { get; } = new(CheckerKind.Lines);
}
