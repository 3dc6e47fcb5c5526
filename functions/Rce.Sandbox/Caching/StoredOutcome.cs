using System.Text.Json;
using System.Text.Json.Serialization;
using Rce.Core.Execution;
using Rce.Core.Verdicts;
using Rce.Sandbox.Execution;

namespace Rce.Sandbox.Caching;

/// <summary>
/// A compile outcome as kept in <c>outcome.json</c>: the verdict and the compiler's report (its
/// diagnostics base64-encoded, times in milliseconds).
/// </summary>
/// <remarks>
/// Changing this format needs a new key domain in <see cref="CompileCacheKey"/>, so that old
/// entries stop matching instead of failing to read. Only genuine results are stored, so there is
/// no failure detail to keep.
/// </remarks>
internal sealed record StoredOutcome(
    Verdict Verdict,
    int? ExitCode,
    int? Signal,
    StopReason StopReason,
    double CpuMs,
    double WallMs,
    long MemoryBytes,
    bool OomKilled,
    bool ProcessLimitHit,
    byte[] Stdout,
    byte[] Stderr,
    bool StdoutTruncated,
    bool StderrTruncated)
{
    public static StoredOutcome From(CompileOutcome outcome)
    {
        var r = outcome.Report;
        return new StoredOutcome(
            outcome.Verdict, r.ExitCode, r.Signal, r.StopReason, r.CpuTime.TotalMilliseconds, r.WallTime.TotalMilliseconds,
            r.MemoryBytes, r.OomKilled, r.ProcessLimitHit, r.Stdout.ToArray(), r.Stderr.ToArray(), r.StdoutTruncated, r.StderrTruncated);
    }

    public CompileOutcome ToOutcome() => new(Verdict, new ProcessReport
    {
        Stdout = Stdout,
        Stderr = Stderr,
        StdoutTruncated = StdoutTruncated,
        StderrTruncated = StderrTruncated,
        ExitCode = ExitCode,
        Signal = Signal,
        CpuTime = TimeSpan.FromMilliseconds(CpuMs),
        WallTime = TimeSpan.FromMilliseconds(WallMs),
        MemoryBytes = MemoryBytes,
        OomKilled = OomKilled,
        ProcessLimitHit = ProcessLimitHit,
        StopReason = StopReason,
    });

    /// <summary>Writes the file and flushes it to disk (see <see cref="CompileCache"/> on durability).</summary>
    public void Write(string path)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        JsonSerializer.Serialize(stream, this, StoredOutcomeJson.Default.StoredOutcome);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Reads the file; null when it is missing or unreadable.</summary>
    public static StoredOutcome? TryRead(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, StoredOutcomeJson.Default.StoredOutcome);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>Source-generated (reflection-free) serializer of <see cref="StoredOutcome"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(StoredOutcome))]
internal sealed partial class StoredOutcomeJson : JsonSerializerContext;
