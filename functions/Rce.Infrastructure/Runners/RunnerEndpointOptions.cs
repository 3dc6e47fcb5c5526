using System.ComponentModel.DataAnnotations;

namespace Rce.Infrastructure.Runners;

/// <summary>One runner: where it listens and the bearer token it requires.</summary>
public sealed class RunnerEndpointOptions
{
    /// <summary>Base URL, e.g. <c>http://10.0.0.4:5080</c> (http or https). No default.</summary>
    [Required]
    [Url]
    public string BaseUrl { get; set; } = string.Empty;

    /// <summary>The runner's <c>Runner__Token</c>. Secret: never logged. No default.</summary>
    [Required]
    [MinLength(16)]
    public string Token { get; set; } = string.Empty;

    /// <summary>
    /// Tests the runner runs at once (its sandbox slots), used for the call timeout. The default
    /// value is 1, the safe side: a timeout too long only delays failover, one too short kills
    /// executions that were within their limits.
    /// </summary>
    [Range(1, 1024)]
    public int Slots { get; set; } = 1;
}
