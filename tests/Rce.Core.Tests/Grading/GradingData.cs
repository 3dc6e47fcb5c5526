using System.Text;
using Rce.Core.Grading;

namespace Rce.Core.Tests.Grading;

/// <summary>Builders for grading tests.</summary>
internal static class GradingData
{
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A test whose input is <paramref name="output"/>: the fake backend echoes it as the program's output.</summary>
    public static TestCase Case(string id, string output = "ok", string? expected = "ok", double points = 1, string? batch = null) =>
        // The cast matters: a bare null would convert through byte[] to an empty, non-null ReadOnlyMemory.
        new(id, Utf8(output), expected is null ? (ReadOnlyMemory<byte>?)null : Utf8(expected), points, batch);

    /// <summary>A passing test (output equals expected).</summary>
    public static TestCase Pass(string id, double points = 1, string? batch = null) => Case(id, "ok", "ok", points, batch);

    /// <summary>A wrong answer under the default checker.</summary>
    public static TestCase Fail(string id, double points = 1, string? batch = null) => Case(id, "bad", "ok", points, batch);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;
}
