using System.CommandLine;
using System.Globalization;
using Rce.Core.Tenancy;

namespace Rce.Cli.Commands;

/// <summary>
/// <c>rce keys list [--tenant NAME]</c>: a table of key id, tenant, roles, created and revoked
/// (UTC, <c>-</c> while valid), oldest first. Never a secret: only hashes are stored.
/// </summary>
internal static class KeysListCommand
{
    private static readonly string[] Header = ["KEY ID", "TENANT", "ROLES", "CREATED", "REVOKED"];

    public static Command Create(TextWriter stdout, TextWriter stderr, Option<string?> data)
    {
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant's keys." };
        var command = new Command("list", "List API keys (key id, tenant, roles, created, revoked); never secrets.") { tenant };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(tenant), parse.GetValue(data), stdout, stderr, ct));
        return command;
    }

    /// <summary>The table's lines: a header, then one line per key, columns padded to their widest cell.</summary>
    internal static IEnumerable<string> Format(IReadOnlyList<ApiKey> keys)
    {
        var rows = new List<string[]> { Header };
        rows.AddRange(keys.Select(k => new[]
        {
            k.KeyId,
            k.Tenant,
            k.Roles == ApiKeyRoles.None ? "(none)" : ApiKeyRolesText.Format(k.Roles),
            Time(k.CreatedAt),
            k.RevokedAt is { } revoked ? Time(revoked) : "-",
        }));
        var widths = Enumerable.Range(0, Header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        return rows.Select(r => string.Join("  ", r.Select((cell, c) => c == r.Length - 1 ? cell : cell.PadRight(widths[c]))));
    }

    private static async Task<int> RunAsync(string? tenant, string? data, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (tenant is not null && !TenantName.TryValidate(tenant, out var error))
        {
            return await KeysCommand.BadInputAsync(stderr, error).ConfigureAwait(false);
        }

        return await KeysCommand.WithStoreAsync(data, stderr, async (store, ct) =>
        {
            foreach (var line in Format(await store.ListAsync(tenant, ct).ConfigureAwait(false)))
            {
                await stdout.WriteLineAsync(line).ConfigureAwait(false);
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static string Time(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
