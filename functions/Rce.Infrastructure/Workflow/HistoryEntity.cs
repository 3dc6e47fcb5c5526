using System.Globalization;
using System.Security.Cryptography;
using Azure.Data.Tables;
using Rce.Core.Submissions;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// Maps a <see cref="HistoryEvent"/> to a row of the <c>SubmissionHistory</c> table:
/// PartitionKey = submission id, RowKey = <c>{ticks:D19}-{8 random hex}</c>, so a partition query
/// (which Tables returns in RowKey order) reads the history oldest first. Properties: EventType,
/// EventTime, Name, Detail.
/// </summary>
internal static class HistoryEntity
{
    /// <summary>Longest stored detail; details are summaries, and the table property limit is 64 KiB.</summary>
    public const int MaxDetailChars = 8 * 1024;

    private static long s_lastTicks;

    /// <summary>The row of <paramref name="historyEvent"/> for submission <paramref name="id"/>.</summary>
    /// <param name="id">Submission id.</param>
    /// <param name="historyEvent">The event.</param>
    /// <returns>The entity.</returns>
    public static TableEntity ToEntity(string id, HistoryEvent historyEvent)
    {
        var entity = new TableEntity(id, NextRowKey(historyEvent.Timestamp))
        {
            ["EventType"] = historyEvent.EventType,
            // Not "Timestamp": that name is the service's own last-modified property, which it sets itself.
            ["EventTime"] = historyEvent.Timestamp,
        };
        if (historyEvent.Name is not null)
        {
            entity["Name"] = historyEvent.Name;
        }

        if (StorageKeys.Truncate(historyEvent.Detail, MaxDetailChars) is { } detail)
        {
            entity["Detail"] = detail;
        }

        return entity;
    }

    /// <summary>The event stored in <paramref name="entity"/>.</summary>
    /// <param name="entity">A history row.</param>
    /// <returns>The event.</returns>
    public static HistoryEvent FromEntity(TableEntity entity) => new(
        entity.GetString("EventType") ?? string.Empty,
        entity.GetDateTimeOffset("EventTime") ?? entity.Timestamp ?? default,
        entity.GetString("Name"),
        entity.GetString("Detail"));

    /// <summary>
    /// The row key of an event at <paramref name="timestamp"/>. Invariant: keys made by this process
    /// strictly increase, so two events appended in order with the same timestamp (the workflow's
    /// terminal pair) read back in that order; the random suffix keeps keys of different processes
    /// apart. The row keeps the true timestamp; the key may be a few ticks later.
    /// </summary>
    private static string NextRowKey(DateTimeOffset timestamp)
    {
        long ticks;
        long last;
        do
        {
            last = Volatile.Read(ref s_lastTicks);
            ticks = Math.Max(timestamp.UtcTicks, last + 1);
        }
        while (Interlocked.CompareExchange(ref s_lastTicks, ticks, last) != last);

        return ticks.ToString("D19", CultureInfo.InvariantCulture) + "-" + RandomNumberGenerator.GetHexString(8, lowercase: true);
    }
}
