using Azure.Data.Tables;
using Rce.Core.Tenancy;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Tenancy;
using Rce.Testing;

namespace Rce.Infrastructure.Tests.Tenancy;

/// <summary>Tenants and API keys on a real Azurite: create, read, list, revoke.</summary>
public sealed class TableApiKeyStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset T0 = new(2025, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Create_ThenGet_ReturnsTheSameKey()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var key = ApiKeyFormat.Issue(NewTenant(), ApiKeyRoles.Submit | ApiKeyRoles.Admin, T0).Key;

        await store.CreateAsync(key, ct);
        var read = await store.GetAsync(key.KeyId, ct);

        Assert.NotNull(read);
        Assert.Equal(key.SecretHash, read.SecretHash);
        Assert.Equal(key with { SecretHash = read.SecretHash }, read);
    }

    [Fact]
    public async Task Create_StoresTheHashNeverTheSecret()
    {
        var ct = TestContext.Current.CancellationToken;
        var issued = ApiKeyFormat.Issue(NewTenant(), ApiKeyRoles.Read, T0);
        await Store().CreateAsync(issued.Key, ct);

        var row = (await Table(TableApiKeyStore.KeysTable).GetEntityAsync<TableEntity>(issued.Key.KeyId, "", cancellationToken: ct)).Value;

        Assert.Equal(["CreatedAt", "PartitionKey", "Roles", "RowKey", "SecretHash", "Tenant", "Timestamp", "odata.etag"], row.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("read", row.GetString("Roles"));
        Assert.Equal(issued.Key.SecretHash, row.GetBinary("SecretHash"));
        Assert.DoesNotContain(row.Keys.Select(k => row[k]), v => v is string s && s.Contains(issued.Plaintext[17..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_DuplicateKeyId_Refused_AndTheFirstKept()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var first = ApiKeyFormat.Issue(NewTenant(), ApiKeyRoles.Read, T0).Key;
        var second = ApiKeyFormat.Issue(NewTenant(), ApiKeyRoles.Admin, T0).Key with { KeyId = first.KeyId };
        await store.CreateAsync(first, ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.CreateAsync(second, ct));

        Assert.Contains(first.KeyId, error.Message, StringComparison.Ordinal);
        Assert.Equal(first.Tenant, (await store.GetAsync(first.KeyId, ct))!.Tenant);
    }

    [Fact]
    public async Task Create_MalformedKey_Throws()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = ApiKeyFormat.Issue(NewTenant(), ApiKeyRoles.Read, T0).Key;

        await Assert.ThrowsAsync<ArgumentException>(() => Store().CreateAsync(key with { KeyId = "abc'def/ghij" }, ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store().CreateAsync(key with { Tenant = "Acme" }, ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store().CreateAsync(key with { SecretHash = new byte[16] }, ct));
    }

    [Theory]
    [InlineData("abcdefgh2345")]
    [InlineData("abc'or'1'eq'")]
    [InlineData("../../tables")]
    [InlineData("")]
    public async Task Get_UnknownOrMalformedKeyId_Null(string keyId)
    {
        Assert.Null(await Store().GetAsync(keyId, TestContext.Current.CancellationToken));
        Assert.Null(await Store().RevokeAsync(keyId, T0, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task EnsureTenant_Idempotent_KeepsTheFirstCreationTime()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var name = NewTenant();

        Assert.True(await store.EnsureTenantAsync(new Tenant(name, T0), ct));
        Assert.False(await store.EnsureTenantAsync(new Tenant(name, T0.AddHours(1)), ct));

        var row = (await Table(TableApiKeyStore.TenantsTable).GetEntityAsync<TableEntity>(name, "", cancellationToken: ct)).Value;
        Assert.Equal(T0, row.GetDateTimeOffset("CreatedAt"));
    }

    [Fact]
    public async Task EnsureTenant_InvalidName_Throws() =>
        await Assert.ThrowsAsync<ArgumentException>(() => Store().EnsureTenantAsync(new Tenant("a/b", T0), TestContext.Current.CancellationToken));

    [Fact]
    public async Task List_ByTenant_OnlyItsKeys_InCreationOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var tenant = NewTenant();
        var later = ApiKeyFormat.Issue(tenant, ApiKeyRoles.Read, T0.AddMinutes(2)).Key;
        var earlier = ApiKeyFormat.Issue(tenant, ApiKeyRoles.Submit, T0.AddMinutes(1)).Key;
        var others = ApiKeyFormat.Issue(NewTenant(), ApiKeyRoles.Read, T0).Key;
        foreach (var key in new[] { later, earlier, others })
        {
            await store.CreateAsync(key, ct);
        }

        var listed = await store.ListAsync(tenant, ct);
        var all = await store.ListAsync(null, ct);

        Assert.Equal([earlier.KeyId, later.KeyId], listed.Select(k => k.KeyId));
        Assert.Contains(all, k => k.KeyId == others.KeyId);
        Assert.Contains(all, k => k.KeyId == later.KeyId);
    }

    [Fact]
    public async Task List_UnknownTenant_Empty_InvalidTenant_Throws()
    {
        var ct = TestContext.Current.CancellationToken;

        Assert.Empty(await Store().ListAsync(NewTenant(), ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store().ListAsync("x' or Tenant ne '", ct));
    }

    [Fact]
    public async Task Revoke_SetsTheTime_AndIsIdempotent()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var key = ApiKeyFormat.Issue(NewTenant(), ApiKeyRoles.Read, T0).Key;
        await store.CreateAsync(key, ct);

        var revoked = await store.RevokeAsync(key.KeyId, T0.AddHours(1), ct);
        var again = await store.RevokeAsync(key.KeyId, T0.AddHours(2), ct);
        var read = await store.GetAsync(key.KeyId, ct);

        Assert.Equal(T0.AddHours(1), revoked!.RevokedAt);
        Assert.Equal(T0.AddHours(1), again!.RevokedAt);
        Assert.True(read!.Revoked);
        Assert.Equal(T0.AddHours(1), read.RevokedAt);
        Assert.Equal(key.SecretHash, read.SecretHash);
    }

    [Fact]
    public async Task Revoke_Concurrent_OneTimeWins()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var key = ApiKeyFormat.Issue(NewTenant(), ApiKeyRoles.Read, T0).Key;
        await store.CreateAsync(key, ct);

        var results = await Task.WhenAll(Enumerable.Range(1, 4).Select(i => Store().RevokeAsync(key.KeyId, T0.AddMinutes(i), ct)));
        var stored = (await store.GetAsync(key.KeyId, ct))!.RevokedAt;

        // Every caller sees a revocation; the stored time is one of theirs and never changes after.
        Assert.All(results, r => Assert.NotNull(r!.RevokedAt));
        Assert.Contains(stored, results.Select(r => r!.RevokedAt));
    }

    [Fact]
    public async Task Get_UnreadableRoles_GrantsNone()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var key = ApiKeyFormat.Issue(NewTenant(), ApiKeyRoles.Admin, T0).Key;
        await store.CreateAsync(key, ct);
        await Table(TableApiKeyStore.KeysTable).UpdateEntityAsync(new TableEntity(key.KeyId, "") { ["Roles"] = "admin,superuser" }, Azure.ETag.All, TableUpdateMode.Merge, ct);

        Assert.Equal(ApiKeyRoles.None, (await store.GetAsync(key.KeyId, ct))!.Roles);
    }

    private TableApiKeyStore Store() => new(StorageAccount.FromConnectionString(azurite.Server.ConnectionString));

    private TableClient Table(string name) => new TableServiceClient(azurite.Server.ConnectionString).GetTableClient(name);

    private static string NewTenant() => "t-" + Guid.NewGuid().ToString("N")[..12];
}
