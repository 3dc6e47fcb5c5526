using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;
using Rce.Testing;
using static Rce.Infrastructure.Tests.Workflow.WorkflowTestData;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>Idempotency keys: first claim wins, later ones see it, expired ones are taken over.</summary>
public sealed class TableIdempotencyStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    // Characters a RowKey may not hold, plus non-ASCII: the key is hashed for the row and kept verbatim for the answer.
    private static string NewKey() => "key/with#odd?chars\\é\t" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Claim_FirstStores_SecondGetsTheFirst()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var first = Claim(NewTenant(), NewKey(), "resource-1");

        var firstResult = await store.ClaimAsync(first, T0, ct);
        var secondResult = await store.ClaimAsync(first with { BodyHash = "other", ResourceId = "resource-2" }, T0.AddMinutes(1), ct);

        Assert.Null(firstResult);
        Assert.Equal(first, secondResult);
    }

    [Fact]
    public async Task Claim_LongKey_ReturnedWhole()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var key = string.Concat(Enumerable.Repeat("k", 223)) + Guid.NewGuid().ToString("N");
        var first = Claim(NewTenant(), key, "resource-1");
        await store.ClaimAsync(first, T0, ct);

        var existing = await store.ClaimAsync(first with { ResourceId = "resource-2" }, T0, ct);

        Assert.NotNull(existing);
        Assert.Equal(255, existing.Key.Length);
        Assert.Equal(key, existing.Key);
    }

    [Fact]
    public async Task Claim_SameKeyOtherTenant_Independent()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var key = NewKey();

        Assert.Null(await store.ClaimAsync(Claim(NewTenant(), key, "a"), T0, ct));
        Assert.Null(await store.ClaimAsync(Claim(NewTenant(), key, "b"), T0, ct));
    }

    [Fact]
    public async Task Claim_Expired_IsReplaced_AndTheReplacementHolds()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var tenant = NewTenant();
        var key = NewKey();
        var old = Claim(tenant, key, "old") with { Expires = T0.AddHours(24) };
        var renewed = Claim(tenant, key, "new") with { Expires = T0.AddHours(48) };
        await store.ClaimAsync(old, T0, ct);

        var atExpiry = await store.ClaimAsync(renewed, T0.AddHours(24), ct); // Expires <= now: expired
        var later = await store.ClaimAsync(Claim(tenant, key, "third"), T0.AddHours(25), ct);

        Assert.Null(atExpiry);
        Assert.Equal(renewed, later);
    }

    [Fact]
    public async Task Claim_JustBeforeExpiry_StillHeld()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var first = Claim(NewTenant(), NewKey(), "first") with { Expires = T0.AddHours(24) };
        await store.ClaimAsync(first, T0, ct);

        var existing = await store.ClaimAsync(first with { ResourceId = "second" }, T0.AddHours(24).AddTicks(-1), ct);

        Assert.Equal(first, existing);
    }

    [Fact]
    public async Task Claim_EightConcurrent_ExactlyOneWins()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var tenant = NewTenant();
        var key = NewKey();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => store.ClaimAsync(Claim(tenant, key, "resource-" + i), T0, ct), ct)));

        Assert.Single(results, r => r is null);
        var holders = results.Where(r => r is not null).Select(r => r!.ResourceId).Distinct().ToList();
        var holder = Assert.Single(holders);
        var winner = Enumerable.Range(0, 8).Single(i => results[i] is null);
        Assert.Equal("resource-" + winner, holder);
    }

    [Fact]
    public async Task Claim_EightConcurrentOverAnExpiredClaim_ExactlyOneWins()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var tenant = NewTenant();
        var key = NewKey();
        await store.ClaimAsync(Claim(tenant, key, "expired") with { Expires = T0 }, T0.AddHours(-24), ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => store.ClaimAsync(Claim(tenant, key, "resource-" + i) with { Expires = T0.AddHours(24) }, T0.AddHours(1), ct), ct)));

        Assert.Single(results, r => r is null);
        var winner = Enumerable.Range(0, 8).Single(i => results[i] is null);
        Assert.All(results.Where(r => r is not null), r => Assert.Equal("resource-" + winner, r!.ResourceId));
    }

    [Fact]
    public async Task Complete_RecordsStatusCode_OnlyOnItsOwnClaim()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var claim = Claim(NewTenant(), NewKey(), "mine");
        await store.ClaimAsync(claim, T0, ct);

        await store.CompleteAsync(claim with { ResourceId = "someone-else", StatusCode = 500 }, ct);
        var untouched = await store.ClaimAsync(claim with { ResourceId = "probe" }, T0, ct);
        await store.CompleteAsync(claim with { StatusCode = 202 }, ct);
        var completed = await store.ClaimAsync(claim with { ResourceId = "probe" }, T0, ct);

        Assert.Equal(0, untouched!.StatusCode);
        Assert.Equal(claim with { StatusCode = 202 }, completed);
    }

    [Fact]
    public async Task Complete_UnknownClaim_NoRowCreated()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var claim = Claim(NewTenant(), NewKey(), "ghost");

        await store.CompleteAsync(claim with { StatusCode = 200 }, ct);

        Assert.Null(await store.ClaimAsync(claim, T0, ct));
    }

    private static IdempotencyClaim Claim(string tenant, string key, string resourceId) =>
        new(tenant, key, "body-hash-" + resourceId, resourceId, 0, T0.AddHours(24));

    private TableIdempotencyStore Store() => new(StorageAccount.FromConnectionString(azurite.Server.ConnectionString));
}
