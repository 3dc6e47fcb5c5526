using System.Globalization;
using Rce.Core.Limits;

namespace Rce.Sandbox.Languages;

/// <summary>Environment building blocks: the box's program starts from nothing but these.</summary>
public static class LanguageEnvironment
{
    /// <summary>What every program gets: a PATH of system directories only, HOME in the box, a UTF-8 locale.</summary>
    public static IReadOnlyDictionary<string, string> Base { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = "/box",
        ["TMPDIR"] = "/tmp",
        ["LANG"] = "C.UTF-8",
        ["LC_ALL"] = "C.UTF-8",
    };

    /// <summary>Base plus the given pairs.</summary>
    public static IReadOnlyDictionary<string, string> With(params (string Key, string Value)[] pairs)
    {
        var env = new Dictionary<string, string>(Base, StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            env[key] = value;
        }

        return env;
    }

    /// <summary>A managed heap bound that leaves room for the runtime's own native memory.</summary>
    /// <param name="limits">The step's limits.</param>
    /// <param name="share">Share of the memory limit given to the heap.</param>
    public static long HeapBytes(ResourceLimits limits, double share = 0.75) =>
        Math.Max(16L << 20, (long)(limits.MemoryBytes * share));

    /// <summary>The heap bound in whole MiB, as a string.</summary>
    public static string HeapMiB(ResourceLimits limits, double share = 0.75) =>
        (HeapBytes(limits, share) >> 20).ToString(CultureInfo.InvariantCulture);
}
