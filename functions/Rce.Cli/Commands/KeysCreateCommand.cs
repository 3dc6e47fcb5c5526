using System.CommandLine;
using Rce.Core.Tenancy;

namespace Rce.Cli.Commands;

/// <summary>
/// <c>rce keys create --tenant NAME --roles submit,read,admin</c>: ensures the tenant, creates a key,
/// says what it did on stderr and prints the key alone on stdout (so <c>KEY=$(rce keys create …)</c> works).
/// </summary>
internal static class KeysCreateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Option<string?> data)
    {
        var tenant = new Option<string>("--tenant") { Description = "Tenant name: 1-63 of a-z, 0-9 and '-', starting with a letter or digit; created if missing.", Required = true };
        var roles = new Option<string>("--roles") { Description = $"Comma-separated roles: {ApiKeyRolesText.AllRoles}.", Required = true };
        var command = new Command("create", "Create an API key (and its tenant when missing); the key is printed once, alone on stdout.") { tenant, roles };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(tenant)!, parse.GetValue(roles)!, parse.GetValue(data), stdout, stderr, ct));
        return command;
    }

    private static async Task<int> RunAsync(string tenant, string roles, string? data, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        // Checked before any storage is opened (or any Azurite started).
        if (!TenantName.TryValidate(tenant, out var tenantError))
        {
            return await KeysCommand.BadInputAsync(stderr, tenantError).ConfigureAwait(false);
        }

        if (!ApiKeyRolesText.TryParse(roles, out var parsed, out var rolesError))
        {
            return await KeysCommand.BadInputAsync(stderr, rolesError).ConfigureAwait(false);
        }

        return await KeysCommand.WithStoreAsync(data, stderr, async (store, ct) =>
        {
            var now = TimeProvider.System.GetUtcNow();
            var created = await store.EnsureTenantAsync(new Tenant(tenant, now), ct).ConfigureAwait(false);
            var issued = ApiKeyFormat.Issue(tenant, parsed, now);
            await store.CreateAsync(issued.Key, ct).ConfigureAwait(false);
            await stderr.WriteLineAsync(created ? $"rce: tenant {tenant} created" : $"rce: tenant {tenant} exists").ConfigureAwait(false);
            await stderr.WriteLineAsync($"rce: key {issued.Key.KeyId} created for tenant {tenant}, roles {ApiKeyRolesText.Format(parsed)}").ConfigureAwait(false);
            await stderr.WriteLineAsync("rce: the key follows on stdout; it is shown only now (only its hash is stored)").ConfigureAwait(false);
            await stdout.WriteLineAsync(issued.Plaintext).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }
}
