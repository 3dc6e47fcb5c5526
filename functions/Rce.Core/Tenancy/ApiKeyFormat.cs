using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Rce.Core.Tenancy;

/// <summary>
/// The text form of an API key, <c>rce_&lt;keyid&gt;_&lt;secret&gt;</c>: exactly 60 ASCII characters.
/// <list type="bullet">
/// <item><c>rce_</c>: a fixed prefix, so that people and secret scanners recognise a leaked key.</item>
/// <item>key id: 12 characters of lowercase RFC 4648 base32 (<c>a-z</c>, <c>2-7</c>; 60 random bits).
/// It is not secret: it names the key in lists, logs and revocations, and is the store's lookup key.</item>
/// <item>secret: 32 random bytes (256 bits) in base64url without padding (43 characters, canonical).</item>
/// </list>
/// </summary>
/// <remarks>
/// The secret may itself contain <c>_</c> and <c>-</c>: the form is parsed by position, never split.
/// Only SHA-256 of the secret bytes is stored, so a leaked table (or backup) grants nothing. A fast
/// hash is enough, and a slow KDF would only cost every request: the secret has 256 bits of entropy,
/// which no offline guessing can search, unlike a password.
/// </remarks>
public static class ApiKeyFormat
{
    /// <summary>The prefix of every key.</summary>
    public const string Prefix = "rce_";

    /// <summary>Characters of a key id.</summary>
    public const int KeyIdLength = 12;

    /// <summary>Random bytes of a secret.</summary>
    public const int SecretBytes = 32;

    /// <summary>Characters of the encoded secret (base64url of 32 bytes, no padding).</summary>
    public const int SecretLength = 43;

    /// <summary>Characters of a whole key.</summary>
    public const int Length = 4 + KeyIdLength + 1 + SecretLength;

    /// <summary>Bytes of a stored secret hash (SHA-256).</summary>
    public const int HashBytes = 32;

    private const string KeyIdAlphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private const int SecretStart = 4 + KeyIdLength + 1;

    /// <summary>Creates a new key: the stored form and the plaintext, which exists only in the returned value.</summary>
    /// <param name="tenant">The tenant (a valid <see cref="TenantName"/>).</param>
    /// <param name="roles">The roles (known flags only).</param>
    /// <param name="now">The creation time.</param>
    /// <returns>The key to store and the plaintext to show once.</returns>
    /// <exception cref="ArgumentException">The tenant name is invalid, or <paramref name="roles"/> has unknown flags.</exception>
    public static IssuedApiKey Issue(string tenant, ApiKeyRoles roles, DateTimeOffset now)
    {
        if (!TenantName.TryValidate(tenant, out var error))
        {
            throw new ArgumentException(error, nameof(tenant));
        }

        if ((roles & ~ApiKeyRolesText.Known) != 0)
        {
            throw new ArgumentException("Unknown role flags.", nameof(roles));
        }

        var keyId = new string(RandomNumberGenerator.GetItems<char>(KeyIdAlphabet, KeyIdLength));
        var secret = RandomNumberGenerator.GetBytes(SecretBytes);
        var plaintext = Prefix + keyId + "_" + Base64Url.EncodeToString(secret);
        var key = new ApiKey(keyId, tenant, roles, SHA256.HashData(secret), now, null);
        CryptographicOperations.ZeroMemory(secret);
        return new IssuedApiKey(key, plaintext);
    }

    /// <summary>
    /// Parses a presented key. Strict: the prefix, the lengths, both alphabets and the canonical
    /// base64url form must all hold; anything else (including <see langword="null"/>, whitespace
    /// around the key or padding) is <see langword="false"/>. Never throws.
    /// </summary>
    /// <param name="text">The presented key.</param>
    /// <param name="key">The key id and secret bytes, when well formed.</param>
    /// <returns>Whether <paramref name="text"/> is a well-formed key.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ParsedApiKey? key)
    {
        key = null;
        if (text is null || text.Length != Length || !text.StartsWith(Prefix, StringComparison.Ordinal) || text[SecretStart - 1] != '_')
        {
            return false;
        }

        var keyId = text.AsSpan(Prefix.Length, KeyIdLength);
        var secret = new byte[SecretBytes];
        if (!IsKeyId(keyId) || !TryDecodeSecret(text.AsSpan(SecretStart), secret))
        {
            return false;
        }

        key = new ParsedApiKey(keyId.ToString(), secret);
        return true;
    }

    /// <summary>Whether <paramref name="text"/> has the form of a key id (12 of <c>a-z2-7</c>).</summary>
    /// <param name="text">The text.</param>
    /// <returns>Whether it is a key id.</returns>
    public static bool IsKeyId(string? text) => text is not null && IsKeyId(text.AsSpan());

    /// <summary>SHA-256 of the secret bytes: the only form of the secret that is stored.</summary>
    /// <param name="secret">The secret bytes.</param>
    /// <returns>The 32-byte hash.</returns>
    public static byte[] HashSecret(ReadOnlySpan<byte> secret) => SHA256.HashData(secret);

    /// <summary>Whether <paramref name="secret"/> is the secret of <paramref name="stored"/>.</summary>
    /// <param name="stored">The stored key.</param>
    /// <param name="secret">The presented secret bytes.</param>
    /// <returns>Whether the hashes are equal.</returns>
    public static bool SecretMatches(ApiKey stored, ReadOnlySpan<byte> secret)
    {
        ArgumentNullException.ThrowIfNull(stored);
        Span<byte> hash = stackalloc byte[HashBytes];
        SHA256.HashData(secret, hash);

        // Threat: an early-exit comparison answers faster the fewer leading bytes match, which a
        // remote caller can measure over many requests. Comparing hashes already hides the secret
        // (a matching hash prefix says nothing usable about it); the fixed-time compare removes
        // even that signal.
        return CryptographicOperations.FixedTimeEquals(hash, stored.SecretHash);
    }

    private static bool IsKeyId(ReadOnlySpan<char> text)
    {
        if (text.Length != KeyIdLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '2' and <= '7')))
            {
                return false;
            }
        }

        return true;
    }

    // A decoder of our own rather than the framework's: that one skips whitespace and throws on a
    // non-canonical last character, and this parser must refuse both without throwing.
    private static bool TryDecodeSecret(ReadOnlySpan<char> text, Span<byte> secret)
    {
        int buffer = 0, bits = 0, written = 0;
        foreach (var c in text)
        {
            var value = c switch
            {
                >= 'A' and <= 'Z' => c - 'A',
                >= 'a' and <= 'z' => c - 'a' + 26,
                >= '0' and <= '9' => c - '0' + 52,
                '-' => 62,
                '_' => 63,
                _ => -1,
            };
            if (value < 0)
            {
                return false;
            }

            buffer = (buffer << 6) | value;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                secret[written++] = (byte)(buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }

        // 43 characters carry 258 bits: the two spare bits must be zero, so that exactly one text
        // names each secret.
        return written == SecretBytes && bits == 2 && buffer == 0;
    }
}
