namespace Rce.Core.Submissions;

/// <summary>
/// An <c>Idempotency-Key</c> claim: the first request with a key records what it created; later
/// requests with the same key and the same body get that resource back, with a different body 422.
/// </summary>
/// <param name="Tenant">Scope of the key.</param>
/// <param name="Key">The client's key (stored hashed).</param>
/// <param name="BodyHash">SHA-256 (hex) of the request body and route.</param>
/// <param name="ResourceId">The submission or batch id created for it.</param>
/// <param name="StatusCode">The status code first answered (0 until known).</param>
/// <param name="Expires">When the key may be reused for something else (24 h after the first use).</param>
public sealed record IdempotencyClaim(string Tenant, string Key, string BodyHash, string ResourceId, int StatusCode, DateTimeOffset Expires)
{
    /// <summary>How long a key is held after its first use.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>When the key was first used.</summary>
    public DateTimeOffset Claimed => Expires - Lifetime;
}

/// <summary>Persistence of idempotency keys (port).</summary>
public interface IIdempotencyStore
{
    /// <summary>Claims a key: inserts the claim, or returns the live claim already there (an expired one is replaced).</summary>
    /// <param name="claim">The new claim.</param>
    /// <param name="now">The current time, to recognise an expired claim.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Null when <paramref name="claim"/> was stored; otherwise the existing claim.</returns>
    Task<IdempotencyClaim?> ClaimAsync(IdempotencyClaim claim, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records the status code first answered for a claim.</summary>
    /// <param name="claim">The claim with its status code.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    Task CompleteAsync(IdempotencyClaim claim, CancellationToken cancellationToken);
}
