using StackExchange.Redis.Configuration;

namespace Rce.Infrastructure.Redis;

/// <summary>
/// Supplies the current Entra token as the Redis password. Installed as the multiplexer's
/// <see cref="StackExchange.Redis.ConfigurationOptions.Defaults"/> with no explicit password set, so
/// <see cref="StackExchange.Redis.ConfigurationOptions.Password"/> resolves to <see cref="Password"/>
/// on every read: each reconnect's handshake AUTHs with the newest token, and replacing the token
/// here is what "updates the configuration's password" (the approach of Microsoft's own
/// Microsoft.Azure.StackExchangeRedis extension, which cannot be restored here).
/// </summary>
internal sealed class EntraTokenOptionsProvider : DefaultOptionsProvider
{
    private volatile string? _token;

    /// <inheritdoc/>
    public override string? Password => _token;

    /// <summary>Replaces the token that handshakes use from now on.</summary>
    /// <param name="token">The access token (a secret: never logged).</param>
    public void SetToken(string token) => _token = token;

    /// <inheritdoc/>
    /// <remarks>Never selected by endpoint: this provider is only ever installed explicitly.</remarks>
    public override bool IsMatch(System.Net.EndPoint endpoint) => false;
}
