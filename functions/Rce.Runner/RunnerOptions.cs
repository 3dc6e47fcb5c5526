using System.ComponentModel.DataAnnotations;

namespace Rce.Runner;

/// <summary>Settings of the runner service (configuration section <c>Runner</c>).</summary>
public sealed class RunnerOptions
{
    public const string SectionName = "Runner";

    /// <summary>Shared bearer token required on every route but <c>/health</c>. No default: <c>./rce up</c> generates one.</summary>
    [Required]
    [MinLength(16)]
    public string Token { get; set; } = string.Empty;

    /// <summary>Listen URL. The default value is <c>http://127.0.0.1:5080</c> (loopback only).</summary>
    [Required]
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Largest request body in bytes; larger ones get 413. The default value is 16 MiB.</summary>
    [Range(1024, 1L << 30)]
    public long MaxRequestBytes { get; set; } = 16L << 20;

    /// <summary>Largest total of decoded files in bytes; larger gets 413. The default value is 4 MiB.</summary>
    [Range(1024, 1L << 30)]
    public long MaxSourceBytes { get; set; } = 4L << 20;

    /// <summary>Most files per execution. The default value is 64.</summary>
    [Range(1, 1024)]
    public int MaxFiles { get; set; } = 64;

    /// <summary>Most tests per execution. The default value is 1000.</summary>
    [Range(1, 100_000)]
    public int MaxTests { get; set; } = 1000;

    /// <summary>stdout/stderr kept per test in the response, in bytes. The default value is 64 KiB.</summary>
    [Range(0, 64L << 20)]
    public long ResponseOutputBytes { get; set; } = 64L << 10;

    /// <summary>Largest CPU time a request may ask for, in ms. The default value is 10000.</summary>
    [Range(1, 3_600_000)]
    public int MaxCpuTimeMs { get; set; } = 10_000;

    /// <summary>Largest wall time a request may ask for, in ms. The default value is 30000.</summary>
    [Range(1, 3_600_000)]
    public int MaxWallTimeMs { get; set; } = 30_000;

    /// <summary>Largest memory a request may ask for, in bytes. The default value is 1 GiB.</summary>
    [Range(4L << 20, 1L << 40)]
    public long MaxMemoryBytes { get; set; } = 1L << 30;

    /// <summary>Most processes a request may ask for. The default value is 256.</summary>
    [Range(1, 4096)]
    public int MaxProcesses { get; set; } = 256;

    /// <summary>Largest stdout (and stderr) cap a request may ask for, in bytes. The default value is 64 MiB.</summary>
    [Range(1024, 1L << 34)]
    public long MaxOutputBytes { get; set; } = 64L << 20;

    /// <summary>Largest file size a request may ask for, in bytes. The default value is 256 MiB.</summary>
    [Range(1024, 1L << 34)]
    public long MaxFileSizeBytes { get; set; } = 256L << 20;

    /// <summary>Compile cache directory, shared by the runners of one machine. The default value is <c>/var/cache/rce/compile</c>.</summary>
    [Required]
    public string CompileCacheRoot { get; set; } = "/var/cache/rce/compile";

    /// <summary>Compile cache bound in bytes (least recently used entries are evicted). The default value is 1 GiB.</summary>
    [Range(1L << 20, 1L << 40)]
    public long CompileCacheBytes { get; set; } = 1L << 30;
}
