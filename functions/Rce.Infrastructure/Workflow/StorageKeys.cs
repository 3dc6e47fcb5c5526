using System.Security.Cryptography;
using System.Text;

namespace Rce.Infrastructure.Workflow;

/// <summary>Rules on the strings the stores turn into table keys and blob names.</summary>
internal static class StorageKeys
{
    /// <summary>Longest submission or batch id accepted (a work message's id limit).</summary>
    public const int MaxIdLength = 64;

    /// <summary>
    /// Whether <paramref name="id"/> may name a row and a blob folder: 1–64 ASCII letters, digits,
    /// <c>-</c> or <c>_</c>. Threat: ids reach the stores from URLs; anything else (<c>/</c>,
    /// <c>..</c>, <c>#</c>, quotes, control characters) could address another blob or break the key.
    /// The service's ids are 32 hex digits, well inside the rule.
    /// </summary>
    /// <param name="id">A submission or batch id.</param>
    /// <returns>Whether it is safe.</returns>
    public static bool IsSafeId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws unless <paramref name="id"/> is safe (writes: an unsafe id is a caller bug).</summary>
    /// <param name="id">The id.</param>
    /// <param name="parameterName">The parameter it came from.</param>
    /// <exception cref="ArgumentException">The id is not safe.</exception>
    public static void RequireSafeId(string id, string parameterName)
    {
        if (!IsSafeId(id))
        {
            throw new ArgumentException($"Not a storable id: 1-{MaxIdLength} ASCII letters, digits, '-' or '_' expected.", parameterName);
        }
    }

    /// <summary>
    /// Whether <paramref name="key"/> is a valid PartitionKey or RowKey: non-empty, at most 256
    /// characters (well under the 1 KiB limit), none of <c>/ \ # ?</c> and no control characters.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether Tables accepts it.</returns>
    public static bool IsValidTableKey(string? key) =>
        !string.IsNullOrEmpty(key) && key.Length <= 256 && !key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));

    /// <summary>Lowercase hex SHA-256 of the UTF-8 bytes of <paramref name="text"/> (64 characters, always a valid key).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The hash.</returns>
    public static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="maxChars"/> UTF-16 units without splitting a surrogate pair.</summary>
    /// <param name="text">The text.</param>
    /// <param name="maxChars">The bound.</param>
    /// <returns>The text, or its prefix.</returns>
    public static string? Truncate(string? text, int maxChars)
    {
        if (text is null || text.Length <= maxChars)
        {
            return text;
        }

        var length = char.IsHighSurrogate(text[maxChars - 1]) ? maxChars - 1 : maxChars;
        return text[..length];
    }
}
