namespace Rce.Core.RateLimiting;

/// <summary>
/// Submissions entering the tenant's in-flight set (a sorted set scored by deadline: an entry past
/// its deadline no longer counts, so a crashed worker or a killed stack never leaks capacity).
/// </summary>
/// <param name="Policy">Policy name for headers and logs (<c>tenant-in-flight</c>).</param>
/// <param name="Key">Set key, same hash tag as the rules it is checked with.</param>
/// <param name="Max">Most entries not past their deadline.</param>
/// <param name="SubmissionIds">The ids to add (all or none).</param>
/// <param name="Deadline">When these entries stop counting if nobody removes them.</param>
public sealed record InFlightClaim(string Policy, string Key, int Max, IReadOnlyList<string> SubmissionIds, DateTimeOffset Deadline);
