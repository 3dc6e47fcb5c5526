using System.Net;
using Microsoft.Extensions.Primitives;

namespace Rce.Functions.Security;

/// <summary>
/// The client's address for per-address limits. <c>X-Forwarded-For</c> counts only when the peer
/// is a trusted proxy; then the client is the right-most entry that is not itself a trusted proxy
/// (each proxy appends the peer it saw, so entries left of that one are the client's to forge).
/// </summary>
public static class ClientAddress
{
    private const int MaxEntryLength = 64;

    /// <summary>Resolves the client address as a string key.</summary>
    /// <param name="peer">The TCP peer; null when unknown (tests, in-memory hosts).</param>
    /// <param name="forwardedFor">Every <c>X-Forwarded-For</c> header value, in order.</param>
    /// <param name="trusted">The trusted proxies.</param>
    /// <returns>The address (canonical text), or the raw entry when a trusted proxy forwarded something unparseable.</returns>
    public static string Resolve(IPAddress? peer, StringValues forwardedFor, TrustedProxies trusted)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        if (peer is null)
        {
            return "unknown";
        }

        peer = TrustedProxies.Normalize(peer);
        if (!trusted.Contains(peer) || StringValues.IsNullOrEmpty(forwardedFor))
        {
            return peer.ToString();
        }

        var entries = new List<string>();
        foreach (var value in forwardedFor)
        {
            if (value is not null)
            {
                entries.AddRange(value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            }
        }

        string? leftmost = null;
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            var entry = entries[i];
            if (TryParseEntry(entry) is not { } address)
            {
                // A trusted proxy forwarded junk: key on it (bounded) rather than on the proxy, which
                // would put every client behind it in one bucket.
                return entry.Length > MaxEntryLength ? entry[..MaxEntryLength] : entry;
            }

            if (!trusted.Contains(address))
            {
                return address.ToString();
            }

            leftmost = address.ToString();
        }

        // Every hop is a trusted proxy: the left-most is as close to the client as we can know.
        return leftmost ?? peer.ToString();
    }

    /// <summary>Parses <c>1.2.3.4</c>, <c>1.2.3.4:5678</c>, <c>2001:db8::1</c> and <c>[2001:db8::1]:5678</c>; ports are dropped.</summary>
    public static IPAddress? TryParseEntry(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var text = entry.Trim();
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || (close + 1 < text.Length && (text[close + 1] != ':' || !IsPort(text.AsSpan(close + 2)))))
            {
                return null;
            }

            text = text[1..close];
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (!IsPort(text.AsSpan(colon + 1)))
            {
                return null;
            }

            text = text[..colon];
        }

        return IPAddress.TryParse(text, out var address) && !text.Contains('%', StringComparison.Ordinal)
            ? TrustedProxies.Normalize(address)
            : null;
    }

    private static bool IsPort(ReadOnlySpan<char> text) =>
        text.Length is > 0 and <= 5 && ushort.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _);
}
