using Azure.Data.Tables;
using Rce.Core.Submissions;
using Rce.Core.Verdicts;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>Fresh ids and sample rows: the workflow tables are shared by the tests of one Azurite.</summary>
internal static class WorkflowTestData
{
    /// <summary>A fixed instant with a non-UTC offset and sub-millisecond ticks, so conversions and precision loss show.</summary>
    public static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 3, 14, 15, 9, 26, TimeSpan.FromHours(2)).AddTicks(5_358_979);

    /// <summary>The listing index table of the Azurite at <paramref name="connectionString"/>.</summary>
    public static TableClient IndexTable(string connectionString) =>
        StorageAccount.FromConnectionString(connectionString).Tables.GetTableClient(TableSubmissionStore.IndexTable);

    /// <summary>The RowKeys of <paramref name="tenant"/>'s listing entries, as stored.</summary>
    public static async Task<List<string>> IndexEntriesAsync(string connectionString, string tenant)
    {
        var keys = new List<string>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {SubmissionIndexKeys.Partition(tenant)}");
        await foreach (var entity in IndexTable(connectionString).QueryAsync<TableEntity>(filter, cancellationToken: TestContext.Current.CancellationToken))
        {
            keys.Add(entity.RowKey);
        }

        return keys;
    }

    public static string NewId() => Guid.NewGuid().ToString("N");

    public static string NewTenant() => "tenant-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A row with every field set to a non-default value.</summary>
    public static Submission Full(string id, string tenant) => new()
    {
        Id = id,
        Tenant = tenant,
        Status = SubmissionStatus.Running,
        Phase = "grading",
        Verdict = Verdict.WrongAnswer,
        Score = 7.25,
        MaxScore = 10.5,
        Language = "cpp17",
        Priority = SubmissionPriority.High,
        CallbackUrl = "https://lms.example/hooks/rce?token=abc",
        Metadata = new SubmissionMetadata("user-1", "course-2", "assignment-3", new Dictionary<string, string> { ["term"] = "2025S", ["quote"] = "a\"b'c" }),
        TestCount = 12,
        TestWallMs = 2500,
        CompileWallMs = 15000,
        CreatedTime = T0,
        LastUpdatedTime = T0.AddSeconds(3),
        StartedTime = T0.AddSeconds(1),
        CompletedTime = T0.AddSeconds(2),
        Attempt = 3,
        LeaseUntil = T0.AddMinutes(5),
        LeaseOwner = "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        Reason = "runner r1 unreachable",
        BatchId = NewId(),
        BatchIndex = 41,
        RestartOf = NewId(),
        HasResult = true,
        SingleRun = true,
        CallbackPending = true,
        CallbackAttempt = 3,
        CallbackDueTime = T0.AddMinutes(2),
        History = HistoryLog.Of(
        [
            new HistoryEvent("ExecutionStarted", T0, "SubmissionWorkflow"),
            new HistoryEvent("TaskScheduled", T0.AddSeconds(1), "RunOnRunner", "attempt 3"),
            new HistoryEvent("TaskFailed", T0.AddSeconds(2), null, "quote \" and ' and é"),
        ]),
    };

    /// <summary>A freshly accepted row: only the required fields.</summary>
    public static Submission Minimal(string id, string tenant, DateTimeOffset created) => new()
    {
        Id = id,
        Tenant = tenant,
        Language = "python3",
        CreatedTime = created,
        LastUpdatedTime = created,
    };
}
