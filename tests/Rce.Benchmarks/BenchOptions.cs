using System.Globalization;

namespace Rce.Benchmarks;

/// <summary>Which parts of the benchmark run.</summary>
internal enum BenchSuite
{
    /// <summary>Sandbox against the bare process (latency, CPU, throughput).</summary>
    Sandbox,

    /// <summary>Grading (one compile against a compile per test), the compile cache, and the runner service.</summary>
    Grading,

    /// <summary>Both, sandbox first.</summary>
    All,
}

/// <summary>Command-line options of the benchmark.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: rce bench [--suite sandbox|grading|all] [--quick] [--iterations N] [--concurrency N]
                         [--tests N] [--grading-rounds N] [--cache-iterations N] [--runner-tests N]
                         [--runner-dll PATH]

          --suite S             sandbox: the sandbox against the bare process; grading: grading,
                                compile cache and runner; all (default): both, sandbox first
          --quick               smoke test: 10 iterations, 1 warm-up pair, 2 throughput rounds,
                                10 tests per graded program, 2 cache iterations, 10 runner tests
          --iterations N        sequential bare/sandbox pairs per workload (default 200); the
                                sandbox throughput phase runs N runs per mode and workload, in
                                4 rounds
          --concurrency N       parallel runs in the throughput phases (default: processor count)
          --tests N             tests of the graded C++ program (default 50)
          --grading-rounds N    gradings of the program with a compile per test (default 1); the
                                one-compile grading runs twice before, between and after them
          --cache-iterations N  compile cache misses per language, each followed by 3 hits (default 5)
          --runner-tests N      runner throughput: tests per mode and workload (default 100), in
                                as many rounds as the sandbox throughput phase
          --runner-dll PATH     the runner to start (default: the Release build in this checkout)

        Sandbox suite: the sandbox (Rce.Sandbox) against the bare process for a static C hello and a
        Python hello. Grading suite: a C++ program with N tests graded with one compile against a
        compile per test (the Judge0 way); compile cache misses against hits (C++, Java); the
        runner service (HTTP) against the bare sandbox, in tests per second. Everything is
        interleaved in one run; a markdown report goes to stdout, progress to stderr.
        """;

    public BenchSuite Suite { get; init; } = BenchSuite.All;

    public int Iterations { get; init; } = 200;

    public int WarmupPairs { get; init; } = 5;

    public int ThroughputRounds { get; init; } = 4;

    public int Concurrency { get; init; } = Environment.ProcessorCount;

    public int GradingTests { get; init; } = 50;

    public int GradingRounds { get; init; } = 1;

    public int CacheIterations { get; init; } = 5;

    public int RunnerTests { get; init; } = 100;

    public string? RunnerDll { get; init; }

    public bool Quick { get; init; }

    public bool Help { get; init; }

    public bool RunsSandbox => Suite is BenchSuite.Sandbox or BenchSuite.All;

    public bool RunsGrading => Suite is BenchSuite.Grading or BenchSuite.All;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        int? iterations = null, tests = null, cacheIterations = null, runnerTests = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--iterations" or "-n":
                    iterations = Positive(args, ++i, "--iterations");
                    break;
                case "--quick":
                    options = options with { Quick = true, WarmupPairs = 1, ThroughputRounds = 2, Iterations = 10, GradingTests = 10, CacheIterations = 2, RunnerTests = 10 };
                    break;
                case "--concurrency" or "-c":
                    options = options with { Concurrency = Positive(args, ++i, "--concurrency") };
                    break;
                case "--suite":
                    options = options with { Suite = ParseSuite(args, ++i) };
                    break;
                case "--tests":
                    tests = Positive(args, ++i, "--tests");
                    break;
                case "--grading-rounds":
                    options = options with { GradingRounds = Positive(args, ++i, "--grading-rounds") };
                    break;
                case "--cache-iterations":
                    cacheIterations = Positive(args, ++i, "--cache-iterations");
                    break;
                case "--runner-tests":
                    runnerTests = Positive(args, ++i, "--runner-tests");
                    break;
                case "--runner-dll":
                    options = options with { RunnerDll = ++i < args.Count ? args[i] : throw new ArgumentException("--runner-dll needs a path") };
                    break;
                case "--help" or "-h":
                    options = options with { Help = true };
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        // Explicit counts win over --quick, whatever their order.
        return options with
        {
            Iterations = iterations ?? options.Iterations,
            GradingTests = tests ?? options.GradingTests,
            CacheIterations = cacheIterations ?? options.CacheIterations,
            RunnerTests = runnerTests ?? options.RunnerTests,
        };
    }

    private static BenchSuite ParseSuite(IReadOnlyList<string> args, int index) => (index < args.Count ? args[index] : null) switch
    {
        "sandbox" => BenchSuite.Sandbox,
        "grading" => BenchSuite.Grading,
        "all" => BenchSuite.All,
        _ => throw new ArgumentException("--suite needs sandbox, grading or all"),
    };

    private static int Positive(IReadOnlyList<string> args, int index, string name)
    {
        if (index >= args.Count || !int.TryParse(args[index], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
        {
            throw new ArgumentException($"{name} needs a positive integer");
        }

        return value;
    }
}
