using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Rce.Core.Callbacks;

/// <summary>
/// The signature of a completion callback: <c>t=&lt;unix seconds&gt;,v1=&lt;lower-hex HMAC-SHA256 of "&lt;unix&gt;." + body&gt;</c>.
/// The timestamp is inside the MAC so that a captured callback cannot be replayed later under a
/// fresh timestamp; the receiver bounds replay to the tolerance window.
/// </summary>
public static class CallbackSignature
{
    /// <summary>Name of the HTTP header that carries the signature.</summary>
    public const string HeaderName = "X-Rce-Signature";

    private const string TimestampPrefix = "t=";
    private const string MacPrefix = ",v1=";
    private const int MacBytes = 32;
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>Signs <paramref name="body"/> at <paramref name="unixSeconds"/>.</summary>
    /// <param name="secret">The shared secret; must not be empty.</param>
    /// <param name="unixSeconds">The signing time, in seconds since the Unix epoch; not negative.</param>
    /// <param name="body">The exact bytes sent as the request body.</param>
    /// <returns>The header value.</returns>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="unixSeconds"/> is negative.</exception>
    public static string Create(ReadOnlySpan<byte> secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        // Threat: an empty key makes the "signature" a plain hash anyone can compute.
        if (secret.IsEmpty)
        {
            throw new ArgumentException("The callback secret must not be empty.", nameof(secret));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(unixSeconds);

        Span<byte> mac = stackalloc byte[MacBytes];
        Compute(secret, unixSeconds, body, mac);
        return TimestampPrefix + unixSeconds.ToString(CultureInfo.InvariantCulture) + MacPrefix + Convert.ToHexStringLower(mac);
    }

    /// <summary>
    /// Checks a header value against <paramref name="body"/>. Strict format: exactly
    /// <c>t=&lt;digits&gt;,v1=&lt;64 lower-hex digits&gt;</c>, nothing else.
    /// </summary>
    /// <param name="secret">The shared secret; must not be empty.</param>
    /// <param name="header">The received header value; <see langword="null"/> is rejected.</param>
    /// <param name="body">The exact bytes received as the request body.</param>
    /// <param name="nowUnixSeconds">The receiver's current time, in seconds since the Unix epoch.</param>
    /// <param name="tolerance">Largest accepted distance between the signed time and now, either way (clock skew).</param>
    /// <returns><see langword="true"/> when the header is well formed, fresh and its MAC matches.</returns>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tolerance"/> is negative.</exception>
    public static bool Verify(ReadOnlySpan<byte> secret, string? header, ReadOnlySpan<byte> body, long nowUnixSeconds, TimeSpan tolerance)
    {
        if (secret.IsEmpty)
        {
            throw new ArgumentException("The callback secret must not be empty.", nameof(secret));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(tolerance, TimeSpan.Zero);

        Span<byte> received = stackalloc byte[MacBytes];
        if (header is null || !TryParse(header, out var signedAt, received))
        {
            return false;
        }

        // Threat: replay of a captured callback. Int128 so that a crafted 19-digit timestamp cannot overflow the distance.
        var distance = Int128.Abs((Int128)nowUnixSeconds - signedAt);
        if (distance > tolerance.Ticks / TimeSpan.TicksPerSecond)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        Compute(secret, signedAt, body, expected);
        // Threat: timing oracle on the MAC (byte-by-byte forgery); compare in constant time.
        return CryptographicOperations.FixedTimeEquals(expected, received);
    }

    private static bool TryParse(string header, out long signedAt, Span<byte> mac)
    {
        signedAt = 0;
        if (!header.StartsWith(TimestampPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = header.AsSpan(TimestampPrefix.Length);
        var comma = rest.IndexOf(MacPrefix, StringComparison.Ordinal);
        if (comma <= 0)
        {
            return false;
        }

        var digits = rest[..comma];
        var hex = rest[(comma + MacPrefix.Length)..];
        // NumberStyles.None: digits only, no sign, blanks or separators, so one value has one spelling.
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out signedAt)
            || hex.Length != MacBytes * 2
            || hex.ContainsAnyExcept(LowerHex))
        {
            return false;
        }

        return Convert.FromHexString(hex, mac, out _, out var written) == System.Buffers.OperationStatus.Done && written == MacBytes;
    }

    private static void Compute(ReadOnlySpan<byte> secret, long unixSeconds, ReadOnlySpan<byte> body, Span<byte> mac)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        hmac.AppendData(Encoding.ASCII.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + "."));
        hmac.AppendData(body);
        hmac.GetHashAndReset(mac);
    }
}
