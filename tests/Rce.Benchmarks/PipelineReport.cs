using System.Globalization;
using System.Text;
using static Rce.Benchmarks.MarkdownReport;

namespace Rce.Benchmarks;

/// <summary>The pipeline suite's sections of the markdown report.</summary>
internal static class PipelineReport
{
    /// <summary>The suite's row of the machine table.</summary>
    public static void RunLine(StringBuilder s, BenchOptions o, PipelineResults p)
    {
        var quick = o.Quick ? "--quick (smoke test; numbers are indicative only), " : "";
        Line(s, $"| Pipeline run | {quick}{p.Iterations} sync triples after {p.Warmup} warm-up; {p.Mode("runner").Submissions} submissions per way at {p.Concurrency} in flight " +
                $"in {p.Rounds} rotating rounds; a batch of {p.Batch.Size}; Azurite probed {o.AzuriteIterations}× per operation; runner {p.RunnerSlots} slots; " +
                $"load before {p.LoadBefore}, after {p.LoadAfter}; took {p.Duration.TotalSeconds:0} s |");
    }

    public static void Render(StringBuilder s, PipelineResults p)
    {
        var runner = p.Mode("runner");
        var asyncMode = p.Mode("async");
        var syncMode = p.Mode("sync");
        var fresh = p.Probes.First(x => x.Label == "fresh" && x.Depth == 0);

        Line(s, "### Pipeline: sync latency at concurrency 1 (Python hello, sequential triples)");
        Line(s);
        Line(s, "| Way | p50 | p90 | p99 | max |");
        Line(s, "|---|---:|---:|---:|---:|");
        LatencyRow(s, "Bare sandbox (`ProgramExecutor.RunAsync` in the benchmark)", p.Sync.Bare);
        LatencyRow(s, "Runner alone (`POST /v1/executions`)", p.Sync.Runner);
        LatencyRow(s, "Pipeline (`POST /api/submissions?wait=true`)", p.Sync.Pipeline);
        LatencyRow(s, "*Pipeline − runner, per iteration*", p.Sync.PipelineMinusRunner);
        LatencyRow(s, "*Runner − bare sandbox, per iteration*", p.Sync.RunnerMinusBare);
        Line(s);
        Line(s, $"Each iteration runs the same `print('hello')` once each way, one at a time, in an order that rotates; every answer is checked (AC, `hello`). " +
                $"{p.Iterations} iterations after {p.Warmup} unmeasured ones{(p.Iterations < 100 ? " (with fewer than 100 samples, p99 is close to the maximum)" : "")}.");
        Line(s);

        var b = p.Breakdown;
        Line(s, $"### Pipeline: where a sync submission's time goes ({b.Count} submissions above)");
        Line(s);
        Line(s, "| Step | Median | p90 |");
        Line(s, "|---|---:|---:|");
        Line(s, $"| Client send → submission created (HTTP, body, validation) | {Ms(b.Ingress.Median)} | {Ms(b.Ingress.P90)} |");
        Line(s, $"| Created → claimed (`TaskScheduled`): in process only — a free worker takes it before anything is stored | {Ms(b.AcceptAndClaim.Median)} | {Ms(b.AcceptAndClaim.P90)} |");
        Line(s, $"| Claimed → `TaskCompleted`: the **runner call** (nothing stored yet) | {Ms(b.RunStep.Median)} | {Ms(b.RunStep.P90)} |");
        Line(s, $"| … of which not the runner (that step − the runner-alone latency of the same iteration) | {Ms(b.RunStepMinusRunner.Median)} | {Ms(b.RunStepMinusRunner.P90)} |");
        Line(s, $"| `TaskCompleted` → client has the answer: the index entry, then the row inserted once, ended (result and history in it), response | {Ms(b.FinishAndRespond.Median)} | {Ms(b.FinishAndRespond.P90)} |");
        var workflowMs = b.Ingress.Median + b.AcceptAndClaim.Median + b.RunStepMinusRunner.Median + b.FinishAndRespond.Median;
        Line(s, $"| **Sum of the pipeline's own steps** (medians) | **{Ms(workflowMs)}** | |");
        Line(s);
        Line(s, $"Times come from the client's clock and the submission's history rows (`ExecutionStarted` = creation, `TaskScheduled`, `TaskCompleted`), read after the phase; same machine, same clock. " +
                $"On that path are {AzuriteProbe.Ops.Sum(o => o.PerSyncSubmission)} storage calls, one after another " +
                $"({string.Join(", ", AzuriteProbe.Ops.Where(o => o.PerSyncSubmission > 0).Select(o => $"{o.PerSyncSubmission} {o.Name}"))}); " +
                $"at the fresh emulator's medians (below) they add up to **{Ms(fresh.SyncPathMs)}** of Azurite latency.");
        Line(s);

        Line(s, $"### Pipeline: throughput at saturation ({p.Concurrency} submissions in flight)");
        Line(s);
        Line(s, "| Way | Submissions | per s | time per submission / runner's | Latency p50 | Latency p99 | CPU per submission: runner | Functions app | Azurite | Redis | client | machine |");
        Line(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var m in p.Saturation)
        {
            Line(s, $"| {m.Name} | {m.Submissions} | {Rate(m.Rate)} | {runner.Rate / m.Rate:0.00}× | {Ms(m.Latency.Median)} | {Ms(m.Latency.P99)} | " +
                    $"{Ms(m.CpuMs(m.Cpu.Runner))} | {Ms(m.CpuMs(m.Cpu.Functions))} | {Ms(m.CpuMs(m.Cpu.Azurite))} | {Ms(m.CpuMs(m.Cpu.Redis))} | {Ms(m.CpuMs(m.Cpu.Client))} | {Ms(m.CpuMs(m.Cpu.Machine))} |");
        }

        Line(s);
        Line(s, $"Closed loop: {p.Concurrency} workers, each starting its next submission when the previous one is done (async: when a poll saw 200). " +
                $"An async worker sends its next poll {p.PollMs} ms after the previous answer; the app holds a poll of a submission it runs for at most `Api__StatusHoldMs` " +
                $"({(p.Settings.TryGetValue("Api__StatusHoldMs", out var hold) ? hold + " ms" : "500 ms, the default")}) and answers it the moment the submission ends. " +
                $"The ways alternate in rounds whose order rotates; rate = submissions ÷ summed round time. The async way polled {asyncMode.PollsPerSubmission:0.0} times per submission; " +
                $"the difference between the async and sync ways, {PerPoll(asyncMode, syncMode)} of Functions app and Azurite CPU per poll, is the price of polling. " +
                "CPU is user + system time from `/proc` over each way's rounds, divided by its submissions: the runner process (not its boxes), the Functions app, " +
                "Azurite's node process, redis-server (the rate-limit checks), this benchmark (the client and, for the bare way, the sandbox's .NET side), and the whole machine (boxes and other sessions' work included).");
        Line(s);

        var batch = p.Batch;
        Line(s, $"### Pipeline: a batch of {batch.Size} (`POST /api/batches`, then `GET /api/batches/{{id}}` until the last result)");
        Line(s);
        Line(s, "| Submit (202) | Half done | 99 % done | Last result | Submissions/s (all) | / runner alone at saturation | Submissions/s (first 99 %) | / runner alone | Peak waiting (run queue + app backlog) | CPU per submission: runner | Functions app | Azurite | Redis | machine |");
        Line(s, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        Line(s, $"| {Seconds(batch.Submit)} | {Seconds(batch.Half)} | {Seconds(batch.NinetyNine)} | {Seconds(batch.LastResult)} | {Rate(batch.Rate)} | {batch.Rate / runner.Rate:0.00}× | " +
                $"{Rate(batch.Rate99)} | {batch.Rate99 / runner.Rate:0.00}× | {batch.PeakRunQueueDepth} | " +
                $"{Ms(batch.Cpu.Runner.TotalMilliseconds / batch.Size)} | {Ms(batch.Cpu.Functions.TotalMilliseconds / batch.Size)} | {Ms(batch.Cpu.Azurite.TotalMilliseconds / batch.Size)} | {Ms(batch.Cpu.Redis.TotalMilliseconds / batch.Size)} | {Ms(batch.Cpu.Machine.TotalMilliseconds / batch.Size)} |");
        Line(s);
        Line(s, $"Timed from sending the request to the first poll that saw half, 99 % and all of the members terminal ({batch.Polls} polls: every second, every 100 ms near the end); " +
                "every member was checked AC. The runner-alone rate is the saturation table's.");
        Line(s);
        if (batch.Stalls.Count > 0)
        {
            Line(s, $"**The batch stalled**: no member finished for {PipelineBench.StallSeconds} s while some were pending. Their state then (times from the batch request):");
            Line(s);
            foreach (var stall in batch.Stalls)
            {
                Line(s, "* " + stall);
            }

            Line(s);
        }

        Line(s, "### Azurite's own cost (median ms per operation, one at a time)");
        Line(s);
        var columns = p.Probes.Select(x => x.Label == "fresh" ? "fresh, empty" : x.Depth == 0 ? "after the run, empty" : $"after the run, {x.Depth:#,0} messages stored").ToList();
        Line(s, $"| Operation | On the sync path | {string.Join(" | ", columns)} |");
        Line(s, $"|---|---:|{string.Concat(columns.Select(_ => "---:|"))}");
        foreach (var op in AzuriteProbe.Ops)
        {
            Line(s, $"| {op.Name}: {op.Description} | {op.PerSyncSubmission} | {string.Join(" | ", p.Probes.Select(x => Ms(x.Ops[op.Name].Median)))} |");
        }

        Line(s, $"| **Σ on the sync path** | | {string.Join(" | ", p.Probes.Select(x => "**" + Ms(x.SyncPathMs) + "**"))} |");
        var filled = p.Probes.Where(x => x.Filled > 0).ToList();
        Line(s);
        Line(s, "The product's storage clients (same options as the Functions app) on a queue, table and container of the probe's own; " +
                "\"messages stored\" are visible messages in another queue of the same emulator" +
                (filled.Count > 0 ? $" (filled at {string.Join(", ", filled.Select(x => $"{x.Filled / x.FillTime.TotalSeconds:0} sends/s"))} with 16 in flight)" : "") +
                ". \"After the run\" is the same emulator after every phase above (its tables then hold every submission's rows), with the workflow queues emptied first.");
        Line(s);
        var keys = p.QueueDepths.SelectMany(d => d.Depths).Where(d => d.Value > 0).Select(d => d.Key).Distinct().ToList();
        Line(s, "Most messages found in the workflow queues when the benchmark emptied them (every 50 sync iterations, after every round of a pipeline way at saturation, " +
                "after the batch; always with every submission terminal, so what is left are the 5-minute reconcile checks: one per group of up to 64 asynchronous submissions, one per `wait=true` submission stored before its end, one per batch). " +
                "Emptying keeps Azurite's slowdown with depth (above) out of the pipeline's numbers; Azure Storage does not slow down that way.");
        Line(s);
        Line(s, "| Phase | " + (keys.Count > 0 ? string.Join(" | ", keys) : "all queues") + " |");
        Line(s, "|---|" + (keys.Count > 0 ? string.Concat(keys.Select(_ => "---:|")) : "---:|"));
        foreach (var (phase, depths) in p.QueueDepths)
        {
            Line(s, $"| {phase} | {(keys.Count > 0 ? string.Join(" | ", keys.Select(k => depths.GetValueOrDefault(k).ToString(CultureInfo.InvariantCulture))) : "0")} |");
        }

        Line(s);
        Line(s, "Functions app settings: " + string.Join(", ", p.Settings.Select(e => $"`{e.Key}`={(e.Value == "(set)" ? "(set)" : "`" + e.Value + "`")}")) +
                $"; everything else at its default (host.json, `Workflow__*`, `Queues__*`). Every request carried a key (Submit and Read roles) of the tenant `{PipelineStack.Tenant}`; the rate limits were checked on Redis and never reached. " +
                $"Started in: Azurite {Seconds(p.AzuriteStartup)}, runner {Seconds(p.RunnerStartup)} (self-tests), Functions app {Seconds(p.FunctionsStartup)}.");
        Line(s);

        Line(s, "### Pipeline goals");
        Line(s);
        Line(s, "| Goal | Target | Measured | Met |");
        Line(s, "|---|---|---:|---|");
        var asyncCost = runner.Rate / asyncMode.Rate;
        var syncCost = runner.Rate / syncMode.Rate;
        Line(s, $"| Saturation, async + poll: time per submission, pipeline / runner alone | ≤ 1.20× (adds ≤ 20 %) | {asyncCost:0.00}× ({asyncMode.Rate / runner.Rate:0.00}× the rate) | {(asyncCost <= 1.2 ? "yes" : "**no**")} |");
        Line(s, $"| Saturation, wait=true: the same | ≤ 1.20× | {syncCost:0.00}× ({syncMode.Rate / runner.Rate:0.00}× the rate) | {(syncCost <= 1.2 ? "yes" : "**no**")} |");
        var added = p.Sync.Pipeline.Median - p.Sync.Runner.Median;
        Line(s, $"| Sync p50: pipeline p50 − runner p50 | ≤ {PipelineBench.SyncOverheadGoalMs:0} ms | {Ms(added)} (paired median {Ms(p.Sync.PipelineMinusRunner.Median)}) | {(added <= PipelineBench.SyncOverheadGoalMs ? "yes" : "**no**")} |");
    }

    private static string PerPoll(SaturationMode asyncMode, SaturationMode syncMode)
    {
        var extra = asyncMode.CpuMs(asyncMode.Cpu.Functions + asyncMode.Cpu.Azurite) - syncMode.CpuMs(syncMode.Cpu.Functions + syncMode.Cpu.Azurite);
        return asyncMode.PollsPerSubmission > 0 ? "about " + Ms(extra / asyncMode.PollsPerSubmission) : "n/a";
    }

    private static void LatencyRow(StringBuilder s, string name, Stats x) =>
        Line(s, $"| {name} | {Ms(x.Median)} | {Ms(x.P90)} | {Ms(x.P99)} | {Ms(x.Max)} |");

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString(t.TotalSeconds < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " s";

    private static string Rate(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
}
