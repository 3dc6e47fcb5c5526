namespace Rce.Core.Tenancy;

/// <summary>
/// Key lookups by key id, reused for a short time: found keys and misses alike, with one shared
/// storage read per key id at a time.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Revocation: an entry lives at most the time to live from the start of its read, so a key
/// revoked in storage is refused by this instance at most that long later.</item>
/// <item>Misses are cached too: a flood of requests repeating one unknown key id costs one read per
/// time to live, not one per request. Concurrent requests for one id share one read.</item>
/// <item>Bounded: a flood of distinct key ids could otherwise grow the cache without limit (each
/// costs a storage read anyway; bounding it is about memory). A full cache is emptied: amortised
/// O(1), and its cost — valid keys read once more — is the same as having no cache, for at most
/// one time to live.</item>
/// <item>Expiry uses the monotonic timestamp, never the wall clock: a clock stepped back must not
/// keep a revoked key alive.</item>
/// <item>Failed reads are never reused: the next request reads again.</item>
/// </list>
/// </remarks>
internal sealed class ApiKeyLookupCache
{
    private readonly IApiKeyStore _store;
    private readonly TimeProvider _time;
    private readonly long _ttlTicks;
    private readonly int _capacity;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ApiKeyLookupCache(IApiKeyStore store, TimeProvider time, TimeSpan timeToLive, int capacity)
    {
        _store = store;
        _time = time;
        _ttlTicks = (long)(timeToLive.TotalSeconds * time.TimestampFrequency);
        _capacity = capacity;
    }

    public Task<ApiKey?> GetAsync(string keyId, CancellationToken cancellationToken)
    {
        if (_ttlTicks <= 0)
        {
            return _store.GetAsync(keyId, cancellationToken);
        }

        Task<ApiKey?> lookup;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (_entries.TryGetValue(keyId, out var entry) && now < entry.ExpiresAt && !entry.Lookup.IsFaulted && !entry.Lookup.IsCanceled)
            {
                lookup = entry.Lookup;
            }
            else
            {
                // CancellationToken.None: the read is shared, so one caller giving up must not fail
                // it for the others; the storage client's own timeouts bound it.
                lookup = _store.GetAsync(keyId, CancellationToken.None);
                if (_entries.Count >= _capacity)
                {
                    _entries.Clear();
                }

                _entries[keyId] = new Entry(lookup, now + _ttlTicks);
            }
        }

        return lookup.IsCompleted ? lookup : lookup.WaitAsync(cancellationToken);
    }

    private readonly record struct Entry(Task<ApiKey?> Lookup, long ExpiresAt);
}
