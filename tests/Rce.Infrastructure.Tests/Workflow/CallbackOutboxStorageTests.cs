using Rce.Core.Submissions;
using Rce.Core.Verdicts;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;
using Rce.Testing;
using static Rce.Infrastructure.Tests.Workflow.WorkflowTestData;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>The callback outbox over the real row and queue: its compare-and-set writes hold on Azurite (single-entity If-Match).</summary>
public sealed class CallbackOutboxStorageTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Outbox_RetryThenFinalOutcomeFromAStaleRead_OneRetrySentAndTheFlagCleared()
    {
        var ct = TestContext.Current.CancellationToken;
        var account = StorageAccount.FromConnectionString(azurite.Server.ConnectionString);
        var store = new TableSubmissionStore(account);
        var queues = new StorageWorkQueues(account);
        var outbox = new CallbackOutbox(store, queues, TimeProvider.System);
        var created = await store.CreateAsync(Minimal(NewId(), NewTenant(), T0) with { CallbackUrl = "https://lms.example/hook" }, "{}"u8.ToArray(), ct);
        var terminal = await store.TryUpdateAsync(CallbackOutbox.Arm(created with { Status = SubmissionStatus.Completed, Verdict = Verdict.Accepted, CompletedTime = T0 }, T0), ct);
        Assert.NotNull(terminal);
        var depthBefore = (await queues.GetDepthsAsync(ct))["callbacks"];

        var scheduled = await outbox.ScheduleRetryAsync(terminal, TimeSpan.FromMinutes(5), ct);
        var scheduledAgain = await outbox.ScheduleRetryAsync(terminal, TimeSpan.FromMinutes(5), ct); // a redelivered attempt 1: stale ETag, chain moved on
        var cleared = await outbox.CompleteAsync(terminal, new HistoryEvent("CallbackDelivered", T0, "SendCallback", "attempt 2: 204"), ct);

        Assert.True(scheduled);
        Assert.False(scheduledAgain);
        Assert.True(cleared);
        var row = await store.GetAsync(created.Id, ct);
        Assert.NotNull(row);
        Assert.False(row.CallbackPending);
        Assert.Equal(2, row.CallbackAttempt);
        Assert.Null(row.CallbackDueTime);
        Assert.Equal(SubmissionStatus.Completed, row.Status);
        Assert.Equal(depthBefore + 1, (await queues.GetDepthsAsync(ct))["callbacks"]);
        Assert.Equal("CallbackDelivered", Assert.Single(await store.ReadHistoryAsync(created.Id, ct)).EventType);
    }
}
