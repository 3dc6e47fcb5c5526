namespace Rce.Infrastructure.Redis;

/// <summary>
/// Redis Cluster hash tags: when a key has a non-empty <c>{…}</c> (the first <c>{</c> and the first
/// <c>}</c> after it), only that part decides the key's slot. Keys that one script touches must share
/// a slot, so the limiter requires the keys of one check to share their tag.
/// </summary>
internal static class HashTags
{
    /// <summary>The part of <paramref name="key"/> that decides its slot: the tag, or the whole key when it has none.</summary>
    public static ReadOnlySpan<char> SlotPart(ReadOnlySpan<char> key)
    {
        var open = key.IndexOf('{');
        if (open < 0)
        {
            return key;
        }

        var close = key[(open + 1)..].IndexOf('}');
        return close <= 0 ? key : key.Slice(open + 1, close);
    }

    /// <summary>
    /// Throws unless all <paramref name="keys"/> hash to the same slot on a cluster, i.e. share
    /// their tag (or are all the same key).
    /// </summary>
    /// <param name="keys">The keys of one check (without the store's prefix, which has no braces).</param>
    /// <exception cref="ArgumentException">Two keys would land in different slots.</exception>
    public static void RequireSameSlot(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        for (var i = 1; i < keys.Count; i++)
        {
            if (!SlotPart(keys[i]).SequenceEqual(SlotPart(keys[0])))
            {
                // The message names positions only: keys hold tenant and user ids.
                throw new ArgumentException(
                    $"Rate-limit keys of one check must share a hash tag such as {{t:tenant}} (key {i} differs from key 0), " +
                    "so that one script can touch them all on a Redis cluster.", nameof(keys));
            }
        }
    }
}
