using System.Globalization;

namespace Rce.Core.Limits;

/// <summary>Parses human limits: durations such as <c>500ms</c>, <c>2s</c>, <c>1.5s</c>, <c>1m</c>; sizes such as <c>256MiB</c>, <c>64KiB</c>, <c>1GiB</c>, <c>1000</c> (bytes).</summary>
public static class LimitParser
{
    private static readonly (string Suffix, double Millis)[] DurationUnits =
    [
        ("ms", 1), ("s", 1000), ("m", 60_000),
    ];

    private static readonly (string Suffix, long Bytes)[] SizeUnits =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30),
        ("KB", 1000), ("MB", 1000_000), ("GB", 1000_000_000),
        ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("B", 1),
    ];

    /// <summary>Parses a positive duration with a unit (<c>ms</c>, <c>s</c>, <c>m</c>).</summary>
    public static bool TryParseDuration(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        foreach (var (suffix, millis) in DurationUnits)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)
                && n > 0 && n * millis <= TimeSpan.FromDays(1).TotalMilliseconds)
            {
                value = TimeSpan.FromMilliseconds(Math.Round(n * millis));
                return value > TimeSpan.Zero;
            }
        }

        return false;
    }

    /// <summary>Parses a positive size: bare bytes or with a unit (KiB, MiB, GiB, KB, MB, GB).</summary>
    public static bool TryParseSize(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out bytes))
        {
            return bytes > 0;
        }

        foreach (var (suffix, unit) in SizeUnits)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)
                && n > 0 && n * unit < (double)(1L << 50))
            {
                bytes = (long)Math.Round(n * unit);
                return bytes > 0;
            }
        }

        return false;
    }
}
