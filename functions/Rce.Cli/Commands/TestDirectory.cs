using System.Globalization;
using Rce.Core.Grading;

namespace Rce.Cli.Commands;

/// <summary>Reads <c>NAME.in</c>/<c>NAME.out</c> pairs from a directory: each one test of 1 point.</summary>
internal static class TestDirectory
{
    public static List<TestCase>? Load(string dir, out string? error)
    {
        error = null;
        if (!Directory.Exists(dir))
        {
            error = $"tests directory not found: {dir}";
            return null;
        }

        var tests = new List<TestCase>();
        foreach (var input in Directory.GetFiles(dir, "*.in").Order(NaturalOrder.Instance))
        {
            var name = Path.GetFileNameWithoutExtension(input);
            var expected = Path.ChangeExtension(input, ".out");
            if (!File.Exists(expected))
            {
                error = $"{name}.in has no {name}.out";
                return null;
            }

            tests.Add(new TestCase(name, File.ReadAllBytes(input), File.ReadAllBytes(expected)));
        }

        if (tests.Count == 0)
        {
            error = $"no NAME.in / NAME.out pairs in {dir}";
            return null;
        }

        return tests;
    }

    /// <summary>Orders 2 before 10 (names that are numbers sort numerically).</summary>
    private sealed class NaturalOrder : IComparer<string>
    {
        public static readonly NaturalOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = Path.GetFileNameWithoutExtension(x);
            var b = Path.GetFileNameWithoutExtension(y);
            return long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var m) && long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? m.CompareTo(n)
                : string.CompareOrdinal(a, b);
        }
    }
}
