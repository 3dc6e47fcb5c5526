using Rce.Core.Submissions;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;
using Rce.Testing;
using static Rce.Infrastructure.Tests.Workflow.WorkflowTestData;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>Listings: filters, paging through continuation tokens, tenant isolation.</summary>
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

    private TableSubmissionStore Store() => new(StorageAccount.FromConnectionString(azurite.Server.ConnectionString));
}
