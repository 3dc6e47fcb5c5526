using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Rce.Core.Limits;
using Rce.Core.Submissions;
using Rce.Core.Verdicts;
using Rce.Infrastructure.Workflow;
using Rce.Sandbox.Boxes;
using Rce.Sandbox.Execution;
using Rce.Sandbox.Languages;
using SandboxEngine = Rce.Sandbox.Sandbox;

namespace Rce.Benchmarks;

/// <summary>Sequential latency (ms) of the three ways to run one Python hello, and the paired differences.</summary>
internal sealed record SyncLatency(Stats Bare, Stats Runner, Stats Pipeline, Stats PipelineMinusRunner, Stats RunnerMinusBare);

/// <summary>Where the time of one sync pipeline submission goes (ms), from the client's clock and the workflow's history rows.</summary>
/// <param name="Ingress">Client send → the submission's creation time (HTTP, body, validation).</param>
/// <param name="AcceptAndClaim">Creation → <c>TaskScheduled</c>: with a free worker of the app, in-process work only (the claim is stamped before the insert that carries it); else stored, enqueued, received, claimed.</param>
/// <param name="RunStep"><c>TaskScheduled</c> → <c>TaskCompleted</c>: with a free worker, the reconcile send beside the index entry, the row insert and the runner call; else the runner call.</param>
/// <param name="RunStepMinusRunner">The run step minus the runner-alone latency of the same iteration: the workflow's own part of it.</param>
/// <param name="FinishAndRespond"><c>TaskCompleted</c> → the client has the answer: terminal update, the waiter woken with the row, the response.</param>
internal sealed record SyncBreakdown(int Count, Stats Ingress, Stats AcceptAndClaim, Stats RunStep, Stats RunStepMinusRunner, Stats FinishAndRespond);

/// <summary>One way of running submissions at saturation: rate, latency per submission, CPU per submission by process.</summary>
internal sealed record SaturationMode(string Name, string Key, int Submissions, TimeSpan Time, Stats Latency, CpuSnapshot Cpu, double Polls)
{
    public double Rate => Submissions / Time.TotalSeconds;

    public double PollsPerSubmission => Polls / Submissions;

    public double CpuMs(TimeSpan cpu) => cpu.TotalMilliseconds / Submissions;
}

/// <summary>A batch through <c>POST /api/batches</c>, from the submit to the poll that saw the last result.</summary>
/// <param name="Half">From the request to the first poll that saw half of the members terminal.</param>
/// <param name="NinetyNine">The same for 99 % of them.</param>
/// <param name="Stalls">Members that made no progress for <see cref="PipelineBench.StallSeconds"/> s while others were done: their state then, for the report.</param>
internal sealed record BatchRun(int Size, TimeSpan Submit, TimeSpan Half, TimeSpan NinetyNine, TimeSpan LastResult, int Polls, int PeakRunQueueDepth, CpuSnapshot Cpu, IReadOnlyList<string> Stalls)
{
    public double Rate => Size / LastResult.TotalSeconds;

    public double Rate99 => Math.Ceiling(Size * 0.99) / NinetyNine.TotalSeconds;
}

/// <summary>Everything the pipeline suite measured.</summary>
internal sealed record PipelineResults(
    string LoadBefore,
    string LoadAfter,
    TimeSpan Duration,
    string Python,
    int RunnerSlots,
    TimeSpan AzuriteStartup,
    TimeSpan RunnerStartup,
    TimeSpan FunctionsStartup,
    IReadOnlyDictionary<string, string> Settings,
    int Iterations,
    int Warmup,
    SyncLatency Sync,
    SyncBreakdown Breakdown,
    int Concurrency,
    int Rounds,
    int PollMs,
    IReadOnlyList<SaturationMode> Saturation,
    BatchRun Batch,
    IReadOnlyList<(string Phase, IReadOnlyDictionary<string, int> Depths)> QueueDepths,
    IReadOnlyList<ProbeResult> Probes)
{
    public SaturationMode Mode(string key) => Saturation.First(m => m.Key == key);
}

/// <summary>
/// The pipeline suite: a Python hello (1) sequentially, in rotating triples, through the bare
/// sandbox, the runner alone and <c>POST /api/submissions?wait=true</c> (sync latency); (2) at
/// saturation, in rotating rounds, through the bare sandbox, the runner, the pipeline async
/// (submit, poll to terminal) and sync; (3) as one batch; (4) Azurite's own latency per operation,
/// on a fresh emulator and after the run with its queues filled. All in one run, one stack.
/// </summary>
internal static class PipelineBench
{
    public const double SaturationGoal = 0.8;
    public const double SyncOverheadGoalMs = 25;

    /// <summary>Seconds without a member finishing, while some are pending, after which the batch's stalled members are described.</summary>
    public const int StallSeconds = 15;

    private const string WorkRoot = "/run/rce-bench-pipeline";

    /// <summary>Sync iterations between two emptyings of the workflow queues (see <see cref="PipelineStack.EmptyQueuesAsync"/>).</summary>
    private const int EmptyEvery = 50;
    private const string Source = "print('hello')\n";
    private const string Expected = "hello\n";
    private static readonly byte[] Body = JsonSerializer.SerializeToUtf8Bytes(new { language = "python", source = Source });

    public static async Task<PipelineResults> RunAsync(SandboxEngine sandbox, BenchOptions options, TextWriter progress)
    {
        var began = Stopwatch.GetTimestamp();
        var loadBefore = MachineInfo.LoadAverage();
        var python = LanguageCatalog.Detect().Find("python") ?? throw new BenchmarkException("the pipeline suite needs Python in the language catalog");
        var executor = new ProgramExecutor(sandbox);
        var program = new ProgramSource([new BoxFile(python.DefaultFileName, Encoding.UTF8.GetBytes(Source))], python.DefaultFileName);
        var workDir = ScratchDirectory.Create(WorkRoot);
        try
        {
            var stackOptions = new PipelineStackOptions(RunnerProcess.Locate(options.RunnerDll), FunctionsProcess.Locate(options.FunctionsDll), workDir)
            {
                Environment = options.FunctionsEnvironment,
                MaxBatchSize = options.BatchSize,
            };
            await using var stack = await PipelineStack.StartAsync(stackOptions, progress);
            var modes = new Modes(stack, executor, python, program, options.PollMs);
            var depths = new List<(string, IReadOnlyDictionary<string, int>)>();

            // Azurite alone first, while it is empty: no workflow data yet.
            var probes = new List<ProbeResult>(await AzuriteProbe.RunAsync(stack.Storage, "fresh", [], options.AzuriteIterations, progress));

            var peak = new Dictionary<string, int>(StringComparer.Ordinal);
            var (sync, breakdown) = await MeasureSyncAsync(stack, modes, options, peak, progress);
            depths.Add(("sync latency", peak));

            var concurrency = options.PipelineConcurrency ?? 4 * stack.Runner.Slots;
            peak = new Dictionary<string, int>(StringComparer.Ordinal);
            var saturation = await MeasureSaturationAsync(stack, modes, concurrency, options, peak, progress);
            depths.Add(("saturation", peak));

            peak = new Dictionary<string, int>(StringComparer.Ordinal);
            var batch = await MeasureBatchAsync(stack, options.BatchSize, progress);
            await stack.EmptyQueuesAsync(peak);
            depths.Add(("batch (after its last result)", peak));

            probes.AddRange(await AzuriteProbe.RunAsync(stack.Storage, "after the run", options.AzuriteDepths, options.AzuriteIterations, progress));

            return new PipelineResults(
                loadBefore, MachineInfo.LoadAverage(), Stopwatch.GetElapsedTime(began),
                MachineInfo.Command("/usr/bin/python3", "--version") ?? "?",
                stack.Runner.Slots, stack.AzuriteStartup, stack.Runner.Startup, stack.Functions.Startup, stack.Settings,
                options.PipelineIterations, options.PipelineWarmup, sync, breakdown,
                concurrency, options.ThroughputRounds, options.PollMs, saturation, batch, depths, probes);
        }
        finally
        {
            ScratchDirectory.Delete(workDir);
        }
    }

    /// <summary>
    /// Sequential triples (bare sandbox, runner, pipeline wait=true), the order rotating per
    /// iteration; the pipeline's overhead is the per-iteration difference pipeline − runner. Then
    /// each pipeline submission's history rows split its time into steps.
    /// </summary>
    private static async Task<(SyncLatency, SyncBreakdown)> MeasureSyncAsync(PipelineStack stack, Modes modes, BenchOptions options, Dictionary<string, int> peak, TextWriter progress)
    {
        var bare = new List<double>();
        var runner = new List<double>();
        var pipeline = new List<double>();
        var overhead = new List<double>();
        var runnerOverBare = new List<double>();
        var traces = new List<SyncTrace>();
        var step = Math.Max(1, options.PipelineIterations / 4);
        for (var i = -options.PipelineWarmup; i < options.PipelineIterations; i++)
        {
            double b = 0, r = 0;
            SyncTrace? trace = null;
            for (var k = 0; k < 3; k++)
            {
                switch ((((i % 3) + 3) % 3 + k) % 3)
                {
                    case 0:
                        b = (await modes.BareAsync()).TotalMilliseconds;
                        break;
                    case 1:
                        r = (await modes.RunnerAsync()).TotalMilliseconds;
                        break;
                    default:
                        trace = await modes.PipelineSyncTracedAsync();
                        break;
                }
            }

            if (i < 0)
            {
                continue; // warm-up: JIT of all three processes, the page cache, first connections
            }

            if ((i + 1) % EmptyEvery == 0 || i + 1 == options.PipelineIterations)
            {
                await stack.EmptyQueuesAsync(peak);
            }

            var p = trace!.Elapsed.TotalMilliseconds;
            bare.Add(b);
            runner.Add(r);
            pipeline.Add(p);
            overhead.Add(p - r);
            runnerOverBare.Add(r - b);
            traces.Add(trace with { RunnerMs = r });
            if ((i + 1) % step == 0)
            {
                await progress.WriteLineAsync($"rce bench: pipeline   sync latency {i + 1,5}/{options.PipelineIterations}");
            }
        }

        var sync = new SyncLatency(Stats.Of(bare), Stats.Of(runner), Stats.Of(pipeline), Stats.Of(overhead), Stats.Of(runnerOverBare));
        return (sync, await BreakdownAsync(stack, traces));
    }

    private static async Task<SyncBreakdown> BreakdownAsync(PipelineStack stack, IReadOnlyList<SyncTrace> traces)
    {
        var store = new TableSubmissionStore(stack.Storage);
        var ingress = new List<double>();
        var accept = new List<double>();
        var run = new List<double>();
        var workflow = new List<double>();
        var finish = new List<double>();
        foreach (var trace in traces)
        {
            var history = await store.ReadHistoryAsync(trace.Id, CancellationToken.None);
            var started = history.FirstOrDefault(e => e.EventType == "ExecutionStarted")?.Timestamp;
            var scheduled = history.FirstOrDefault(e => e.EventType == "TaskScheduled")?.Timestamp;
            var completed = history.FirstOrDefault(e => e.EventType == "TaskCompleted")?.Timestamp;
            if (started is not { } s || scheduled is not { } c || completed is not { } d)
            {
                throw new BenchmarkException($"submission {trace.Id}: history without ExecutionStarted, TaskScheduled and TaskCompleted ({string.Join(", ", history.Select(e => e.EventType))})");
            }

            ingress.Add((s - trace.Sent).TotalMilliseconds);
            accept.Add((c - s).TotalMilliseconds);
            run.Add((d - c).TotalMilliseconds);
            workflow.Add((d - c).TotalMilliseconds - trace.RunnerMs);
            finish.Add((trace.Received - d).TotalMilliseconds);
        }

        return new SyncBreakdown(traces.Count, Stats.Of(ingress), Stats.Of(accept), Stats.Of(run), Stats.Of(workflow), Stats.Of(finish));
    }

    /// <summary>
    /// Closed loop at a fixed number of submissions in flight, four ways in rounds whose order
    /// rotates: bare sandbox, runner, pipeline async (submit, then poll to terminal) and pipeline
    /// sync (wait=true, no polling). Rate = submissions ÷ summed round time; CPU per process is
    /// summed over each way's rounds.
    /// </summary>
    private static async Task<IReadOnlyList<SaturationMode>> MeasureSaturationAsync(PipelineStack stack, Modes modes, int concurrency, BenchOptions options, Dictionary<string, int> peak, TextWriter progress)
    {
        var rounds = options.ThroughputRounds;
        var perRound = Math.Max(concurrency, options.PipelineSubmissions / rounds);
        (string Name, string Key, Func<Task<(TimeSpan, int)>> Run)[] ways =
        [
            ("Bare sandbox (ProgramExecutor.RunAsync)", "bare", async () => (await modes.BareAsync(), 0)),
            ("Runner alone (POST /v1/executions)", "runner", async () => (await modes.RunnerAsync(), 0)),
            ($"Pipeline async (POST /api/submissions, GET every {options.PollMs} ms)", "async", modes.PipelineAsyncAsync),
            ("Pipeline sync (POST /api/submissions?wait=true)", "sync", async () => ((await modes.PipelineSyncTracedAsync()).Elapsed, 0)),
        ];

        // Warm-up of every way at this concurrency: connection pools, the listener's batches, and the
        // Functions app's tier-1 JIT of these code paths (30 calls, then a background re-JIT), which
        // would otherwise burn CPU during the first measured round.
        foreach (var way in ways)
        {
            await Bench.RunConcurrentAsync(Math.Max(concurrency * 2, options.PipelineWarmup * 4), concurrency, way.Run);
        }

        await stack.EmptyQueuesAsync();
        var time = new TimeSpan[ways.Length];
        var cpu = Enumerable.Repeat(CpuSnapshot.Zero, ways.Length).ToArray();
        var latency = ways.Select(_ => new List<double>()).ToArray();
        var polls = new int[ways.Length];
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < ways.Length; k++)
            {
                var w = (round + k) % ways.Length;
                var samples = new List<double>();
                var roundPolls = 0;
                var before = stack.Cpu();
                time[w] += await Bench.RunConcurrentAsync(perRound, concurrency, async () =>
                {
                    var (elapsed, n) = await ways[w].Run();
                    lock (samples)
                    {
                        samples.Add(elapsed.TotalMilliseconds);
                        roundPolls += n;
                    }
                });
                cpu[w] += stack.Cpu() - before;
                latency[w].AddRange(samples);
                polls[w] += roundPolls;
                await stack.EmptyQueuesAsync(peak);
            }

            await progress.WriteLineAsync($"rce bench: pipeline   saturation round {round + 1}/{rounds} ({perRound} per way at {concurrency} in flight)");
        }

        return [.. ways.Select((way, w) => new SaturationMode(way.Name, way.Key, perRound * rounds, time[w], Stats.Of(latency[w]), cpu[w], polls[w]))];
    }

    /// <summary>Members waiting for a worker: the run queue's depth plus the app's backlog, from <c>GET /api/queue/stats</c>.</summary>
    private static async Task<int> WaitingAsync(PipelineStack stack)
    {
        using var answer = await stack.Api.GetAsync(new Uri("/api/queue/stats", UriKind.Relative));
        var text = await answer.Content.ReadAsStringAsync();
        if (answer.StatusCode != HttpStatusCode.OK)
        {
            throw new BenchmarkException($"GET /api/queue/stats answered {(int)answer.StatusCode}: {Truncate(text)}");
        }

        using var stats = JsonDocument.Parse(text);
        return stats.RootElement.GetProperty("queues").GetProperty(WorkQueueId.Submissions.Name()).GetInt32() + stats.RootElement.GetProperty("backlog").GetInt32();
    }

    /// <summary>
    /// One batch of Python hellos: submit, then poll the batch (every second, every 100 ms near the
    /// end) until the last result. When no member has finished for <see cref="StallSeconds"/> s, the
    /// state of the ones still pending (row and history, read straight from storage) is kept for the
    /// report, once.
    /// </summary>
    private static async Task<BatchRun> MeasureBatchAsync(PipelineStack stack, int size, TextWriter progress)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new { submissions = Enumerable.Range(0, size).Select(_ => new { language = "python", source = Source }).ToArray() });
        var before = stack.Cpu();
        var startedAt = TimeProvider.System.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        string id;
        using (var content = Json(body))
        using (var accepted = await stack.Api.PostAsync(new Uri("/api/batches", UriKind.Relative), content))
        {
            var text = await accepted.Content.ReadAsStringAsync();
            if (accepted.StatusCode != HttpStatusCode.Accepted)
            {
                throw new BenchmarkException($"POST /api/batches answered {(int)accepted.StatusCode}: {Truncate(text)}");
            }

            using var created = JsonDocument.Parse(text);
            id = created.RootElement.GetProperty("id").GetString()!;
        }

        var submit = Stopwatch.GetElapsedTime(started);
        await progress.WriteLineAsync($"rce bench: pipeline   batch of {size} accepted after {submit.TotalSeconds:0.0} s");
        var polls = 0;
        var peak = 0;
        var pending = size;
        var lastReport = 0L;
        TimeSpan? half = null, ninetyNine = null;
        var progressAt = Stopwatch.GetTimestamp();
        var stalls = new List<string>();
        while (true)
        {
            await Task.Delay(pending > Math.Max(10, size / 50) ? 1000 : 100);
            polls++;
            if (pending > size / 10)
            {
                // Waiting members: run messages plus the app's backlog (a few calls per poll, not per submission).
                peak = Math.Max(peak, await WaitingAsync(stack));
            }

            using var answer = await stack.Api.GetAsync(new Uri("/api/batches/" + id, UriKind.Relative));
            var text = await answer.Content.ReadAsStringAsync();
            if (answer.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Accepted))
            {
                throw new BenchmarkException($"GET /api/batches/{id} answered {(int)answer.StatusCode}: {Truncate(text)}");
            }

            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var now = Stopwatch.GetElapsedTime(started);
            var left = root.GetProperty("pending").GetInt32();
            if (left != pending)
            {
                pending = left;
                progressAt = Stopwatch.GetTimestamp();
            }

            half ??= size - pending >= size / 2.0 ? now : null;
            ninetyNine ??= size - pending >= Math.Ceiling(size * 0.99) ? now : null;
            if (pending == 0)
            {
                var completed = root.GetProperty("completed").GetInt32();
                var notAccepted = root.GetProperty("submissions").EnumerateArray().Count(m => m.GetProperty("verdict").GetString() != "AC");
                if (completed != size || notAccepted > 0)
                {
                    throw new BenchmarkException($"batch {id}: {completed} of {size} completed, {notAccepted} not AC");
                }

                return new BatchRun(size, submit, half!.Value, ninetyNine!.Value, now, polls, peak, stack.Cpu() - before, stalls);
            }

            if (stalls.Count == 0 && Stopwatch.GetElapsedTime(progressAt).TotalSeconds >= StallSeconds)
            {
                var waiting = root.GetProperty("submissions").EnumerateArray()
                    .Where(m => m.GetProperty("status").GetString() is not ("Completed" or "Failed" or "Terminated"))
                    .Select(m => m.GetProperty("id").GetString()!).ToList();
                stalls.AddRange(await DescribeAsync(stack, waiting, startedAt, now, size - pending));
                await progress.WriteLineAsync($"rce bench: pipeline   batch stalled at {size - pending}/{size}:\n  {string.Join("\n  ", stalls)}");
            }

            if ((long)now.TotalSeconds >= lastReport + 10)
            {
                lastReport = (long)now.TotalSeconds;
                await progress.WriteLineAsync($"rce bench: pipeline   batch {size - pending}/{size} after {lastReport} s");
            }
        }
    }

    /// <summary>The rows and history of stalled members (at most 10), times relative to the batch request.</summary>
    private static async Task<List<string>> DescribeAsync(PipelineStack stack, List<string> ids, DateTimeOffset startedAt, TimeSpan now, int done)
    {
        var store = new TableSubmissionStore(stack.Storage);
        var depths = await stack.QueueDepthsAsync();
        var lines = new List<string>
        {
            $"{ids.Count} members pending after {StallSeconds} s without progress, at {now.TotalSeconds:0} s ({done} done); messages stored: " +
            string.Join(", ", depths.Where(d => d.Value > 0).Select(d => $"{d.Key} {d.Value}")),
        };
        foreach (var member in ids.Take(10))
        {
            var row = await store.GetAsync(member, CancellationToken.None);
            var history = await store.ReadHistoryAsync(member, CancellationToken.None);
            string At(DateTimeOffset t) => $"{(t - startedAt).TotalSeconds:0.0} s";
            lines.Add(row is null
                ? $"{member}: no row"
                : $"{member}: {row.Status}, attempt {row.Attempt}, phase {row.Phase ?? "-"}, lease until {(row.LeaseUntil is { } lease ? At(lease) : "-")}, " +
                  $"updated {At(row.LastUpdatedTime)}{(row.Reason is null ? "" : ", reason " + row.Reason)}; history: " +
                  string.Join(", ", history.Select(e => $"{e.EventType} {At(e.Timestamp)}")));
        }

        return lines;
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static string Truncate(string text) => text.Length > 1000 ? text[..1000] + "…" : text;

    /// <summary>One sync pipeline submission: its id, the client's send and receive times, and (later) the runner-alone latency of the same iteration.</summary>
    private sealed record SyncTrace(string Id, DateTimeOffset Sent, DateTimeOffset Received, TimeSpan Elapsed, double RunnerMs = double.NaN);

    /// <summary>The ways to run one Python hello; each checks its answer (AC, <c>hello</c>) and returns its latency.</summary>
    private sealed class Modes(PipelineStack stack, ProgramExecutor executor, LanguageDefinition python, ProgramSource program, int pollMs)
    {
        public async Task<TimeSpan> BareAsync()
        {
            var started = Stopwatch.GetTimestamp();
            var run = await executor.RunAsync(python, program, null, ReadOnlyMemory<byte>.Empty, [], ResourceLimits.RunDefaults);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var stdout = Encoding.UTF8.GetString(run.Report.Stdout.Span);
            if (run.Verdict != Verdict.Accepted || stdout != Expected)
            {
                throw new BenchmarkException($"bare sandbox: {run.Verdict.ToCode()}, stdout '{stdout.Trim()}' stderr '{Encoding.UTF8.GetString(run.Report.Stderr.Span).Trim()}' {run.Report.FailureDetail}");
            }

            return elapsed;
        }

        public async Task<TimeSpan> RunnerAsync()
        {
            var started = Stopwatch.GetTimestamp();
            using var answer = await stack.Runner.ExecuteAsync(Body);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var root = answer.RootElement;
            var tests = root.GetProperty("tests");
            if (root.GetProperty("verdict").GetString() != "AC" || tests.GetArrayLength() != 1 || tests[0].GetProperty("stdout").GetString() != Expected)
            {
                throw new BenchmarkException($"runner: unexpected answer {Truncate(root.GetRawText())}");
            }

            return elapsed;
        }

        public async Task<SyncTrace> PipelineSyncTracedAsync()
        {
            var sent = TimeProvider.System.GetUtcNow();
            var started = Stopwatch.GetTimestamp();
            using var content = Json(Body);
            using var answer = await stack.Api.PostAsync(new Uri("/api/submissions?wait=true", UriKind.Relative), content);
            var text = await answer.Content.ReadAsStringAsync();
            var elapsed = Stopwatch.GetElapsedTime(started);
            var received = TimeProvider.System.GetUtcNow();
            if (answer.StatusCode != HttpStatusCode.OK)
            {
                throw new BenchmarkException($"POST /api/submissions?wait=true answered {(int)answer.StatusCode}: {Truncate(text)}");
            }

            return new SyncTrace(Check(text), sent, received, elapsed);
        }

        /// <summary>Submits without waiting, then polls the status URL every <c>pollMs</c> until it is 200; returns the latency and the number of polls.</summary>
        public async Task<(TimeSpan, int)> PipelineAsyncAsync()
        {
            var started = Stopwatch.GetTimestamp();
            string id;
            using (var content = Json(Body))
            using (var accepted = await stack.Api.PostAsync(new Uri("/api/submissions", UriKind.Relative), content))
            {
                var text = await accepted.Content.ReadAsStringAsync();
                if (accepted.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new BenchmarkException($"POST /api/submissions answered {(int)accepted.StatusCode}: {Truncate(text)}");
                }

                using var document = JsonDocument.Parse(text);
                id = document.RootElement.GetProperty("id").GetString()!;
            }

            var status = new Uri("/api/submissions/" + id, UriKind.Relative);
            for (var polls = 1; ; polls++)
            {
                await Task.Delay(pollMs);
                using var answer = await stack.Api.GetAsync(status);
                var text = await answer.Content.ReadAsStringAsync();
                if (answer.StatusCode == HttpStatusCode.OK)
                {
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    Check(text);
                    return (elapsed, polls);
                }

                if (answer.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new BenchmarkException($"GET /api/submissions/{id} answered {(int)answer.StatusCode}: {Truncate(text)}");
                }
            }
        }

        private static string Check(string text)
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.GetProperty("status").GetString() != "Completed" || root.GetProperty("verdict").GetString() != "AC" || root.GetProperty("stdout").GetString() != Expected)
            {
                throw new BenchmarkException($"pipeline: unexpected answer {Truncate(text)}");
            }

            return root.GetProperty("id").GetString()!;
        }
    }
}
