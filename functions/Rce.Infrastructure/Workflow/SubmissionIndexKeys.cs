using System.Globalization;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// Keys of the tenant index (<see cref="SubmissionIndex"/>): PartitionKey = the tenant,
/// RowKey = <c>{reversed creation ticks:D19}-{id}</c>. Tables return a partition in RowKey order,
/// and reversed ticks (<c>DateTimeOffset.MaxValue.UtcTicks − CreatedTime.UtcTicks</c>, fixed width)
/// make that order newest first; a creation-time range is a RowKey range; the id part keeps two
/// submissions of one tick apart and names the row to read.
/// </summary>
internal static class SubmissionIndexKeys
{
    private const int TicksDigits = 19;
    private const string HashedPrefix = "~";
    private static readonly long MaxTicks = DateTimeOffset.MaxValue.UtcTicks;

    /// <summary>
    /// The partition of <paramref name="tenant"/>: the name itself when it is a valid key, else
    /// <c>~</c> + its SHA-256. Injective: a name starting with <c>~</c> is always hashed, so a raw
    /// name never equals a hashed one. Threat: the partition is the only tenant boundary of a
    /// listing, so two tenants must never share one.
    /// </summary>
    /// <param name="tenant">The tenant.</param>
    /// <returns>The PartitionKey.</returns>
    public static string Partition(string tenant) =>
        StorageKeys.IsValidTableKey(tenant) && !tenant.StartsWith(HashedPrefix, StringComparison.Ordinal)
            ? tenant
            : HashedPrefix + StorageKeys.Sha256Hex(tenant);

    /// <summary>The RowKey of submission <paramref name="id"/> created at <paramref name="created"/>.</summary>
    /// <param name="created">Its creation time.</param>
    /// <param name="id">Its id (a safe id: see <see cref="StorageKeys.IsSafeId"/>).</param>
    /// <returns>The RowKey.</returns>
    public static string Row(DateTimeOffset created, string id) => Ticks(Reversed(created)) + "-" + id;

    /// <summary>Every RowKey ≥ this belongs to a submission created at or before <paramref name="to"/>.</summary>
    /// <param name="to">Inclusive upper bound of the creation time.</param>
    /// <returns>The lower RowKey bound (inclusive).</returns>
    public static string CreatedAtOrBefore(DateTimeOffset to) => Ticks(Reversed(to));

    /// <summary>Every RowKey &lt; this belongs to a submission created at or after <paramref name="from"/>.</summary>
    /// <param name="from">Inclusive lower bound of the creation time.</param>
    /// <returns>The upper RowKey bound (exclusive).</returns>
    public static string CreatedAtOrAfter(DateTimeOffset from) => Ticks(Reversed(from) + 1);

    /// <summary>Reads a RowKey made by <see cref="Row"/>.</summary>
    /// <param name="rowKey">The key (from the table, or from a client's continuation token).</param>
    /// <param name="createdUtcTicks">The creation time's UTC ticks.</param>
    /// <param name="id">The submission id.</param>
    /// <returns>Whether the key has the index's shape (19 digits, <c>-</c>, a safe id).</returns>
    public static bool TryParse(string? rowKey, out long createdUtcTicks, out string id)
    {
        createdUtcTicks = 0;
        id = string.Empty;
        if (rowKey is null || rowKey.Length <= TicksDigits + 1 || rowKey[TicksDigits] != '-'
            || !long.TryParse(rowKey.AsSpan(0, TicksDigits), NumberStyles.None, CultureInfo.InvariantCulture, out var reversed)
            || reversed > MaxTicks || !StorageKeys.IsSafeId(rowKey[(TicksDigits + 1)..]))
        {
            return false;
        }

        createdUtcTicks = MaxTicks - reversed;
        id = rowKey[(TicksDigits + 1)..];
        return true;
    }

    private static long Reversed(DateTimeOffset time) => MaxTicks - time.UtcTicks;

    private static string Ticks(long value) => value.ToString("D19", CultureInfo.InvariantCulture);
}
