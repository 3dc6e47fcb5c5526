namespace Rce.Core.Tenancy;

/// <summary>A key just created by <see cref="ApiKeyFormat.Issue"/>.</summary>
/// <param name="Key">What is stored (the secret as its hash).</param>
/// <param name="Plaintext">The whole key, <c>rce_&lt;keyid&gt;_&lt;secret&gt;</c>: shown to its owner once, never stored or logged.</param>
public sealed record IssuedApiKey(ApiKey Key, string Plaintext)
{
    /// <summary>The key id only. Threat: a logged or interpolated value must never carry the plaintext.</summary>
    /// <returns>The key id.</returns>
    public override string ToString() => Key.KeyId;
}
