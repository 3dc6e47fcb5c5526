using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rce.Core.Execution;
using Rce.Core.Verdicts;

namespace Rce.Cli.Output;

/// <summary>The one JSON object <c>rce run --json</c> prints.</summary>
/// <remarks>
/// Outputs are UTF-8 strings with invalid bytes replaced by U+FFFD; when the bytes are not valid
/// UTF-8, <c>stdoutBase64</c>/<c>stderrBase64</c> carry them exactly.
/// </remarks>
internal static class CliJson
{
    private static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static JsonObject Run(Verdict verdict, ProcessReport? run, Verdict? compileVerdict, ProcessReport? compile)
    {
        var obj = new JsonObject { ["verdict"] = verdict.ToCode() };
        AddOutput(obj, "stdout", run?.Stdout ?? ReadOnlyMemory<byte>.Empty);
        AddOutput(obj, "stderr", run?.Stderr ?? ReadOnlyMemory<byte>.Empty);
        obj["exitCode"] = run?.ExitCode;
        obj["signal"] = run?.Signal;
        obj["cpuTimeMs"] = run is null ? null : Ms(run.CpuTime);
        obj["wallTimeMs"] = run is null ? null : Ms(run.WallTime);
        obj["memoryBytes"] = run?.MemoryBytes;
        if (compile is null || compileVerdict is null)
        {
            obj["compile"] = null;
        }
        else
        {
            var c = new JsonObject { ["verdict"] = compileVerdict.Value.ToCode() };
            AddOutput(c, "stdout", compile.Stdout);
            AddOutput(c, "stderr", compile.Stderr);
            c["cpuTimeMs"] = Ms(compile.CpuTime);
            c["wallTimeMs"] = Ms(compile.WallTime);
            obj["compile"] = c;
        }

        return obj;
    }

    public static string Serialize(JsonNode node) => node.ToJsonString(Indented);

    /// <summary>Decodes output for display: lossy UTF-8.</summary>
    public static string Lossy(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    private static void AddOutput(JsonObject obj, string name, ReadOnlyMemory<byte> bytes)
    {
        obj[name] = Lossy(bytes);
        if (!IsValidUtf8(bytes.Span))
        {
            obj[name + "Base64"] = Convert.ToBase64String(bytes.Span);
        }
    }

    private static bool IsValidUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _ = Strict.GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static long Ms(TimeSpan t) => (long)Math.Round(t.TotalMilliseconds);
}
