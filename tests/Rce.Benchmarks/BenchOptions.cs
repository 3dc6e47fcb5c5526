using System.Globalization;

namespace Rce.Benchmarks;

/// <summary>Which parts of the benchmark run (a set: <c>--suite sandbox,pipeline</c>).</summary>
[Flags]
internal enum BenchSuite
{
    /// <summary>Nothing (not a valid choice).</summary>
    None = 0,

    /// <summary>Sandbox against the bare process (latency, CPU, throughput).</summary>
    Sandbox = 1,

    /// <summary>Grading (one compile against a compile per test), the compile cache, and the runner service.</summary>
    Grading = 2,

    /// <summary>The Functions pipeline (HTTP → Tables/Queues/Blobs on Azurite → runner) against the runner alone and the bare sandbox.</summary>
    Pipeline = 4,

    /// <summary>The rate-limit check on a real redis-server (latency of one atomic Lua check, per kind).</summary>
    RateLimits = 8,

    /// <summary>All four, in that order.</summary>
    All = Sandbox | Grading | Pipeline | RateLimits,
}

/// <summary>Command-line options of the benchmark.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: rce bench [--suite sandbox|grading|pipeline|ratelimits|all] [--pipeline] [--quick] [--iterations N]
                         [--concurrency N] [--tests N] [--grading-rounds N] [--cache-iterations N]
                         [--runner-tests N] [--runner-dll PATH] [--pipeline-iterations N]
                         [--pipeline-submissions N] [--pipeline-concurrency N] [--poll-ms N] [--batch N]
                         [--azurite-depths N,N] [--azurite-iterations N] [--functions-dll PATH]
                         [--functions-env NAME=VALUE]...

          --suite S             sandbox: the sandbox against the bare process; grading: grading,
                                compile cache and runner; pipeline: the Functions app end to end
                                (Azurite, runner) against the runner alone and the bare sandbox;
                                ratelimits: one atomic rate-limit check on redis-server, per kind;
                                all (default): the four, in that order. A comma list picks several
                                (--suite sandbox,pipeline)
          --pipeline            the same as --suite pipeline
          --quick               smoke test: 10 iterations, 1 warm-up pair, 2 throughput rounds,
                                10 tests per graded program, 2 cache iterations, 10 runner tests;
                                pipeline: 20 latency triples, 40 submissions per mode, a batch of 100,
                                Azurite probed at 0 and 1000 messages, 10 times each
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

        Pipeline suite (Azurite from .rce/azurite, redis-server, the runner and the Functions app as
        child processes; a key of its own tenant on every request, the rate limits raised):
          --pipeline-iterations N   sequential triples (bare sandbox, runner, pipeline wait=true) for
                                    sync latency p50/p99 (default 200)
          --pipeline-submissions N  throughput: submissions per mode at saturation (default 400), in
                                    as many rotating rounds as the sandbox throughput phase
          --pipeline-concurrency N  throughput: submissions in flight (default 4 x the runner's slots)
          --poll-ms N               async mode: interval between GET /api/submissions/{id} polls
                                    (default 100)
          --batch N                 submissions of the batch measured from submit to last result
                                    (default 1000)
          --azurite-depths N,N      Azurite probe: messages stored in a queue while probing, besides
                                    the empty probe (default 1000,4000)
          --azurite-iterations N    Azurite probe: samples per operation and depth (default 50)
          --functions-dll PATH      the Functions app to start (default: the Release build in this checkout)
          --functions-env N=V       extra environment of the Functions app (repeatable, applied
                                    last), e.g. RateLimits__UserSubmissions__Limit=10

        Sandbox suite: the sandbox (Rce.Sandbox) against the bare process for a static C hello and a
        Python hello. Grading suite: a C++ program with N tests graded with one compile against a
        compile per test (the Judge0 way); compile cache misses against hits (C++, Java); the
        runner service (HTTP) against the bare sandbox, in tests per second. Pipeline suite: a
        Python hello through POST /api/submissions (sync latency, async throughput at saturation,
        a batch), side by side with the runner alone and the bare sandbox, and Azurite's own
        latency per operation as its queues fill. Everything is interleaved in one run; a markdown
        report goes to stdout, progress to stderr.
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

    public int PipelineIterations { get; init; } = 200;

    public int PipelineWarmup { get; init; } = 10;

    public int PipelineSubmissions { get; init; } = 400;

    /// <summary>Submissions in flight in the throughput phase; null: 4 × the runner's slots.</summary>
    public int? PipelineConcurrency { get; init; }

    public int PollMs { get; init; } = 100;

    public int BatchSize { get; init; } = 1000;

    public IReadOnlyList<int> AzuriteDepths { get; init; } = [1000, 4000];

    public int AzuriteIterations { get; init; } = 50;

    public string? FunctionsDll { get; init; }

    /// <summary>Extra environment of the Functions app, applied last (see <see cref="PipelineStack"/>).</summary>
    public IReadOnlyDictionary<string, string> FunctionsEnvironment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public bool RunsSandbox => Suite.HasFlag(BenchSuite.Sandbox);

    public bool RunsGrading => Suite.HasFlag(BenchSuite.Grading);

    public bool RunsPipeline => Suite.HasFlag(BenchSuite.Pipeline);

    public bool RunsRateLimits => Suite.HasFlag(BenchSuite.RateLimits);

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        int? iterations = null, tests = null, cacheIterations = null, runnerTests = null;
        int? pipelineIterations = null, pipelineSubmissions = null, batch = null, azuriteIterations = null;
        IReadOnlyList<int>? depths = null;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--iterations" or "-n":
                    iterations = Positive(args, ++i, "--iterations");
                    break;
                case "--quick":
                    options = options with
                    {
                        Quick = true, WarmupPairs = 1, ThroughputRounds = 2, Iterations = 10, GradingTests = 10, CacheIterations = 2, RunnerTests = 10,
                        PipelineIterations = 20, PipelineWarmup = 5, PipelineSubmissions = 40, BatchSize = 100, AzuriteDepths = [1000], AzuriteIterations = 10,
                    };
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
                case "--pipeline":
                    options = options with { Suite = BenchSuite.Pipeline };
                    break;
                case "--pipeline-iterations":
                    pipelineIterations = Positive(args, ++i, "--pipeline-iterations");
                    break;
                case "--pipeline-submissions":
                    pipelineSubmissions = Positive(args, ++i, "--pipeline-submissions");
                    break;
                case "--pipeline-concurrency":
                    options = options with { PipelineConcurrency = Positive(args, ++i, "--pipeline-concurrency") };
                    break;
                case "--poll-ms":
                    options = options with { PollMs = Positive(args, ++i, "--poll-ms") };
                    break;
                case "--batch":
                    batch = Positive(args, ++i, "--batch");
                    break;
                case "--azurite-depths":
                    depths = ParseDepths(args, ++i);
                    break;
                case "--azurite-iterations":
                    azuriteIterations = Positive(args, ++i, "--azurite-iterations");
                    break;
                case "--functions-dll":
                    options = options with { FunctionsDll = ++i < args.Count ? args[i] : throw new ArgumentException("--functions-dll needs a path") };
                    break;
                case "--functions-env":
                    var (name, value) = ParseSetting(args, ++i);
                    environment[name] = value;
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
            PipelineIterations = pipelineIterations ?? options.PipelineIterations,
            PipelineSubmissions = pipelineSubmissions ?? options.PipelineSubmissions,
            BatchSize = batch ?? options.BatchSize,
            AzuriteDepths = depths ?? options.AzuriteDepths,
            AzuriteIterations = azuriteIterations ?? options.AzuriteIterations,
            FunctionsEnvironment = environment,
        };
    }

    private static List<int> ParseDepths(IReadOnlyList<string> args, int index)
    {
        var text = index < args.Count ? args[index] : string.Empty;
        var depths = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var depth) || depth is < 1 or > 100_000)
            {
                throw new ArgumentException("--azurite-depths needs a comma list of message counts from 1 to 100000");
            }

            depths.Add(depth);
        }

        return depths.Count > 0 ? depths : throw new ArgumentException("--azurite-depths needs at least one message count");
    }

    private static (string Name, string Value) ParseSetting(IReadOnlyList<string> args, int index)
    {
        var text = index < args.Count ? args[index] : string.Empty;
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 ? (text[..equals], text[(equals + 1)..]) : throw new ArgumentException("--functions-env needs NAME=VALUE");
    }

    private static BenchSuite ParseSuite(IReadOnlyList<string> args, int index)
    {
        var suite = BenchSuite.None;
        foreach (var part in (index < args.Count ? args[index] : string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            suite |= part switch
            {
                "sandbox" => BenchSuite.Sandbox,
                "grading" => BenchSuite.Grading,
                "pipeline" => BenchSuite.Pipeline,
                "ratelimits" => BenchSuite.RateLimits,
                "all" => BenchSuite.All,
                _ => throw new ArgumentException("--suite needs sandbox, grading, pipeline, ratelimits or all (or a comma list)"),
            };
        }

        return suite != BenchSuite.None ? suite : throw new ArgumentException("--suite needs sandbox, grading, pipeline, ratelimits or all (or a comma list)");
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
