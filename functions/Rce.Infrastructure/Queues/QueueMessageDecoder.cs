using System.Text;

namespace Rce.Infrastructure.Queues;

/// <summary>Turns raw message text into the function's text according to <see cref="QueueTriggerEncoding"/>.</summary>
internal static class QueueMessageDecoder
{
    // Strict: a payload that is not UTF-8 did not come from our producers; replacement characters would
    // hand the function silently corrupted text, so it is treated like undecodable base64 (poisoned).
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes <paramref name="raw"/>.</summary>
    /// <returns><see langword="false"/> when it is not base64 of UTF-8 text (base64 encoding only).</returns>
    public static bool TryDecode(string raw, QueueTriggerEncoding encoding, out string text)
    {
        if (encoding == QueueTriggerEncoding.None)
        {
            text = raw;
            return true;
        }

        var bytes = new byte[((raw.Length + 3) / 4) * 3];
        if (!Convert.TryFromBase64String(raw, bytes, out var written))
        {
            text = string.Empty;
            return false;
        }

        try
        {
            text = StrictUtf8.GetString(bytes, 0, written);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }
}
