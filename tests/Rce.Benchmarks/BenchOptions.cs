using System.Globalization;

namespace Rce.Benchmarks;

/// <summary>Command-line options of the benchmark.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: rce bench [--iterations N] [--quick] [--concurrency N]

          --iterations N    sequential bare/sandbox pairs per workload (default 200); the
                            throughput phase runs N runs per mode and workload, in 4 rounds
          --quick           smoke test: 10 iterations, 1 warm-up pair, 2 throughput rounds
          --concurrency N   parallel runs in the throughput phase (default: processor count)

        Measures the sandbox (Rce.Sandbox) against the bare process for a static C hello and a
        Python hello, interleaved in one run, and prints a markdown report to stdout.
        """;

    public int Iterations { get; init; } = 200;

    public int WarmupPairs { get; init; } = 5;

    public int ThroughputRounds { get; init; } = 4;

    public int Concurrency { get; init; } = Environment.ProcessorCount;

    public bool Quick { get; init; }

    public bool Help { get; init; }

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        int? iterations = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--iterations" or "-n":
                    iterations = Positive(args, ++i, "--iterations");
                    break;
                case "--quick":
                    options = options with { Quick = true, WarmupPairs = 1, ThroughputRounds = 2, Iterations = 10 };
                    break;
                case "--concurrency" or "-c":
                    options = options with { Concurrency = Positive(args, ++i, "--concurrency") };
                    break;
                case "--help" or "-h":
                    options = options with { Help = true };
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        return iterations is { } n ? options with { Iterations = n } : options;
    }

    private static int Positive(IReadOnlyList<string> args, int index, string name)
    {
        if (index >= args.Count || !int.TryParse(args[index], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
        {
            throw new ArgumentException($"{name} needs a positive integer");
        }

        return value;
    }
}
