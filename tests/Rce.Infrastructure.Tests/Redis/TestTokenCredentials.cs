using System.Security.Cryptography;
using Azure.Core;
using StackExchange.Redis;

namespace Rce.Infrastructure.Tests.Redis;

/// <summary>
/// Plays Microsoft Entra and Azure Cache for Redis together: each token is a new random password of
/// the ACL user, added when the token is issued and removed once the token has expired, as the
/// cache stops accepting an expired token.
/// </summary>
internal sealed class RotatingTokenCredential(IConnectionMultiplexer admin, string user, TimeSpan lifetime) : TokenCredential
{
    private readonly Lock _lock = new();
    private readonly List<AccessToken> _live = [];

    public int Issued { get; private set; }

    public string? FirstToken { get; private set; }

    public IReadOnlyList<string> Scopes { get; private set; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var now = TimeProvider.System.GetUtcNow();
        var token = new AccessToken("tok-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), now + lifetime);
        List<string> expired;
        lock (_lock)
        {
            expired = [.. _live.Where(t => t.ExpiresOn <= now).Select(t => t.Token)];
            _live.RemoveAll(t => t.ExpiresOn <= now);
            _live.Add(token);
            Issued++;
            FirstToken ??= token.Token;
            Scopes = requestContext.Scopes;
        }

        var server = admin.GetServers()[0];
        await server.ExecuteAsync("ACL", ["SETUSER", user, ">" + token.Token, .. expired.Select(t => "<" + t)]);
        return token;
    }
}

/// <summary>Always the same token (for a wrong password), or a failure (for an identity endpoint that is down).</summary>
internal sealed class FixedTokenCredential(string? token) : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        token is null
            ? throw new Azure.Identity.CredentialUnavailableException("no managed identity endpoint in tests")
            : new AccessToken(token, TimeProvider.System.GetUtcNow().AddHours(1));

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
