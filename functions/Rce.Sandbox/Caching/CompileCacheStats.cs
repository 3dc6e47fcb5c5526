namespace Rce.Sandbox.Caching;

/// <summary>Size of the compile cache, for health checks and benchmarks.</summary>
/// <param name="Entries">Published entries.</param>
/// <param name="TotalBytes">Bytes of their files.</param>
public sealed record CompileCacheStats(int Entries, long TotalBytes);
