using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Rce.Core.Submissions;
using Rce.Core.Verdicts;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// Maps a <see cref="Submission"/> to its row in the <c>Submissions</c> table and back. One property
/// per field; enums as their names and the verdict as its code, so rows stay readable in Storage
/// Explorer and never depend on enum numbering. Null fields are left out (Tables stores no nulls;
/// a Replace update therefore clears them).
/// </summary>
internal static class SubmissionEntity
{
    /// <summary>The RowKey of every instance row (PartitionKey = id: one row per partition, no hot partition).</summary>
    public const string RowKey = "instance";

    /// <summary>Longest stored <see cref="Submission.Reason"/>: an oversized reason (a runner's error text)
    /// must not make every later transition of the row fail on the 64 KiB property limit.</summary>
    public const int MaxReasonChars = 8 * 1024;

    /// <summary>
    /// Largest request or result kept in the row instead of a blob. A binary property may hold
    /// 64 KiB and an entity 1 MiB; 32 KiB each leaves the row far inside both, and covers the
    /// requests and results of typical exercises (a Python hello's are ~60 and ~400 bytes).
    /// </summary>
    public const int MaxInlineBytes = 32 * 1024;

    /// <summary>Longest <c>History</c> property, in characters: a string property holds 32 K UTF-16 characters.</summary>
    public const int MaxHistoryChars = 30_000;

    // Non-ASCII text as is (one character each), so that details in any language stay within the bound.
    private static readonly JsonSerializerOptions HistoryJsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The row of <paramref name="submission"/> (its ETag is not part of it: conditions are passed separately).</summary>
    /// <param name="submission">The submission.</param>
    /// <returns>The entity.</returns>
    public static TableEntity ToEntity(Submission submission)
    {
        var entity = new TableEntity(submission.Id, RowKey)
        {
            ["Tenant"] = submission.Tenant,
            ["Status"] = submission.Status.ToString(),
            ["Language"] = submission.Language,
            ["Priority"] = submission.Priority.ToString(),
            ["TestCount"] = submission.TestCount,
            ["TestWallMs"] = submission.TestWallMs,
            ["CompileWallMs"] = submission.CompileWallMs,
            ["CreatedTime"] = submission.CreatedTime,
            ["LastUpdatedTime"] = submission.LastUpdatedTime,
            ["Attempt"] = submission.Attempt,
            ["BatchIndex"] = submission.BatchIndex,
            ["HasResult"] = submission.HasResult,
            ["SingleRun"] = submission.SingleRun,
            ["CallbackPending"] = submission.CallbackPending,
            ["CallbackAttempt"] = submission.CallbackAttempt,
        };
        Put(entity, "Phase", submission.Phase);
        Put(entity, "Verdict", submission.Verdict?.ToCode());
        Put(entity, "Score", submission.Score);
        Put(entity, "MaxScore", submission.MaxScore);
        Put(entity, "CallbackUrl", submission.CallbackUrl);
        Put(entity, "UserId", submission.Metadata.UserId);
        Put(entity, "CourseId", submission.Metadata.CourseId);
        Put(entity, "AssignmentId", submission.Metadata.AssignmentId);
        Put(entity, "Tags", submission.Metadata.Tags is { } tags ? JsonSerializer.Serialize(tags) : null);
        Put(entity, "StartedTime", submission.StartedTime);
        Put(entity, "CompletedTime", submission.CompletedTime);
        Put(entity, "LeaseUntil", submission.LeaseUntil);
        Put(entity, "LeaseOwner", submission.LeaseOwner);
        Put(entity, "Reason", StorageKeys.Truncate(submission.Reason, MaxReasonChars));
        Put(entity, "BatchId", submission.BatchId);
        Put(entity, "RestartOf", submission.RestartOf);
        Put(entity, "CallbackDueTime", submission.CallbackDueTime);
        Put(entity, "History", HistoryJson(submission.History));
        Put(entity, "InlineRequest", InlineDocument(submission.InlineRequest, nameof(submission.InlineRequest)));
        Put(entity, "InlineResult", InlineDocument(submission.InlineResult, nameof(submission.InlineResult)));
        return entity;
    }

    /// <summary>The submission stored in <paramref name="entity"/>, with the entity's ETag.</summary>
    /// <param name="entity">A row written by <see cref="ToEntity"/>.</param>
    /// <returns>The submission.</returns>
    /// <exception cref="InvalidDataException">The row is not one this store wrote (a field is missing or unknown).</exception>
    public static Submission FromEntity(TableEntity entity)
    {
        var tags = entity.GetString("Tags") is { } json ? JsonSerializer.Deserialize<Dictionary<string, string>>(json) : null;
        var metadata = new SubmissionMetadata(entity.GetString("UserId"), entity.GetString("CourseId"), entity.GetString("AssignmentId"), tags);
        return new Submission
        {
            Id = entity.PartitionKey,
            Tenant = Required(entity, "Tenant"),
            Status = ParseEnum<SubmissionStatus>(entity, "Status"),
            Phase = entity.GetString("Phase"),
            Verdict = ParseVerdict(entity),
            Score = entity.GetDouble("Score"),
            MaxScore = entity.GetDouble("MaxScore"),
            Language = Required(entity, "Language"),
            Priority = ParseEnum<SubmissionPriority>(entity, "Priority"),
            CallbackUrl = entity.GetString("CallbackUrl"),
            Metadata = metadata == SubmissionMetadata.Empty ? SubmissionMetadata.Empty : metadata,
            TestCount = entity.GetInt32("TestCount") ?? 0,
            TestWallMs = entity.GetInt32("TestWallMs") ?? 0,
            CompileWallMs = entity.GetInt32("CompileWallMs") ?? 0,
            CreatedTime = entity.GetDateTimeOffset("CreatedTime") ?? throw Missing(entity, "CreatedTime"),
            LastUpdatedTime = entity.GetDateTimeOffset("LastUpdatedTime") ?? throw Missing(entity, "LastUpdatedTime"),
            StartedTime = entity.GetDateTimeOffset("StartedTime"),
            CompletedTime = entity.GetDateTimeOffset("CompletedTime"),
            Attempt = entity.GetInt32("Attempt") ?? 0,
            LeaseUntil = entity.GetDateTimeOffset("LeaseUntil"),
            LeaseOwner = entity.GetString("LeaseOwner"),
            Reason = entity.GetString("Reason"),
            BatchId = entity.GetString("BatchId"),
            BatchIndex = entity.GetInt32("BatchIndex") ?? -1,
            RestartOf = entity.GetString("RestartOf"),
            HasResult = entity.GetBoolean("HasResult") ?? false,
            SingleRun = entity.GetBoolean("SingleRun") ?? false,
            CallbackPending = entity.GetBoolean("CallbackPending") ?? false,
            CallbackAttempt = entity.GetInt32("CallbackAttempt") ?? 0,
            CallbackDueTime = entity.GetDateTimeOffset("CallbackDueTime"),
            History = ParseHistory(entity),
            InlineRequest = entity.GetBinary("InlineRequest"),
            InlineResult = entity.GetBinary("InlineResult"),
            ETag = entity.ETag == default ? null : entity.ETag.ToString(),
        };
    }

    private static void Put(TableEntity entity, string name, object? value)
    {
        if (value is not null)
        {
            entity[name] = value;
        }
    }

    /// <summary>
    /// The row's <c>History</c> property: JSON of the events, within <see cref="MaxHistoryChars"/>.
    /// <see cref="HistoryLog"/> bounds the count and the details, but escaping can still grow the text
    /// (a control character is six), and an oversized property would fail every later write of the
    /// row: past the bound, the oldest events after the first give way to one <c>HistoryTruncated</c>.
    /// </summary>
    private static string? HistoryJson(HistoryLog history)
    {
        if (history.Events.Count == 0)
        {
            return null;
        }

        var events = history.Events.Select(e => new StoredEvent(e.EventType, e.Timestamp, e.Name, e.Detail)).ToList();
        var json = JsonSerializer.Serialize(events, HistoryJsonOptions);
        var dropped = 0;
        while (json.Length > MaxHistoryChars && events.Count > 2)
        {
            events.RemoveAt(dropped == 0 ? 1 : 2);
            dropped++;
            var marker = new StoredEvent("HistoryTruncated", events[1].At, "SubmissionWorkflow", $"{dropped} earlier events dropped");
            if (dropped == 1)
            {
                events.Insert(1, marker);
            }
            else
            {
                events[1] = marker;
            }

            json = JsonSerializer.Serialize(events, HistoryJsonOptions);
        }

        return json;
    }

    private static HistoryLog ParseHistory(TableEntity entity)
    {
        if (entity.GetString("History") is not { } json)
        {
            return HistoryLog.Empty; // rows written before histories were kept in the row
        }

        try
        {
            var events = JsonSerializer.Deserialize<List<StoredEvent>>(json) ?? [];
            return HistoryLog.Of(events.Select(e => new HistoryEvent(e.T ?? "Unknown", e.At, e.N, e.D)));
        }
        catch (JsonException)
        {
            throw new InvalidDataException($"Submission row {entity.PartitionKey}: History is not a list of events.");
        }
    }

    private static byte[]? InlineDocument(byte[]? document, string name) =>
        document is { Length: > MaxInlineBytes }
            ? throw new ArgumentException($"{name} is {document.Length} bytes; at most {MaxInlineBytes} are kept in the row (larger documents go to blobs).", nameof(document))
            : document;

    private static string Required(TableEntity entity, string name) => entity.GetString(name) ?? throw Missing(entity, name);

    private static T ParseEnum<T>(TableEntity entity, string name)
        where T : struct, Enum =>
        Enum.TryParse<T>(Required(entity, name), ignoreCase: false, out var value) && Enum.IsDefined(value)
            ? value
            : throw new InvalidDataException($"Submission row {entity.PartitionKey}: {name} is not a known value.");

    private static Verdict? ParseVerdict(TableEntity entity) => entity.GetString("Verdict") switch
    {
        null => null,
        var code when VerdictCodes.TryParse(code, out var verdict) => verdict,
        _ => throw new InvalidDataException($"Submission row {entity.PartitionKey}: Verdict is not a known code."),
    };

    /// <summary>One history event as stored in the row's <c>History</c> property (short names: it rides on every write).</summary>
    private sealed record StoredEvent(string? T, DateTimeOffset At, string? N, string? D);

    private static InvalidDataException Missing(TableEntity entity, string name) =>
        new($"Submission row {entity.PartitionKey}: {name} is missing.");
}
