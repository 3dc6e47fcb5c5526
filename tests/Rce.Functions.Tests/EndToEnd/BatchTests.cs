using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rce.Testing;

namespace Rce.Functions.Tests.EndToEnd;

/// <summary>Batches end to end, including the Functions process SIGKILLed in the middle and restarted.</summary>
public sealed class BatchTests(StackFixture stack) : IClassFixture<StackFixture>
{
    private static object[] Submissions(int count) =>
        [.. Enumerable.Range(0, count).Select(i => (object)new { language = "bash", source = $"echo {i}", tests = new[] { new { id = "t1", input = "", expectedOutput = i.ToString(System.Globalization.CultureInfo.InvariantCulture) } } })];

    [Fact]
    public async Task Batch_Of200_AllComplete_InOrder()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await stack.StartFunctionsAsync(LoopbackPorts.Free());
        await using (app)
        using (http)
        {
            using var accepted = await http.PostAsJsonAsync("/api/batches", new { submissions = Submissions(200) }, ct);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            var created = await StackFixture.JsonAsync(accepted);
            var ids = created.GetProperty("submissions").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Equal(200, ids.Distinct().Count());

            var batch = await SubmissionFlowTests.PollAsync(http, "/api/batches/" + created.GetProperty("id").GetString(), ct, seconds: 240);

            Assert.Equal("Completed", batch.GetProperty("status").GetString());
            if (batch.GetProperty("completed").GetInt32() != 200)
            {
                var failed = batch.GetProperty("submissions").EnumerateArray().First(m => m.GetProperty("status").GetString() != "Completed").GetProperty("id").GetString();
                using var detail = await http.GetAsync("/api/submissions/" + failed, ct);
                Assert.Fail($"{batch.GetProperty("completed").GetInt32()} of 200 completed; first other: {await detail.Content.ReadAsStringAsync(ct)}");
            }

            var members = batch.GetProperty("submissions").EnumerateArray().ToList();
            Assert.Equal(ids, members.Select(m => m.GetProperty("id").GetString()));
            Assert.All(members, m => Assert.Equal("AC", m.GetProperty("verdict").GetString()));
        }
    }

    [Fact]
    public async Task QueueStats_ABatchPastTheWorkers_WaitsOnTheBacklog_NotTheQueue_ThenAllZero()
    {
        // 40 members and 16 + 8 workers: the rest wait on the listener's backlog, with no run message.
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await stack.StartFunctionsAsync(LoopbackPorts.Free());
        await using (app)
        using (http)
        {
            await QuietAsync(http, ct);
            using var accepted = await http.PostAsJsonAsync("/api/batches", new { submissions = Enumerable.Range(0, 40).Select(i => new { language = "bash", source = "sleep 1; echo ok", stdin = "" }) }, ct);
            var batchId = (await StackFixture.JsonAsync(accepted)).GetProperty("id").GetString()!;

            using var busy = await http.GetAsync("/api/queue/stats", ct);
            var during = await StackFixture.JsonAsync(busy);
            Assert.Equal(HttpStatusCode.OK, busy.StatusCode);
            // Never past the run listener's concurrency. (The total may hold a reconcile check left by
            // an earlier test of this class, on the same storage: its own listener runs it.)
            Assert.InRange(during.GetProperty("inFlightByQueue").GetProperty("submissions").GetInt32(), 1, 24);
            Assert.True(during.GetProperty("inFlight").GetInt32() >= during.GetProperty("inFlightByQueue").GetProperty("submissions").GetInt32());
            Assert.InRange(during.GetProperty("backlog").GetInt32(), 1, 16); // a member ends every ~0.5 s (2 runner slots)
            Assert.Equal(0, during.GetProperty("queues").GetProperty("submissions").GetInt32());
            Assert.Equal(0, during.GetProperty("poison").GetProperty("submissions-poison").GetInt32());
            Assert.InRange(during.GetProperty("runnerCallsInFlight").GetInt32(), 1, 24);
            Assert.True(during.GetProperty("runnerSlots").GetProperty("total").GetInt32() >= 1);

            var batch = await SubmissionFlowTests.PollAsync(http, "/api/batches/" + batchId, ct, seconds: 120);
            Assert.Equal(40, batch.GetProperty("completed").GetInt32());
            using var idle = await http.GetAsync("/api/queue/stats", ct);
            var after = await StackFixture.JsonAsync(idle);
            Assert.Equal(0, after.GetProperty("inFlightByQueue").GetProperty("submissions").GetInt32());
            Assert.Equal(0, after.GetProperty("backlog").GetInt32());

            // (Not the queue's depth here: with this fixture's 3-second reconcile delay, the batch's
            // reconcile pass sends messages for members that waited longer, which then find them
            // taken or ended and come back once after their lease, as they would in a deep queue.)
        }
    }

    [Fact]
    public async Task Batch_IdempotencyKey_RepeatsAtOnceAndLater_OneBatch_EachMemberOnce_DifferentBody422()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await stack.StartFunctionsAsync(LoopbackPorts.Free());
        await using (app)
        using (http)
        {
            var key = Guid.NewGuid().ToString();
            var body = new { submissions = Enumerable.Range(0, 12).Select(i => new { language = "bash", source = $"echo {i}", stdin = "" }) };
            Task<HttpResponseMessage> Post(object content) => StackFixture.PostWithKeyAsync(http, "/api/batches", key, content, ct);

            // Two at once (a client retrying while its first request is still storing the batch), then one later.
            var answers = (await Task.WhenAll(Post(body), Post(body))).ToList();
            answers.Add(await Post(body));
            using var other = await Post(new { submissions = new[] { new { language = "bash", source = "echo other", stdin = "" } } });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
            using (var tooLong = new HttpRequestMessage(HttpMethod.Post, "/api/batches") { Content = JsonContent.Create(body) })
            {
                tooLong.Headers.Add("Idempotency-Key", new string('k', 256));
                using var refused = await http.SendAsync(tooLong, ct);
                Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            }

            var created = new List<JsonElement>();
            foreach (var answer in answers)
            {
                using (answer)
                {
                    Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
                    created.Add(await StackFixture.JsonAsync(answer));
                }
            }

            var batchId = created[0].GetProperty("id").GetString()!;
            var ids = created[0].GetProperty("submissions").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Equal(12, ids.Distinct(StringComparer.Ordinal).Count());
            Assert.All(created, c => Assert.Equal(batchId, c.GetProperty("id").GetString()));
            Assert.All(created, c => Assert.Equal(ids, c.GetProperty("submissions").EnumerateArray().Select(e => e.GetString()!)));

            var batch = await SubmissionFlowTests.PollAsync(http, "/api/batches/" + batchId, ct, seconds: 120);
            Assert.Equal((12, 12), (batch.GetProperty("total").GetInt32(), batch.GetProperty("completed").GetInt32()));
            for (var i = 0; i < ids.Count; i++)
            {
                using var history = await http.GetAsync($"/api/instances/{ids[i]}?showHistory=true", ct);
                var instance = await StackFixture.JsonAsync(history);
                var events = instance.GetProperty("historyEvents").EnumerateArray().Select(e => e.GetProperty("EventType").GetString()).ToList();
                Assert.True(events.Count(e => e == "ExecutionStarted") == 1 && events.Count(e => e == "ExecutionCompleted") == 1, string.Join(",", events));
                using var result = await http.GetAsync("/api/submissions/" + ids[i], ct);
                Assert.Equal($"{i}\n", (await StackFixture.JsonAsync(result)).GetProperty("stdout").GetString()); // each member its own code
            }

            // Listed once each: the repeats wrote the same entries again, not new ones.
            using var page = await http.GetAsync("/api/instances?top=1000", ct);
            var listed = (await StackFixture.JsonAsync(page)).EnumerateArray().Select(e => e.GetProperty("instanceId").GetString()).ToList();
            Assert.All(ids, id => Assert.Equal(1, listed.Count(l => l == id)));
        }
    }

    [Fact]
    public async Task Batch_FunctionsKilledMidway_RestartCompletesEachExactlyOnce()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var port = LoopbackPorts.Free();
        string batchId;
        List<string> ids;
        // The members' ends are written behind for longer than this process lives: the ones that end
        // before the kill are counted only through the batch's check, which records them from their rows.
        var (first, http) = await stack.StartFunctionsAsync(port, new Dictionary<string, string> { ["Workflow__WriteBehindMs"] = "60000" });
        using (http)
        {
            using var accepted = await http.PostAsJsonAsync("/api/batches", new { submissions = Enumerable.Range(0, 40).Select(i => new { language = "bash", source = "sleep 0.3; echo ok", stdin = "" }) }, ct);
            var created = await StackFixture.JsonAsync(accepted);
            batchId = created.GetProperty("id").GetString()!;
            ids = [.. created.GetProperty("submissions").EnumerateArray().Select(e => e.GetString()!)];
            await Task.Delay(1500, ct);
            await first.KillAsync(); // SIGKILL: leases held, messages in flight, no graceful stop
            await first.DisposeAsync();
        }

        var (second, http2) = await stack.StartFunctionsAsync(port);
        await using (second)
        using (http2)
        {
            var batch = await SubmissionFlowTests.PollAsync(http2, "/api/batches/" + batchId, ct, seconds: 180);
            Assert.Equal(40, batch.GetProperty("completed").GetInt32());
            foreach (var id in ids)
            {
                using var history = await http2.GetAsync($"/api/instances/{id}?showHistory=true", ct);
                var events = (await StackFixture.JsonAsync(history)).GetProperty("historyEvents").EnumerateArray().Select(e => e.GetProperty("EventType").GetString()).ToList();
                Assert.True(events.Count(e => e is "ExecutionCompleted" or "ExecutionTerminated") == 1, string.Join(",", events));
            }

            // Every member is listed (their entries were written with the batch, ahead of their rows).
            var listed = await ListedIdsAsync(http2, ids, ct);
            Assert.Empty(ids.Except(listed));
        }
    }

    /// <summary>
    /// Waits (at most a minute) until the run queue holds no message, visible or not, and nothing
    /// runs or waits here. Earlier tests of this class share the storage: a run message their
    /// batch's check sent for a member another worker held comes back once, invisible until that
    /// worker's lease would end (about 15 s with this fixture), and would be counted as depth here.
    /// </summary>
    private static async Task QuietAsync(HttpClient http, CancellationToken ct)
    {
        var began = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.GetAsync("/api/queue/stats", ct);
            var stats = await StackFixture.JsonAsync(response);
            if (stats.GetProperty("queues").GetProperty("submissions").GetInt32() == 0
                && stats.GetProperty("inFlightByQueue").GetProperty("submissions").GetInt32() == 0
                && stats.GetProperty("backlog").GetInt32() == 0)
            {
                return;
            }

            Assert.True(began.Elapsed < TimeSpan.FromMinutes(1), "earlier tests' run messages never left the queue: " + stats);
            await Task.Delay(500, ct);
        }
    }

    /// <summary>The ids that <c>GET /api/instances</c> lists, polled until <paramref name="wanted"/> are all there or a minute has passed.</summary>
    private static async Task<HashSet<string>> ListedIdsAsync(HttpClient http, IReadOnlyCollection<string> wanted, CancellationToken ct)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        var began = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            listed.Clear();
            using var page = await http.GetAsync("/api/instances?top=1000", ct);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            foreach (var instance in (await StackFixture.JsonAsync(page)).EnumerateArray())
            {
                listed.Add(instance.GetProperty("instanceId").GetString()!);
            }

            if (wanted.All(listed.Contains) || began.Elapsed > TimeSpan.FromMinutes(1))
            {
                return listed;
            }

            await Task.Delay(500, ct);
        }
    }

    [Fact]
    public async Task Singles_FunctionsKilledMidway_GroupChecksCompleteEachExactlyOnce()
    {
        // Asynchronous singles send no reconcile check of their own: their ids come from groups whose
        // check was sent first. Killed with some running (leases held) and some waiting on the
        // backlog (no run message), each must still end exactly once, through its group's check.
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var port = LoopbackPorts.Free();
        string[] ids;
        // Their listing entries wait far longer than this process lives: only the groups' checks list them.
        var (first, http) = await stack.StartFunctionsAsync(port, new Dictionary<string, string> { ["Workflow__WriteBehindMs"] = "60000" });
        using (http)
        {
            ids = await Task.WhenAll(Enumerable.Range(0, 30).Select(async _ =>
            {
                using var accepted = await http.PostAsJsonAsync("/api/submissions", new { language = "bash", source = "sleep 0.3; echo ok", stdin = "" }, ct);
                Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
                return (await StackFixture.JsonAsync(accepted)).GetProperty("id").GetString()!;
            }));
            await Task.Delay(1500, ct);
            await first.KillAsync(); // SIGKILL: leases held, backlog lost, no graceful stop
            await first.DisposeAsync();
        }

        var (second, http2) = await stack.StartFunctionsAsync(port);
        await using (second)
        using (http2)
        {
            foreach (var id in ids)
            {
                var done = await SubmissionFlowTests.PollAsync(http2, "/api/submissions/" + id, ct, seconds: 180);
                Assert.Equal("Completed", done.GetProperty("status").GetString());
                using var history = await http2.GetAsync($"/api/instances/{id}?showHistory=true", ct);
                var events = (await StackFixture.JsonAsync(history)).GetProperty("historyEvents").EnumerateArray().Select(e => e.GetProperty("EventType").GetString()).ToList();
                Assert.True(events.Count(e => e is "ExecutionCompleted" or "ExecutionTerminated") == 1, string.Join(",", events));
            }

            // Every one is listed, though the process that accepted them died before writing a single entry.
            var listed = await ListedIdsAsync(http2, ids, ct);
            Assert.Empty(ids.Except(listed));
        }
    }
}
