namespace Rce.Core.Tenancy;

/// <summary>A presented key, split by <see cref="ApiKeyFormat.TryParse"/>.</summary>
/// <param name="KeyId">The key id (not secret).</param>
/// <param name="Secret">The secret bytes (32).</param>
public sealed record ParsedApiKey(string KeyId, byte[] Secret)
{
    /// <summary>The key id only. Threat: a logged or interpolated value must never carry the secret.</summary>
    /// <returns>The key id.</returns>
    public override string ToString() => KeyId;
}
