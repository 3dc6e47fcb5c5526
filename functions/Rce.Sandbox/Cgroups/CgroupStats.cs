namespace Rce.Sandbox.Cgroups;

/// <summary>The kernel's account of one box, read after its tree is gone.</summary>
/// <param name="CpuTime">CPU time of every task that ran in the group.</param>
/// <param name="PeakMemoryBytes">Peak memory charged to the group.</param>
/// <param name="OomKills">Processes killed by the group's OOM killer.</param>
/// <param name="ProcessLimitHits">Forks refused by the pids limit.</param>
internal sealed record CgroupStats(TimeSpan CpuTime, long PeakMemoryBytes, long OomKills, long ProcessLimitHits);
