using Azure.Data.Tables;
using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;
using Rce.Testing;
using static Rce.Infrastructure.Tests.Workflow.WorkflowTestData;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>Listings through the tenant index: filters, order, paging through continuation tokens, tenant isolation, purge.</summary>
public sealed class TableSubmissionStoreListTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task List_StatusFilter_OnlyThoseStatuses()
    {
        var store = Store();
        var tenant = NewTenant();
        var statuses = new[] { SubmissionStatus.Queued, SubmissionStatus.Running, SubmissionStatus.Completed, SubmissionStatus.Failed, SubmissionStatus.Completed };
        var ids = await CreateAsync(store, tenant, statuses.Length, i => s => s with { Status = statuses[i] });

        var listed = await ListAllAsync(store, new SubmissionQuery(tenant, [SubmissionStatus.Completed, SubmissionStatus.Failed], null, null, 100));

        Assert.Equal(new[] { ids[2], ids[3], ids[4] }.Order(), listed.Select(s => s.Id).Order());
        Assert.All(listed, s => Assert.Contains(s.Status, new[] { SubmissionStatus.Completed, SubmissionStatus.Failed }));
    }

    [Fact]
    public async Task List_NoStatusFilter_Everything()
    {
        var store = Store();
        var tenant = NewTenant();
        var ids = await CreateAsync(store, tenant, 3, i => s => s with { Status = (SubmissionStatus)i });

        var listed = await ListAllAsync(store, new SubmissionQuery(tenant, [], null, null, 100));

        Assert.Equal(ids.Order(), listed.Select(s => s.Id).Order());
    }

    [Fact]
    public async Task List_TimeRange_BoundsAreInclusive()
    {
        var store = Store();
        var tenant = NewTenant();
        var ids = await CreateAsync(store, tenant, 4, i => s => s with { CreatedTime = T0.AddHours(i) });

        var listed = await ListAllAsync(store, new SubmissionQuery(tenant, null, T0.AddHours(1), T0.AddHours(2), 100));
        var fromOnly = await ListAllAsync(store, new SubmissionQuery(tenant, null, T0.AddHours(2), null, 100));
        var toOnly = await ListAllAsync(store, new SubmissionQuery(tenant, null, null, T0.AddHours(0.5), 100));

        Assert.Equal(new[] { ids[1], ids[2] }.Order(), listed.Select(s => s.Id).Order());
        Assert.Equal(new[] { ids[2], ids[3] }.Order(), fromOnly.Select(s => s.Id).Order());
        Assert.Equal([ids[0]], toOnly.Select(s => s.Id));
    }

    [Fact]
    public async Task List_TopTwo_PagesThroughEveryRowOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var tenant = NewTenant();
        var ids = await CreateAsync(store, tenant, 5, _ => s => s);
        var query = new SubmissionQuery(tenant, null, null, null, 2);
        var seen = new List<string>();
        var pages = 0;
        string? continuation = null;

        do
        {
            var page = await store.ListAsync(query, continuation, ct);
            Assert.InRange(page.Items.Count, 0, 2);
            seen.AddRange(page.Items.Select(s => s.Id));
            continuation = page.Continuation;
            pages++;
        }
        while (continuation is not null && pages < 50);

        Assert.Null(continuation);
        Assert.InRange(pages, 3, 50);
        Assert.Equal(ids.Order(), seen.Order()); // each id exactly once
    }

    [Fact]
    public async Task List_TenantIsolation_OtherTenantsAndInjectionSeeNothing()
    {
        var store = Store();
        var tenantA = NewTenant();
        var tenantB = NewTenant();
        var idsA = await CreateAsync(store, tenantA, 2, _ => s => s);
        var idsB = await CreateAsync(store, tenantB, 3, _ => s => s);

        var listedA = await ListAllAsync(store, new SubmissionQuery(tenantA, null, null, null, 100));
        var listedB = await ListAllAsync(store, new SubmissionQuery(tenantB, null, null, null, 100));
        var injected = await ListAllAsync(store, new SubmissionQuery("x' or Tenant ne 'x", null, null, null, 100));

        Assert.Equal(idsA.Order(), listedA.Select(s => s.Id).Order());
        Assert.Equal(idsB.Order(), listedB.Select(s => s.Id).Order());
        Assert.Empty(injected);
    }

    [Fact]
    public async Task List_TenantWithQuote_Matches()
    {
        var store = Store();
        var tenant = "o'brien-" + NewTenant();
        var ids = await CreateAsync(store, tenant, 1, _ => s => s);

        var listed = await ListAllAsync(store, new SubmissionQuery(tenant, null, null, null, 10));

        Assert.Equal(ids, listed.Select(s => s.Id));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task List_TopOutOfRange_Throws(int top)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Store().ListAsync(new SubmissionQuery(NewTenant(), null, null, null, top), null, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task List_NewestFirst()
    {
        var store = Store();
        var tenant = NewTenant();
        var ids = await CreateAsync(store, tenant, 4, i => s => s with { CreatedTime = T0.AddMinutes(i % 2 == 0 ? i : -i) });

        var listed = await ListAllAsync(store, new SubmissionQuery(tenant, null, null, null, 100));

        // Created at T0, T0-1m, T0+2m, T0-3m.
        Assert.Equal([ids[2], ids[0], ids[1], ids[3]], listed.Select(s => s.Id));
    }

    [Fact]
    public async Task List_RangeStatusAndTop_PagesInOrderWithoutGapsOrRepeats()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var tenant = NewTenant();
        var statuses = new[] { SubmissionStatus.Completed, SubmissionStatus.Failed, SubmissionStatus.Running };
        var ids = await CreateAsync(store, tenant, 12, i => s => s with { CreatedTime = T0.AddSeconds(i), Status = statuses[i % 3] });
        // Created T0+0s … T0+11s; the range keeps 2 … 10, the filter drops every Failed one (i % 3 == 1).
        var query = new SubmissionQuery(tenant, [SubmissionStatus.Completed, SubmissionStatus.Running], T0.AddSeconds(2), T0.AddSeconds(10), 2);
        var expected = new[] { 9, 8, 6, 5, 3, 2 }.Select(i => ids[i]).ToList();

        var seen = new List<string>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var page = await store.ListAsync(query, continuation, ct);
            pages++;
            Assert.Equal(2, page.Items.Count);
            Assert.All(page.Items, s => Assert.Equal(tenant, s.Tenant));
            seen.AddRange(page.Items.Select(s => s.Id));
            continuation = page.Continuation;
        }
        while (continuation is not null && pages < 20);

        Assert.Equal(expected, seen);
        Assert.Equal(3, pages); // the last item ends the range: no empty page after it
    }

    [Fact]
    public async Task List_Purged_GoneFromTheListingAndTheIndex()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var tenant = NewTenant();
        var ids = await CreateAsync(store, tenant, 3, i => s => s with { CreatedTime = T0.AddSeconds(i) });

        await store.DeleteAsync(ids[1], ct);

        var listed = await ListAllAsync(store, new SubmissionQuery(tenant, null, null, null, 100));
        Assert.Equal([ids[2], ids[0]], listed.Select(s => s.Id));
        var entries = await IndexEntriesAsync(tenant);
        Assert.Equal(2, entries.Count);
        Assert.DoesNotContain(entries, key => key.EndsWith(ids[1], StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_EntryWhoseRowWasNeverWritten_Skipped()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var tenant = NewTenant();
        var ids = await CreateAsync(store, tenant, 2, i => s => s with { CreatedTime = T0.AddSeconds(i) });

        // A create that died between its index entry and its row.
        await Index().AddAsync(Minimal(NewId(), tenant, T0.AddSeconds(5)), ct);

        var listed = await ListAllAsync(store, new SubmissionQuery(tenant, null, null, null, 100));
        Assert.Equal([ids[1], ids[0]], listed.Select(s => s.Id));
    }

    [Fact]
    public async Task Create_SecondCreateOfAnIdWithAnotherTimeOrTenant_ListedOnceUnderTheFirst()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var tenant = NewTenant();
        var other = NewTenant();
        var id = NewId();
        await store.CreateAsync(Minimal(id, tenant, T0), "{}"u8.ToArray(), ct);

        await store.CreateAsync(Minimal(id, tenant, T0.AddMinutes(5)), "{}"u8.ToArray(), ct); // an idempotent replay's new clock
        await store.CreateAsync(Minimal(id, other, T0), "{}"u8.ToArray(), ct);

        Assert.Equal([id], (await ListAllAsync(store, new SubmissionQuery(tenant, null, null, null, 100))).Select(s => s.Id));
        Assert.Empty(await ListAllAsync(store, new SubmissionQuery(other, null, null, null, 100)));
        Assert.Single(await IndexEntriesAsync(tenant));
        Assert.Empty(await IndexEntriesAsync(other));
    }

    [Fact]
    public async Task List_AnotherTenantsContinuation_RevealsNothingOfIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var tenantA = NewTenant();
        var tenantB = NewTenant();
        var idsA = await CreateAsync(store, tenantA, 3, i => s => s with { CreatedTime = T0.AddSeconds(i) });
        var idsB = await CreateAsync(store, tenantB, 3, i => s => s with { CreatedTime = T0.AddSeconds(i) });
        var pageA = await store.ListAsync(new SubmissionQuery(tenantA, null, null, null, 1), null, ct);
        Assert.NotNull(pageA.Continuation);

        var pageB = await store.ListAsync(new SubmissionQuery(tenantB, null, null, null, 100), pageA.Continuation, ct);

        Assert.All(pageB.Items, s => Assert.Equal(tenantB, s.Tenant));
        Assert.Empty(pageB.Items.Select(s => s.Id).Intersect(idsA));
        Assert.Subset(idsB.ToHashSet(), pageB.Items.Select(s => s.Id).ToHashSet());
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("1!1!dGVuYW50LWE-1!48!MDAw")]
    [InlineData("i1.eCcgb3IgUm93S2V5IG5lICd4")]
    public async Task List_MalformedContinuation_FormatException(string token)
    {
        await Assert.ThrowsAsync<FormatException>(() =>
            Store().ListAsync(new SubmissionQuery(NewTenant(), null, null, null, 10), token, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task List_MoreDeadEntriesThanTheBudget_ShortPageWithContinuationThenTheRow()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var tenant = NewTenant();
        var ids = await CreateAsync(store, tenant, 1, _ => s => s);
        var dead = SubmissionIndex.ExamineBudget(1) + 20;
        var entries = Enumerable.Range(1, dead)
            .Select(i => (ITableEntity)new TableEntity(SubmissionIndexKeys.Partition(tenant), SubmissionIndexKeys.Row(T0.AddSeconds(i), NewId())))
            .ToList();
        var client = IndexClient();
        await client.CreateIfNotExistsAsync(ct);
        foreach (var chunk in entries.Chunk(100))
        {
            await TableTransactions.UpsertAsync(client, chunk, TableUpdateMode.Replace, ct);
        }

        var first = await store.ListAsync(new SubmissionQuery(tenant, null, null, null, 1), null, ct);
        var second = await store.ListAsync(new SubmissionQuery(tenant, null, null, null, 1), first.Continuation, ct);

        Assert.Empty(first.Items);
        Assert.NotNull(first.Continuation);
        Assert.Equal(ids, second.Items.Select(s => s.Id));
        Assert.Null(second.Continuation);
    }

    private static async Task<List<string>> CreateAsync(TableSubmissionStore store, string tenant, int count, Func<int, Func<Submission, Submission>> shape)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var submission = shape(i)(Minimal(NewId(), tenant, T0));
            await store.CreateAsync(submission, "{}"u8.ToArray(), TestContext.Current.CancellationToken);
            ids.Add(submission.Id);
        }

        return ids;
    }

    /// <summary>Follows continuations to the end: a filtered page may be short, even empty.</summary>
    private static async Task<List<Submission>> ListAllAsync(TableSubmissionStore store, SubmissionQuery query)
    {
        var all = new List<Submission>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var page = await store.ListAsync(query, continuation, TestContext.Current.CancellationToken);
            all.AddRange(page.Items);
            continuation = page.Continuation;
        }
        while (continuation is not null && ++pages < 100);

        Assert.Null(continuation);
        return all;
    }

    [Fact]
    public async Task ListAhead_EntriesInBulk_RowsCreatedAfterAreListed_TheirCreateWritesNoEntry()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Store();
        var tenant = NewTenant();
        var other = NewTenant();
        var members = Enumerable.Range(0, 250).Select(i => Minimal(NewId(), tenant, T0.AddMilliseconds(i))).Append(Minimal(NewId(), other, T0)).ToList();

        await store.ListAheadAsync(members, ct); // 3 transactions for the tenant, 1 for the other
        Assert.Equal(250, (await IndexEntriesAsync(tenant)).Count);
        Assert.Single(await IndexEntriesAsync(other));
        Assert.Empty(await ListAllAsync(store, new SubmissionQuery(tenant, null, null, null, 1000))); // no row yet: entries are skipped

        // The create of a member listed ahead skips its entry: removed by hand here, it stays removed.
        var first = members[0];
        await IndexClient().DeleteEntityAsync(SubmissionIndexKeys.Partition(tenant), SubmissionIndexKeys.Row(first.CreatedTime, first.Id), cancellationToken: ct);
        foreach (var member in members.Skip(1).Take(9).Prepend(first))
        {
            await store.CreateAsync(member, "{}"u8.ToArray(), ct);
        }

        var listed = await ListAllAsync(store, new SubmissionQuery(tenant, null, null, null, 1000));
        Assert.Equal(members.Skip(1).Take(9).Select(m => m.Id).Order(), listed.Select(s => s.Id).Order());

        // A submission not listed ahead writes its own entry, as before.
        var unlisted = Minimal(NewId(), tenant, T0.AddHours(1));
        await store.CreateAsync(unlisted, "{}"u8.ToArray(), ct);
        Assert.Contains(SubmissionIndexKeys.Row(unlisted.CreatedTime, unlisted.Id), await IndexEntriesAsync(tenant));
    }

    private TableSubmissionStore Store() => new(StorageAccount.FromConnectionString(azurite.Server.ConnectionString));

    private SubmissionIndex Index() => new(StorageAccount.FromConnectionString(azurite.Server.ConnectionString).Tables, TableSubmissionStore.IndexTable);

    private TableClient IndexClient() => IndexTable(azurite.Server.ConnectionString);

    private Task<List<string>> IndexEntriesAsync(string tenant) => WorkflowTestData.IndexEntriesAsync(azurite.Server.ConnectionString, tenant);
}
