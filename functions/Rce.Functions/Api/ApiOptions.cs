using System.ComponentModel.DataAnnotations;

namespace Rce.Functions.Api;

/// <summary>Settings of the HTTP API (section <c>Api</c>). Maxima mirror the runner's defaults; the runner stays authoritative.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Largest request body accepted (413 above).</summary>
    [Range(1024, 512L << 20)]
    public long MaxRequestBytes { get; set; } = 64L << 20;

    /// <summary>Largest total source size of one submission.</summary>
    [Range(1, 64L << 20)]
    public long MaxSourceBytes { get; set; } = 1L << 20;

    /// <summary>Most tests per submission.</summary>
    [Range(1, 10_000)]
    public int MaxTests { get; set; } = 1_000;

    /// <summary>Most submissions per batch.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 1_000;

    /// <summary>Largest CPU time limit a request may ask for.</summary>
    [Range(1, 600_000)]
    public int MaxCpuTimeMs { get; set; } = 10_000;

    /// <summary>Largest wall time limit a request may ask for.</summary>
    [Range(1, 600_000)]
    public int MaxWallTimeMs { get; set; } = 30_000;

    /// <summary>Largest memory limit a request may ask for.</summary>
    [Range(1L << 20, 64L << 30)]
    public long MaxMemoryBytes { get; set; } = 1L << 30;

    /// <summary>Default wall time of one test when the request gives none (the runner's default): sizes the call timeout.</summary>
    [Range(1, 600_000)]
    public int DefaultWallTimeMs { get; set; } = 5_000;

    /// <summary>Compile wall time assumed for the call timeout.</summary>
    [Range(0, 600_000)]
    public int CompileWallTimeMs { get; set; } = 30_000;

    /// <summary>
    /// How old a status answer of <c>GET /api/submissions/{id}</c> may be when it comes from this
    /// process's own last write of the row instead of a table read (0: always read). A write by another
    /// instance (a terminate, a purge) shows at most this late through this one; the default is the
    /// <c>Retry-After</c> the API asks pollers to wait.
    /// </summary>
    [Range(0, 60_000)]
    public int StatusMaxAgeMs { get; set; } = 1_000;

    /// <summary>
    /// A status poll (<c>GET /api/submissions/{id}</c>) of a submission this process runs, still
    /// Queued or Running, is held at most this long and answered the moment the submission ends
    /// (with no read): a client polling fast learns of the end at once and sends fewer polls. 0:
    /// answered at once. (<c>?wait=true</c> waits up to <see cref="WaitSeconds"/> instead, wherever it runs.)
    /// </summary>
    /// <value>The default value is 500 ms.</value>
    [Range(0, 5_000)]
    public int StatusHoldMs { get; set; } = 500;

    /// <summary>Default bound of <c>wait=true</c>.</summary>
    [Range(1, 200)]
    public int WaitSeconds { get; set; } = 30;
}
