using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Rce.Infrastructure.Storage;

namespace Rce.Benchmarks;

/// <summary>One storage operation the workflow makes, and how many of them are on the critical path of one sync submission.</summary>
internal sealed record StorageOp(string Name, string Description, int PerSyncSubmission);

/// <summary>Azurite's latency per operation (ms) with <see cref="Depth"/> messages stored in another queue.</summary>
internal sealed record ProbeResult(string Label, int Depth, IReadOnlyDictionary<string, Stats> Ops, TimeSpan FillTime, int Filled)
{
    /// <summary>Σ (median latency × count on the critical path of one sync submission), in ms.</summary>
    public double SyncPathMs => AzuriteProbe.Ops.Sum(o => o.PerSyncSubmission * Ops[o.Name].Median);
}

/// <summary>
/// Azurite's own cost, measured with the product's storage clients (<see cref="StorageAccount"/>,
/// same retry and timeout options as the Functions app) on a queue, a table and a container of its
/// own: each operation alone, one at a time, while another queue holds 0 or N messages.
/// </summary>
internal static class AzuriteProbe
{
    private const string ProbeQueue = "bench-probe";
    private const string FillQueue = "bench-fill";
    private const string ProbeTable = "BenchProbe";
    private const string ProbeContainer = "bench-probe";
    /// <summary>Unmeasured rounds first: node optimises Azurite's code paths over the first few hundred calls.</summary>
    private const int Warmup = 30;
    private const int FillParallelism = 16;

    /// <summary>
    /// The operations, with their count on the path of one <c>POST /api/submissions?wait=true</c>
    /// before its client is answered (SubmissionWorkflow.AcceptAsync, RunAsync and FinishAsync up to the
    /// waiter's wake-up), when the app has a free worker (self-hosted, as here): the reconcile send
    /// beside the index entry, then the row (inserted already claimed by the app's free worker), the end
    /// (the result and the history in the row: no blob, no history write). No run message and no claim
    /// write: the app runs the submission on its own worker (with no free worker it inserts the row
    /// Queued and sends a run message, which the receiving listener claims and deletes).
    /// </summary>
    public static IReadOnlyList<StorageOp> Ops { get; } =
    [
        new("queue send", "SendMessage (none: a reconcile check goes once per group of asynchronous submissions, or for a wait=true one still running after 2 s; a run message only when no worker of the app is free)", 0),
        new("queue receive", "ReceiveMessages, 1 message (only for a run message)", 0),
        new("queue delete", "DeleteMessage (only for a run message)", 0),
        new("table insert", "AddEntity (index entry, then the row, inserted once ended, with its result and history)", 2),
        new("table get", "GetEntity (none: the claim starts from the created row, the waiter gets the terminal row)", 0),
        new("table update", "UpdateEntity, If-Match (none: the end of an asynchronous submission; a claim only for a run message)", 0),
        new("blob upload", "Upload, 300 B (only requests and results over 32 KiB)", 0),
        new("blob download", "DownloadContent (only requests and results over 32 KiB)", 0),
    ];

    /// <summary>Probes with an empty fill queue, then with each of <paramref name="depths"/> messages in it (filled in that order); deletes what it made.</summary>
    public static async Task<IReadOnlyList<ProbeResult>> RunAsync(StorageAccount storage, string label, IReadOnlyList<int> depths, int iterations, TextWriter progress)
    {
        var queue = storage.Queues.GetQueueClient(ProbeQueue);
        var fill = storage.Queues.GetQueueClient(FillQueue);
        var table = storage.Tables.GetTableClient(ProbeTable);
        var container = storage.Blobs.GetBlobContainerClient(ProbeContainer);
        await queue.CreateIfNotExistsAsync();
        await fill.CreateIfNotExistsAsync();
        await table.CreateIfNotExistsAsync();
        await container.CreateIfNotExistsAsync();
        var results = new List<ProbeResult>();
        try
        {
            await fill.ClearMessagesAsync();
            results.Add(await ProbeAsync(queue, table, container, label, 0, iterations, TimeSpan.Zero, 0));
            await progress.WriteLineAsync($"rce bench: azurite    {label}: empty, queue receive {results[^1].Ops["queue receive"].Median:0.00} ms");
            var stored = 0;
            foreach (var depth in depths.Order())
            {
                var started = Stopwatch.GetTimestamp();
                var added = depth - stored;
                await Bench.RunConcurrentAsync(added, FillParallelism, () => fill.SendMessageAsync("{\"id\":\"0123456789abcdef0123456789abcdef\",\"attempt\":1}"));
                stored = depth;
                var fillTime = Stopwatch.GetElapsedTime(started);
                results.Add(await ProbeAsync(queue, table, container, label, depth, iterations, fillTime, added));
                await progress.WriteLineAsync($"rce bench: azurite    {label}: {depth} messages stored, queue receive {results[^1].Ops["queue receive"].Median:0.00} ms");
            }
        }
        finally
        {
            await fill.DeleteIfExistsAsync();
            await queue.DeleteIfExistsAsync();
            await table.DeleteAsync();
            await container.DeleteIfExistsAsync();
        }

        return results;
    }

    private static async Task<ProbeResult> ProbeAsync(QueueClient queue, TableClient table, Azure.Storage.Blobs.BlobContainerClient container, string label, int depth, int iterations, TimeSpan fillTime, int filled)
    {
        var samples = Ops.ToDictionary(o => o.Name, _ => new List<double>(), StringComparer.Ordinal);
        var payload = BinaryData.FromBytes(new byte[300]);
        for (var i = -Warmup; i < iterations; i++)
        {
            var keep = i >= 0;
            var id = Guid.NewGuid().ToString("N");

            var t = Stopwatch.GetTimestamp();
            await queue.SendMessageAsync($"{{\"id\":\"{id}\",\"attempt\":1}}");
            Record(samples, "queue send", t, keep);

            t = Stopwatch.GetTimestamp();
            var received = (await queue.ReceiveMessagesAsync(maxMessages: 1)).Value;
            Record(samples, "queue receive", t, keep);
            if (received.Length != 1)
            {
                throw new BenchmarkException($"Azurite probe: received {received.Length} messages instead of 1");
            }

            t = Stopwatch.GetTimestamp();
            await queue.DeleteMessageAsync(received[0].MessageId, received[0].PopReceipt);
            Record(samples, "queue delete", t, keep);

            var entity = new TableEntity(id, "instance") { ["Status"] = "Queued", ["Language"] = "python", ["Attempt"] = 0, ["CreatedTime"] = TimeProvider.System.GetUtcNow() };
            t = Stopwatch.GetTimestamp();
            await table.AddEntityAsync(entity);
            Record(samples, "table insert", t, keep);

            t = Stopwatch.GetTimestamp();
            var read = await table.GetEntityAsync<TableEntity>(id, "instance");
            Record(samples, "table get", t, keep);

            read.Value["Status"] = "Running";
            t = Stopwatch.GetTimestamp();
            await table.UpdateEntityAsync(read.Value, read.Value.ETag, TableUpdateMode.Replace);
            Record(samples, "table update", t, keep);

            var blob = container.GetBlobClient(id + "/request.json");
            t = Stopwatch.GetTimestamp();
            await blob.UploadAsync(payload, overwrite: true);
            Record(samples, "blob upload", t, keep);

            t = Stopwatch.GetTimestamp();
            await blob.DownloadContentAsync();
            Record(samples, "blob download", t, keep);
        }

        return new ProbeResult(label, depth, samples.ToDictionary(s => s.Key, s => Stats.Of(s.Value), StringComparer.Ordinal), fillTime, filled);
    }

    private static void Record(Dictionary<string, List<double>> samples, string op, long started, bool keep)
    {
        if (keep)
        {
            samples[op].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
