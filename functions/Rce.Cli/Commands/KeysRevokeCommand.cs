using System.CommandLine;
using System.Globalization;
using Rce.Core.Tenancy;

namespace Rce.Cli.Commands;

/// <summary>
/// <c>rce keys revoke KEYID</c>: revokes a key (idempotent: a revoked key keeps its first time).
/// Running Functions instances refuse it within <see cref="AuthOptions.MaxCacheSeconds"/> seconds.
/// </summary>
internal static class KeysRevokeCommand
{
    public static Command Create(TextWriter stderr, Option<string?> data)
    {
        var keyId = new Argument<string>("KEYID") { Description = "The key id (12 characters of a-z and 2-7; the part after rce_ in the key)." };
        var command = new Command("revoke", "Revoke an API key; it is refused within 5 seconds.") { keyId };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(keyId)!, parse.GetValue(data), stderr, ct));
        return command;
    }

    private static async Task<int> RunAsync(string keyId, string? data, TextWriter stderr, CancellationToken cancellationToken)
    {
        // Not echoed when malformed: a pasted whole key would put its secret on the screen again.
        if (!ApiKeyFormat.IsKeyId(keyId))
        {
            return await KeysCommand.BadInputAsync(stderr, "not a key id: 12 characters of a-z and 2-7 expected (see rce keys list)").ConfigureAwait(false);
        }

        return await KeysCommand.WithStoreAsync(data, stderr, async (store, ct) =>
        {
            var before = await store.GetAsync(keyId, ct).ConfigureAwait(false);
            var revoked = before is null ? null : await store.RevokeAsync(keyId, TimeProvider.System.GetUtcNow(), ct).ConfigureAwait(false);
            if (revoked?.RevokedAt is not { } at)
            {
                await stderr.WriteLineAsync($"rce: error: no key with id {keyId}").ConfigureAwait(false);
                return KeysCommand.Failed;
            }

            var when = at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            await stderr.WriteLineAsync(before!.Revoked
                ? $"rce: key {keyId} (tenant {revoked.Tenant}) was already revoked at {when}"
                : $"rce: key {keyId} (tenant {revoked.Tenant}) revoked at {when}").ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }
}
