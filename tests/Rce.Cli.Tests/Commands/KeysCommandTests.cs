using Rce.Core.Tenancy;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Tenancy;
using Rce.Testing;

namespace Rce.Cli.Tests.Commands;

/// <summary><c>rce keys</c> in-process, on a real Azurite given through <c>AzureWebJobsStorage</c>.</summary>
public sealed class KeysCommandTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private const string Setting = "AzureWebJobsStorage";
    private readonly string? _saved = Environment.GetEnvironmentVariable(Setting);

    public void Dispose() => Environment.SetEnvironmentVariable(Setting, _saved);

    [Fact]
    public async Task CreateListRevoke_RoundTrip()
    {
        UseFixtureStorage();
        var tenant = NewTenant();

        var (exit, stdout, stderr) = await CliHarness.RunAsync("keys", "create", "--tenant", tenant, "--roles", "Submit,read");

        Assert.True(exit == 0, stderr);
        var key = Assert.Single(Lines(stdout));
        Assert.True(ApiKeyFormat.TryParse(key, out var parsed), "the last stdout line is not a key");
        var stored = await Store().GetAsync(parsed.KeyId, TestContext.Current.CancellationToken);
        Assert.NotNull(stored);
        Assert.True(ApiKeyFormat.SecretMatches(stored, parsed.Secret));
        Assert.Equal(ApiKeyRoles.Submit | ApiKeyRoles.Read, stored.Roles);
        Assert.Contains($"tenant {tenant} created", stderr, StringComparison.Ordinal);
        Assert.Contains(parsed.KeyId, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(key[17..], stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", stderr, StringComparison.Ordinal);

        var list = await CliHarness.RunAsync("keys", "list", "--tenant", tenant);
        Assert.True(list.Exit == 0, list.Stderr);
        var rows = Lines(list.Stdout);
        Assert.Equal(["KEY ID", "TENANT", "ROLES", "CREATED", "REVOKED"], rows[0].Split("  ", StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()));
        Assert.Equal([parsed.KeyId, tenant, "submit,read", "-"], Cells(rows[1]).Where((_, i) => i != 3));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", Cells(rows[1])[3]);
        Assert.DoesNotContain(key[17..], list.Stdout + list.Stderr, StringComparison.Ordinal);

        var revoke = await CliHarness.RunAsync("keys", "revoke", parsed.KeyId);
        Assert.True(revoke.Exit == 0, revoke.Stderr);
        Assert.Contains($"key {parsed.KeyId} (tenant {tenant}) revoked at", revoke.Stderr, StringComparison.Ordinal);
        Assert.Empty(revoke.Stdout);
        Assert.True((await Store().GetAsync(parsed.KeyId, TestContext.Current.CancellationToken))!.Revoked);

        var again = await CliHarness.RunAsync("keys", "revoke", parsed.KeyId);
        Assert.True(again.Exit == 0, again.Stderr);
        Assert.Contains("was already revoked", again.Stderr, StringComparison.Ordinal);

        var after = Lines((await CliHarness.RunAsync("keys", "list", "--tenant", tenant)).Stdout);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", Cells(after[1])[4]);
    }

    [Fact]
    public async Task Create_SecondKeyOfATenant_TenantExists_ListWithoutTenantShowsBoth()
    {
        UseFixtureStorage();
        var tenant = NewTenant();
        var first = await CliHarness.RunAsync("keys", "create", "--tenant", tenant, "--roles", "read");

        var second = await CliHarness.RunAsync("keys", "create", "--tenant", tenant, "--roles", "admin");
        var list = await CliHarness.RunAsync("keys", "list");

        Assert.True(second.Exit == 0, second.Stderr);
        Assert.Contains($"tenant {tenant} exists", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, Lines(list.Stdout).Count(l => Cells(l)[1] == tenant));
        Assert.NotEqual(Lines(first.Stdout)[^1], Lines(second.Stdout)[^1]);
    }

    [Theory]
    [InlineData("acme", "submit,write", "rce: error: unknown role 'write' (roles: submit,read,admin)")]
    [InlineData("acme", "", "rce: error: no role given (roles: submit,read,admin)")]
    [InlineData("Acme", "read", "rce: error: a tenant name is 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit")]
    [InlineData("-acme", "read", "rce: error: a tenant name is 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit")]
    public async Task Create_BadInput_ExitTwo_OneLine_NothingOnStdout(string tenant, string roles, string expected)
    {
        var (exit, stdout, stderr) = await CliHarness.RunAsync("keys", "create", "--tenant", tenant, "--roles", roles);

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Equal(expected, stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task Create_MissingRoles_ExitTwo_OneLine()
    {
        var (exit, stdout, stderr) = await CliHarness.RunAsync("keys", "create", "--tenant", "acme");

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Single(Lines(stderr));
        Assert.Contains("--roles", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_UnknownKeyId_ExitOne_OneLine()
    {
        UseFixtureStorage();

        var (exit, stdout, stderr) = await CliHarness.RunAsync("keys", "revoke", "abcdefgh2345");

        Assert.Equal(1, exit);
        Assert.Empty(stdout);
        Assert.Equal("rce: error: no key with id abcdefgh2345", Lines(stderr)[^1]);
    }

    [Fact]
    public async Task Revoke_WholeKeyInsteadOfItsId_ExitTwo_AndTheSecretIsNotEchoed()
    {
        var key = ApiKeyFormat.Issue("acme", ApiKeyRoles.Read, TimeProvider.System.GetUtcNow()).Plaintext;

        var (exit, stdout, stderr) = await CliHarness.RunAsync("keys", "revoke", key);

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Single(Lines(stderr));
        Assert.DoesNotContain(key[17..], stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StorageUnreachable_ExitOne_OneLine_WithoutTheConnectionString()
    {
        var port = LoopbackPorts.Free();
        var secret = Convert.ToBase64String(new byte[64]);
        Environment.SetEnvironmentVariable(Setting, $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={secret};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;");

        var (exit, stdout, stderr) = await CliHarness.RunAsync("keys", "list");

        Assert.Equal(1, exit);
        Assert.Empty(stdout);
        Assert.Equal("rce: error: storage is unreachable", Lines(stderr)[^1]);
        Assert.DoesNotContain(secret, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("keys", "--help")]
    [InlineData("keys", "create", "--help")]
    [InlineData("keys", "list", "--help")]
    [InlineData("keys", "revoke", "--help")]
    public async Task Help_ExitZero(params string[] args)
    {
        var (exit, stdout, _) = await CliHarness.RunAsync(args);

        Assert.Equal(0, exit);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_WithoutACommand_ExitTwo() =>
        Assert.Equal(2, (await CliHarness.RunAsync("keys")).Exit);

    private void UseFixtureStorage() => Environment.SetEnvironmentVariable(Setting, azurite.Server.ConnectionString);

    private TableApiKeyStore Store() => new(StorageAccount.FromConnectionString(azurite.Server.ConnectionString));

    private static string NewTenant() => "t-" + Guid.NewGuid().ToString("N")[..12];

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string[] Cells(string row) => row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
