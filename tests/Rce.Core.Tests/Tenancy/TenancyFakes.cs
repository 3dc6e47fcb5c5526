using System.Collections.Concurrent;
using Rce.Core.Tenancy;

namespace Rce.Core.Tests.Tenancy;

/// <summary>A monotonic clock that moves only when told (cache expiry uses timestamps, not the wall clock).</summary>
internal sealed class SteppedClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>In-memory <see cref="IApiKeyStore"/> that counts reads and can hold them until released.</summary>
internal sealed class FakeApiKeyStore : IApiKeyStore
{
    private readonly ConcurrentDictionary<string, ApiKey> _keys = new(StringComparer.Ordinal);
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    /// <summary>When set, reads wait for it (to make concurrent callers overlap).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>When set, reads throw it.</summary>
    public Exception? Failure { get; set; }

    public Task<bool> EnsureTenantAsync(Tenant tenant, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task CreateAsync(ApiKey key, CancellationToken cancellationToken)
    {
        _keys[key.KeyId] = key;
        return Task.CompletedTask;
    }

    public async Task<ApiKey?> GetAsync(string keyId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (Failure is { } failure)
        {
            throw failure;
        }

        return _keys.GetValueOrDefault(keyId);
    }

    public Task<IReadOnlyList<ApiKey>> ListAsync(string? tenant, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ApiKey>>([.. _keys.Values.Where(k => tenant is null || k.Tenant == tenant)]);

    public Task<ApiKey?> RevokeAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!_keys.TryGetValue(keyId, out var key))
        {
            return Task.FromResult<ApiKey?>(null);
        }

        var revoked = key.Revoked ? key : key with { RevokedAt = at };
        _keys[keyId] = revoked;
        return Task.FromResult<ApiKey?>(revoked);
    }
}
