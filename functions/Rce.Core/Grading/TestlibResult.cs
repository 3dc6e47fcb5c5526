using System.Globalization;
using System.Text;
using Rce.Core.Verdicts;

namespace Rce.Core.Grading;

/// <summary>Maps a testlib checker's exit to a <see cref="CheckResult"/> (DMOJ's <c>testlib</c> bridge).</summary>
/// <remarks>
/// Exit 0 AC, 1 WA, 2 presentation error (WA), 3 checker failure (IE), 7 partial points given by a
/// stderr line <c>points X</c>; anything else, a signal or a limit hit is IE: a broken checker is
/// our failure, never the program's.
/// </remarks>
public static class TestlibResult
{
    /// <summary>The most of the checker's stdout kept as the message, in UTF-8 bytes.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>The message of a presentation error (exit 2).</summary>
    public const string PresentationError = "Presentation Error";

    private const string PointsPrefix = "points ";

    /// <summary>Maps a checker run whose outputs are already decoded.</summary>
    /// <param name="exitCode">The checker's exit code; null when a signal ended it.</param>
    /// <param name="crashedOrLimited">Whether it died on a signal or hit a sandbox limit.</param>
    /// <param name="checkerStdout">Its stdout: the message.</param>
    /// <param name="checkerStderr">Its stderr: holds the <c>points X</c> line for exit 7.</param>
    /// <param name="testPoints">The test's points.</param>
    public static CheckResult Map(int? exitCode, bool crashedOrLimited, string checkerStdout, string checkerStderr, double testPoints)
    {
        ArgumentNullException.ThrowIfNull(checkerStdout);
        ArgumentNullException.ThrowIfNull(checkerStderr);
        var message = MessageText.Truncate(checkerStdout, MaxMessageBytes);
        if (crashedOrLimited || exitCode is null)
        {
            return InternalError("checker crashed or hit a limit", message);
        }

        return exitCode.Value switch
        {
            0 => new CheckResult(Verdict.Accepted, testPoints, NullIfEmpty(message)),
            1 => new CheckResult(Verdict.WrongAnswer, 0, NullIfEmpty(message)),
            2 => new CheckResult(Verdict.WrongAnswer, 0, MessageText.Join(PresentationError, message)),
            3 => InternalError("checker failed (exit 3)", message),
            7 => Partial(checkerStderr, testPoints, message),
            var other => InternalError($"checker exited with unexpected code {other.ToString(CultureInfo.InvariantCulture)}", message),
        };
    }

    /// <summary>Maps a checker run from its raw outputs, decoding them as (lossy) UTF-8.</summary>
    /// <param name="exitCode">The checker's exit code; null when a signal ended it.</param>
    /// <param name="crashedOrLimited">Whether it died on a signal or hit a sandbox limit.</param>
    /// <param name="checkerStdout">Its stdout: the message; only the first <see cref="MaxMessageBytes"/> are decoded.</param>
    /// <param name="checkerStderr">Its stderr: holds the <c>points X</c> line for exit 7.</param>
    /// <param name="testPoints">The test's points.</param>
    public static CheckResult Map(int? exitCode, bool crashedOrLimited, ReadOnlySpan<byte> checkerStdout, ReadOnlySpan<byte> checkerStderr, double testPoints) =>
        Map(exitCode, crashedOrLimited, MessageText.DecodePrefix(checkerStdout, MaxMessageBytes), Encoding.UTF8.GetString(checkerStderr), testPoints);

    private static CheckResult Partial(string stderr, double testPoints, string message)
    {
        if (!TryFindPoints(stderr, out var points))
        {
            return InternalError("checker exited 7 without a valid \"points X\" line on stderr", message);
        }

        if (!(points >= 0 && points <= testPoints))
        {
            return InternalError($"checker awarded {points.ToString(CultureInfo.InvariantCulture)} points, outside 0..{testPoints.ToString(CultureInfo.InvariantCulture)}", message);
        }

        // DMOJ: partial points pass, whatever the amount; the grader sees an AC worth less than the test.
        return new CheckResult(Verdict.Accepted, points, NullIfEmpty(message));
    }

    /// <summary>Finds the first line <c>points X …</c> (testlib appends its message after X).</summary>
    private static bool TryFindPoints(string stderr, out double points)
    {
        points = 0;
        foreach (var rawLine in stderr.AsSpan().EnumerateLines())
        {
            var line = rawLine.TrimStart();
            if (!line.StartsWith(PointsPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line[PointsPrefix.Length..].TrimStart();
            var end = rest.IndexOfAny(' ', '\t');
            var number = end < 0 ? rest : rest[..end];
            return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out points);
        }

        return false;
    }

    private static string? NullIfEmpty(string message) => message.Length == 0 ? null : message;

    private static CheckResult InternalError(string reason, string checkerStdout) =>
        new(Verdict.InternalError, 0, MessageText.Join(reason, checkerStdout));
}
