using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Rce.Core.Grading;
using Rce.Core.Limits;
using Rce.Core.Verdicts;
using Rce.Sandbox.Boxes;
using Rce.Sandbox.Caching;
using Rce.Sandbox.Execution;
using Rce.Sandbox.Languages;
using SandboxEngine = Rce.Sandbox.Sandbox;

namespace Rce.Benchmarks;

/// <summary>One grading of the whole test set: wall time, CPU charged to the boxes (compiles and runs), compiles done.</summary>
internal sealed record GradingRound(TimeSpan Wall, TimeSpan BoxCpu, int Compiles);

/// <summary>One compile for all tests against a compile per test, same tests, same parallelism.</summary>
internal sealed record GradingComparison(string Program, int Tests, int Parallelism, IReadOnlyList<GradingRound> OneCompile, IReadOnlyList<GradingRound> PerTest, Stats CompileWall)
{
    public double OneCompileSeconds => OneCompile.Average(r => r.Wall.TotalSeconds);

    public double PerTestSeconds => PerTest.Average(r => r.Wall.TotalSeconds);

    public double WallRatio => PerTestSeconds / OneCompileSeconds;

    public double CpuRatio => PerTest.Average(r => r.BoxCpu.TotalSeconds) / OneCompile.Average(r => r.BoxCpu.TotalSeconds);
}

/// <summary><see cref="CompileCache.GetOrCompileAsync"/> on a miss (compiles and publishes) and on a hit, in ms.</summary>
internal sealed record CacheComparison(string Language, Stats Miss, Stats Hit, Stats CompilerBox)
{
    public double Ratio => Miss.Median / Hit.Median;
}

/// <summary>Tests per second: straight through <see cref="ProgramExecutor.RunAsync"/>, and through the runner's HTTP API.</summary>
internal sealed record RunnerComparison(string Workload, int RunsPerMode, int TestsPerRequest, double BareRate, double BatchRate, double SingleRate)
{
    public double BatchRatio => BatchRate / BareRate;

    public double SingleRatio => SingleRate / BareRate;
}

/// <summary>Everything the grading suite measured.</summary>
internal sealed record GradingResults(
    string LoadBefore,
    string LoadAfter,
    TimeSpan Duration,
    string Toolchains,
    GradingComparison Grading,
    IReadOnlyList<CacheComparison> Cache,
    TimeSpan RunnerStartup,
    int RunnerSlots,
    int Concurrency,
    int ThroughputRounds,
    IReadOnlyList<RunnerComparison> Runner);

/// <summary>
/// The grading suite: (1) one compile against a compile per test, (2) compile cache miss against
/// hit, (3) the runner service against the bare sandbox. Each comparison is interleaved.
/// </summary>
internal static class GradingBench
{
    private const string WorkRoot = "/run/rce-bench-cache";
    public const int HitsPerMiss = 3;
    private const int OneCompilePerPoint = 2;

    public static async Task<GradingResults> RunAsync(SandboxEngine sandbox, BenchOptions options, TextWriter progress)
    {
        var began = Stopwatch.GetTimestamp();
        var loadBefore = MachineInfo.LoadAverage();
        var catalog = LanguageCatalog.Detect();
        var cpp = Require(catalog, "cpp");
        var java = Require(catalog, "java");
        var c = Require(catalog, "c");
        var python = Require(catalog, "python");
        var executor = new ProgramExecutor(sandbox);
        var workDir = ScratchDirectory.Create(WorkRoot);
        try
        {
            var grading = await MeasureGradingAsync(cpp, executor, sandbox.SlotCount, options, progress);
            var cache = new List<CacheComparison>
            {
                await MeasureCacheAsync(cpp, GradingPrograms.Cpp, executor, workDir, options.CacheIterations, progress),
                await MeasureCacheAsync(java, GradingPrograms.Java, executor, workDir, options.CacheIterations, progress),
            };

            await progress.WriteLineAsync("rce bench: runner     starting (self-tests of every language)");
            var runnerCache = Path.Combine(workDir, "runner");
            await using var runner = await RunnerProcess.StartAsync(RunnerProcess.Locate(options.RunnerDll), runnerCache, TimeSpan.FromMinutes(3));
            await progress.WriteLineAsync($"rce bench: runner     ready after {runner.Startup.TotalSeconds:0.0} s");
            var throughput = new List<RunnerComparison>
            {
                await MeasureRunnerAsync(runner, python, GradingPrograms.Python, "Python a+b (python3 -B -S)", executor, options, progress),
                await MeasureRunnerAsync(runner, c, GradingPrograms.C, "C a+b (gcc -O2, compiled once)", executor, options, progress),
            };

            return new GradingResults(loadBefore, MachineInfo.LoadAverage(), Stopwatch.GetElapsedTime(began), Toolchains(),
                grading, cache, runner.Startup, runner.Slots, options.Concurrency, options.ThroughputRounds, throughput);
        }
        finally
        {
            ScratchDirectory.Delete(workDir);
        }
    }

    /// <summary>
    /// The program graded with one compile (Grader + SandboxGradingBackend, tests in parallel up
    /// to the slot count) and with a compile per test (every test a submission of its own:
    /// compile, run, no cache; as many at once as there are slots). The one-compile gradings
    /// bracket the per-test ones: O O P O O (P O O …).
    /// </summary>
    private static async Task<GradingComparison> MeasureGradingAsync(LanguageDefinition cpp, ProgramExecutor executor, int parallelism, BenchOptions options, TextWriter progress)
    {
        var program = new ProgramSource([new BoxFile(cpp.DefaultFileName, Encoding.UTF8.GetBytes(GradingPrograms.Cpp))], cpp.DefaultFileName);
        var job = new GradingJob(cpp, program, [], [], ResourceLimits.RunDefaults, ResourceLimits.CompileDefaults);
        var tests = GradingPrograms.SumTests(options.GradingTests);
        var compileWalls = new List<double>();

        // Warm-up: the compiler, headers and the program's libraries into the page cache.
        _ = await OneCompileAsync(job, tests.Take(2).ToArray(), executor, parallelism, null);

        var one = new List<GradingRound>();
        var perTest = new List<GradingRound>();
        for (var round = 0; round <= options.GradingRounds; round++)
        {
            // One-compile gradings are short, so two at each point: their wall time varies most.
            for (var k = 0; k < OneCompilePerPoint; k++)
            {
                one.Add(await OneCompileAsync(job, tests, executor, parallelism, compileWalls));
                await progress.WriteLineAsync($"rce bench: grading    one compile      {one[^1].Wall.TotalSeconds,6:0.00} s");
            }

            if (round < options.GradingRounds)
            {
                perTest.Add(await CompilePerTestAsync(job, tests, executor, parallelism, compileWalls));
                await progress.WriteLineAsync($"rce bench: grading    compile per test {perTest[^1].Wall.TotalSeconds,6:0.00} s");
            }
        }

        return new GradingComparison("C++ a+b (g++ -O2 -std=gnu++17, iostream)", tests.Count, parallelism, one, perTest, Stats.Of(compileWalls));
    }

    private static async Task<GradingRound> OneCompileAsync(GradingJob job, IReadOnlyList<TestCase> tests, ProgramExecutor executor, int parallelism, List<double>? compileWalls)
    {
        var started = Stopwatch.GetTimestamp();
        GradeReport report;
        using (var backend = new SandboxGradingBackend(executor, job))
        {
            report = await new Grader().GradeAsync(backend, tests, CheckerSpec.Default, new GradingOptions(), parallelism);
        }

        var wall = Stopwatch.GetElapsedTime(started);
        Check(report, tests.Count);
        compileWalls?.Add(report.Compile.Report!.WallTime.TotalMilliseconds);
        return new GradingRound(wall, report.Compile.Report!.CpuTime + report.Tests.Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Run!.CpuTime), 1);
    }

    private static async Task<GradingRound> CompilePerTestAsync(GradingJob job, IReadOnlyList<TestCase> tests, ProgramExecutor executor, int parallelism, List<double> compileWalls)
    {
        var reports = new GradeReport[tests.Count];
        var next = -1;
        var wall = await Bench.RunConcurrentAsync(tests.Count, parallelism, async () =>
        {
            var index = Interlocked.Increment(ref next);
            using var backend = new SandboxGradingBackend(executor, job);
            reports[index] = await new Grader().GradeAsync(backend, [tests[index]], CheckerSpec.Default, new GradingOptions(), 1);
        });

        var cpu = TimeSpan.Zero;
        foreach (var report in reports)
        {
            Check(report, 1);
            compileWalls.Add(report.Compile.Report!.WallTime.TotalMilliseconds);
            cpu += report.Compile.Report!.CpuTime + report.Tests[0].Run!.CpuTime;
        }

        return new GradingRound(wall, cpu, tests.Count);
    }

    private static void Check(GradeReport report, int tests)
    {
        if (report.Verdict == Verdict.Accepted && report.Tests.Count == tests && report.Tests.All(t => t.Verdict == Verdict.Accepted))
        {
            return;
        }

        if (!report.Compile.Succeeded)
        {
            var compile = report.Compile.Report;
            throw new BenchmarkException($"C++ compile {report.Compile.Verdict.ToCode()}: {Text(compile?.Stderr)} {compile?.FailureDetail}".Trim());
        }

        var failed = report.Tests.First(t => t.Verdict != Verdict.Accepted);
        throw new BenchmarkException($"C++ test {failed.Id}: {failed.Verdict.ToCode()} {failed.CheckerMessage} {Text(failed.Run?.Stderr)} {failed.Run?.FailureDetail}".Trim());
    }

    /// <summary>
    /// Misses (a fresh key: the source with a unique comment; compiles in a box and publishes) and
    /// hits (the same key again), through a cache of our own under a temporary root.
    /// </summary>
    private static async Task<CacheComparison> MeasureCacheAsync(LanguageDefinition language, string source, ProgramExecutor executor, string workDir, int iterations, TextWriter progress)
    {
        var cache = new CompileCache(Path.Combine(workDir, "cache-" + language.Id), 1L << 30, TimeProvider.System);
        var misses = new List<double>();
        var hits = new List<double>();
        var compiler = new List<double>();
        for (var i = -1; i < iterations; i++)
        {
            // The comment changes the key (every file's bytes are hashed), not the program.
            var text = source + $"// rce bench {Guid.NewGuid():N}\n";
            var program = new ProgramSource([new BoxFile(language.DefaultFileName, Encoding.UTF8.GetBytes(text))], language.DefaultFileName);
            var key = CompileCacheKey.Compute(language, "rce-bench", [], ResourceLimits.CompileDefaults, program.Files, program.MainFile);

            var started = Stopwatch.GetTimestamp();
            var lease = await cache.GetOrCompileAsync(key, (dir, ct) => executor.CompileAsync(language, program, [], ResourceLimits.CompileDefaults, dir, ct));
            var miss = Stopwatch.GetElapsedTime(started);
            using (lease)
            {
                if (lease.Hit || !lease.Cached || !lease.Outcome.Succeeded)
                {
                    throw new BenchmarkException($"{language.Id}: expected a cached miss, got hit={lease.Hit} cached={lease.Cached} " +
                        $"{lease.Outcome.Verdict.ToCode()} {Text(lease.Outcome.Report.Stderr)} {lease.Outcome.Report.FailureDetail}".Trim());
                }

                if (i >= 0)
                {
                    misses.Add(miss.TotalMilliseconds);
                    compiler.Add(lease.Outcome.Report.WallTime.TotalMilliseconds);
                }
            }

            for (var h = 0; h < HitsPerMiss; h++)
            {
                started = Stopwatch.GetTimestamp();
                using var hit = await cache.GetOrCompileAsync(key, (_, _) => Task.FromException<CompileOutcome>(new BenchmarkException($"{language.Id}: a hit compiled")));
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (!hit.Hit || hit.ArtifactDirectory is null)
                {
                    throw new BenchmarkException($"{language.Id}: expected a hit");
                }

                if (i >= 0)
                {
                    hits.Add(elapsed.TotalMilliseconds);
                }
            }

            await progress.WriteLineAsync($"rce bench: cache      {language.Id,-6} {i + 1,3}/{iterations} miss {miss.TotalMilliseconds,7:0.0} ms");
        }

        return new CacheComparison(language.Name, Stats.Of(misses), Stats.Of(hits), Stats.Of(compiler));
    }

    /// <summary>
    /// Tests per second of a trivial program, three ways, in rounds whose order rotates: straight
    /// through <see cref="ProgramExecutor.RunAsync"/> at the given concurrency; through the runner
    /// as one request holding the round's tests (the runner runs them up to its slot count at
    /// once); and through the runner as one request per test, as many in flight as the concurrency.
    /// </summary>
    private static async Task<RunnerComparison> MeasureRunnerAsync(RunnerProcess runner, LanguageDefinition language, string source, string name, ProgramExecutor executor, BenchOptions options, TextWriter progress)
    {
        var rounds = options.ThroughputRounds;
        var perRound = Math.Max(options.Concurrency, options.RunnerTests / rounds);
        var program = new ProgramSource([new BoxFile(language.DefaultFileName, Encoding.UTF8.GetBytes(source))], language.DefaultFileName);
        string? artifact = null;
        try
        {
            if (language.IsCompiled)
            {
                artifact = executor.CreateArtifactDirectory();
                var compile = await executor.CompileAsync(language, program, [], ResourceLimits.CompileDefaults, artifact);
                if (!compile.Succeeded)
                {
                    throw new BenchmarkException($"{language.Id}: compile {compile.Verdict.ToCode()} {Text(compile.Report.Stderr)} {compile.Report.FailureDetail}".Trim());
                }
            }

            var batch = RequestBody(language.Id, source, 0, perRound);

            // Warm-up: the runner's JIT and its compile cache (for C, the only miss), the page cache.
            await RunnerBatchAsync(runner, RequestBody(language.Id, source, 0, options.Concurrency * 2), options.Concurrency * 2, name);
            await Bench.RunConcurrentAsync(options.Concurrency * 2, options.Concurrency, () => RunnerSingleAsync(runner, language.Id, source, 1, name));
            await Bench.RunConcurrentAsync(options.Concurrency * 2, options.Concurrency, () => BareAsync(executor, language, program, artifact, 1, name));

            var bare = TimeSpan.Zero;
            var batched = TimeSpan.Zero;
            var single = TimeSpan.Zero;
            for (var round = 0; round < rounds; round++)
            {
                for (var k = 0; k < 3; k++)
                {
                    switch ((round + k) % 3)
                    {
                        case 0:
                        {
                            var next = 0;
                            bare += await Bench.RunConcurrentAsync(perRound, options.Concurrency, () => BareAsync(executor, language, program, artifact, Interlocked.Increment(ref next), name));
                            break;
                        }

                        case 1:
                        {
                            var started = Stopwatch.GetTimestamp();
                            await RunnerBatchAsync(runner, batch, perRound, name);
                            batched += Stopwatch.GetElapsedTime(started);
                            break;
                        }

                        default:
                        {
                            var next = 0;
                            single += await Bench.RunConcurrentAsync(perRound, options.Concurrency, () => RunnerSingleAsync(runner, language.Id, source, Interlocked.Increment(ref next), name));
                            break;
                        }
                    }
                }

                await progress.WriteLineAsync($"rce bench: runner     {language.Id,-6} round {round + 1}/{rounds}");
            }

            var runs = perRound * rounds;
            return new RunnerComparison(name, runs, perRound, runs / bare.TotalSeconds, runs / batched.TotalSeconds, runs / single.TotalSeconds);
        }
        finally
        {
            if (artifact is not null)
            {
                ProgramExecutor.DeleteArtifactDirectory(artifact);
            }
        }
    }

    private static async Task BareAsync(ProgramExecutor executor, LanguageDefinition language, ProgramSource program, string? artifact, int index, string name)
    {
        var (input, output) = GradingPrograms.Sum(index);
        var run = await executor.RunAsync(language, program, artifact, Encoding.UTF8.GetBytes(input), [], ResourceLimits.RunDefaults);
        var stdout = Text(run.Report.Stdout);
        if (run.Verdict != Verdict.Accepted || stdout != output)
        {
            throw new BenchmarkException($"{name}: sandboxed run {run.Verdict.ToCode()}, stdout '{stdout.Trim()}' stderr '{Text(run.Report.Stderr).Trim()}' {run.Report.FailureDetail}");
        }
    }

    private static async Task RunnerSingleAsync(RunnerProcess runner, string language, string source, int index, string name) =>
        await RunnerBatchAsync(runner, RequestBody(language, source, index - 1, 1), 1, name);

    private static async Task RunnerBatchAsync(RunnerProcess runner, byte[] body, int tests, string name)
    {
        using var answer = await runner.ExecuteAsync(body);
        var root = answer.RootElement;
        var verdict = root.GetProperty("verdict").GetString();
        var results = root.GetProperty("tests");
        if (verdict != "AC" || results.GetArrayLength() != tests)
        {
            var failed = results.EnumerateArray().FirstOrDefault(t => t.GetProperty("verdict").GetString() != "AC");
            throw new BenchmarkException($"{name}: the runner answered {verdict} for {results.GetArrayLength()}/{tests} tests; first failure: {failed}");
        }
    }

    /// <summary>A <c>POST /v1/executions</c> body with tests <c>first + 1 … first + count</c>.</summary>
    private static byte[] RequestBody(string language, string source, int first, int count) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        language,
        source,
        tests = Enumerable.Range(first + 1, count).Select(i =>
        {
            var (input, output) = GradingPrograms.Sum(i);
            return new { id = i.ToString(CultureInfo.InvariantCulture), input, expectedOutput = output };
        }).ToArray(),
    });

    private static LanguageDefinition Require(LanguageCatalog catalog, string id) =>
        catalog.Find(id) ?? throw new BenchmarkException($"the grading suite needs {id}: {catalog.Missing.GetValueOrDefault(id) ?? "not in the catalog"}");

    private static string Toolchains()
    {
        // The Debian toolchains the catalog runs by absolute path, not whatever PATH finds first.
        var gpp = MachineInfo.Command("/usr/bin/g++", "-dumpfullversion") ?? "?";
        var javac = MachineInfo.Command("/usr/bin/javac", "-version") ?? "?";
        var python = MachineInfo.Command("/usr/bin/python3", "--version") ?? "?";
        return $"g++ {gpp}, {javac}, {python}";
    }

    private static string Text(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Encoding.UTF8.GetString(b.Span) : string.Empty;
}
