using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Rce.Testing;

namespace Rce.Functions.Tests.EndToEnd;

/// <summary>The API end to end: real Azurite, real runner, the Functions app as a real self-hosted process.</summary>
public sealed class SubmissionFlowTests(StackFixture stack) : IClassFixture<StackFixture>
{
    private static readonly object Hello = new { language = "python", source = "print(input() + '!')", stdin = "hi" };

    [Fact]
    public async Task Sync_WaitTrue_Answers200WithTheResult()
    {
        stack.Require();
        var port = LoopbackPorts.Free();
        var (app, http) = await stack.StartFunctionsAsync(port);
        await using (app)
        using (http)
        {
            using var answer = await http.PostAsJsonAsync("/api/submissions?wait=true", Hello, TestContext.Current.CancellationToken);
            var body = await StackFixture.JsonAsync(answer);

            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("Completed", body.GetProperty("status").GetString());
            Assert.Equal("AC", body.GetProperty("verdict").GetString());
            Assert.Equal("hi!\n", body.GetProperty("stdout").GetString());
            Assert.Equal(0, body.GetProperty("exitCode").GetInt32());
        }
    }

    [Fact]
    public async Task Sync_RunningPastTheStoreTime_ListedRunningWhileItRuns_Then200()
    {
        // A wait=true submission run at once is stored when it ends, or after Workflow:SyncStoreAfterMs
        // (2 s by default) if it still runs: from then on it is listed Running like any other.
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await stack.StartFunctionsAsync(LoopbackPorts.Free());
        await using (app)
        using (http)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await stack.CreateKeyAsync("sync" + Guid.NewGuid().ToString("N")[..8], Rce.Core.Tenancy.ApiKeyRoles.Submit | Rce.Core.Tenancy.ApiKeyRoles.Read));
            var post = http.PostAsJsonAsync("/api/submissions?wait=true", new { language = "bash", source = "sleep 4; echo done", stdin = string.Empty }, ct);
            var listedRunning = new HashSet<string>();
            while (!post.IsCompleted)
            {
                using var page = await http.GetAsync("/api/instances?runtimeStatus=Running", ct);
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                listedRunning.UnionWith((await StackFixture.JsonAsync(page)).EnumerateArray().Select(e => e.GetProperty("instanceId").GetString()!));
                await Task.Delay(200, ct);
            }

            using var answer = await post;
            var body = await StackFixture.JsonAsync(answer);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("Completed", body.GetProperty("status").GetString());
            Assert.Equal("done\n", body.GetProperty("stdout").GetString());
            Assert.Equal([body.GetProperty("id").GetString()!], listedRunning);
        }
    }

    [Fact]
    public async Task Async_202ThenPollUntil200_WithPerTestResults()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await stack.StartFunctionsAsync(LoopbackPorts.Free());
        await using (app)
        using (http)
        {
            var request = new
            {
                language = "python",
                source = "print(int(input()) * 2)",
                tests = new[] { new { id = "a", input = "2", expectedOutput = "4" }, new { id = "b", input = "3", expectedOutput = "7" } },
                metadata = new { userId = "u1", courseId = "c1" },
            };
            using var accepted = await http.PostAsJsonAsync("/api/submissions", request, ct);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            var id = (await StackFixture.JsonAsync(accepted)).GetProperty("id").GetString()!;
            Assert.EndsWith("/api/submissions/" + id, accepted.Headers.Location!.ToString());

            var body = await PollAsync(http, "/api/submissions/" + id, ct);
            Assert.Equal("WA", body.GetProperty("verdict").GetString());
            Assert.Equal(2, body.GetProperty("tests").GetArrayLength());
            Assert.Equal("AC", body.GetProperty("tests")[0].GetProperty("verdict").GetString());
            Assert.Equal("WA", body.GetProperty("tests")[1].GetProperty("verdict").GetString());
            Assert.Equal("u1", body.GetProperty("metadata").GetProperty("userId").GetString());

            using var unknown = await http.GetAsync("/api/submissions/" + new string('0', 32), ct);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

            using var history = await http.GetAsync($"/api/instances/{id}?showHistory=true", ct);
            var events = (await StackFixture.JsonAsync(history)).GetProperty("historyEvents").EnumerateArray().Select(e => e.GetProperty("EventType").GetString()).ToList();
            Assert.Equal(1, events.Count(e => e == "ExecutionCompleted"));
            Assert.Contains("ExecutionStarted", events);
        }
    }

    [Theory]
    [InlineData("{not json", HttpStatusCode.BadRequest)]
    [InlineData("{\"language\":\"python\",\"source\":42}", HttpStatusCode.BadRequest)]
    [InlineData("{\"language\":\"cobol-77\",\"source\":\"x\"}", HttpStatusCode.BadRequest)]
    [InlineData("{\"language\":\"python\",\"source\":\"x\",\"limits\":{\"cpuTimeMs\":99999999}}", HttpStatusCode.BadRequest)]
    [InlineData("{\"language\":\"python\",\"source\":\"x\",\"priority\":\"urgent\"}", HttpStatusCode.BadRequest)]
    [InlineData("{\"language\":\"python\",\"source\":\"x\",\"timeLimit\":1}", HttpStatusCode.BadRequest)]
    [InlineData("OVERSIZE", HttpStatusCode.RequestEntityTooLarge)]
    public async Task Malformed_Requests_Are4xxProblems(string body, HttpStatusCode expected)
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await stack.StartFunctionsAsync(LoopbackPorts.Free());
        await using (app)
        using (http)
        {
            if (body == "OVERSIZE")
            {
                body = JsonSerializer.Serialize(new { language = "python", source = new string('#', 2 << 20) });
            }

            using var answer = await http.PostAsync("/api/submissions", new StringContent(body, Encoding.UTF8, "application/json"), ct);

            Assert.Equal(expected, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task IdempotencyKey_SameBodySameSubmission_DifferentBody422()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await stack.StartFunctionsAsync(LoopbackPorts.Free());
        await using (app)
        using (http)
        {
            var key = Guid.NewGuid().ToString();
            Task<HttpResponseMessage> Post(object body) => StackFixture.PostWithKeyAsync(http, "/api/submissions", key, body, ct);

            using var first = await Post(Hello);
            using var second = await Post(Hello);
            using var other = await Post(new { language = "python", source = "print(1)" });

            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            Assert.Equal(first.StatusCode, second.StatusCode);
            Assert.Equal((await StackFixture.JsonAsync(first)).GetProperty("id").GetString(), (await StackFixture.JsonAsync(second)).GetProperty("id").GetString());
            Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        }
    }

    [Fact]
    public async Task IdempotencyKey_RetriedWhileTheFirstRunsUnstored_WaitsForIt_RunsItOnce()
    {
        // A waited-for submission runs before it is stored (for up to 2 s here, the default): a
        // retry with its key meanwhile finds no row, yet must not run the code a second time.
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await stack.StartFunctionsAsync(LoopbackPorts.Free());
        await using (app)
        using (http)
        {
            var key = Guid.NewGuid().ToString();
            var body = new { language = "bash", source = "sleep 3; echo once", stdin = "" };
            Task<HttpResponseMessage> Post() => StackFixture.PostWithKeyAsync(http, "/api/submissions?wait=true", key, body, ct);

            var first = Post();
            var busiest = 0;
            while (!first.IsCompleted) // one runner call at a time, at most, from here on
            {
                using var stats = await http.GetAsync("/api/queue/stats", ct);
                busiest = Math.Max(busiest, (await StackFixture.JsonAsync(stats)).GetProperty("runnerCallsInFlight").GetInt32());
                if (busiest > 0)
                {
                    break;
                }

                await Task.Delay(20, ct);
            }

            var retry = Post(); // the first is running, not stored yet
            while (!retry.IsCompleted)
            {
                using var stats = await http.GetAsync("/api/queue/stats", ct);
                busiest = Math.Max(busiest, (await StackFixture.JsonAsync(stats)).GetProperty("runnerCallsInFlight").GetInt32());
                await Task.Delay(50, ct);
            }

            using var firstAnswer = await first;
            using var retryAnswer = await retry;
            Assert.Equal(HttpStatusCode.OK, firstAnswer.StatusCode);
            Assert.Equal(HttpStatusCode.OK, retryAnswer.StatusCode); // it waited for the end as the first did
            var (a, b) = (await StackFixture.JsonAsync(firstAnswer), await StackFixture.JsonAsync(retryAnswer));
            Assert.Equal(a.GetProperty("id").GetString(), b.GetProperty("id").GetString());
            Assert.Equal("once\n", b.GetProperty("stdout").GetString());
            Assert.Equal(1, busiest);
        }
    }

    [Fact]
    public async Task Terminate_ARunningSubmission_EndsTerminatedAndGoneAfter()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await stack.StartFunctionsAsync(LoopbackPorts.Free());
        await using (app)
        using (http)
        {
            using var accepted = await http.PostAsJsonAsync("/api/submissions", new { language = "bash", source = "sleep 4", stdin = "" }, ct);
            var id = (await StackFixture.JsonAsync(accepted)).GetProperty("id").GetString()!;

            using var terminate = await http.PostAsync($"/api/instances/{id}/terminate?reason=teacher", null, ct);
            Assert.Equal(HttpStatusCode.Accepted, terminate.StatusCode);
            using var again = await http.PostAsync($"/api/instances/{id}/terminate", null, ct);
            Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
            using (var right = await http.GetAsync("/api/submissions/" + id, ct))
            {
                // At once: the status answer may come from this process's last write, and the terminate is one.
                Assert.Equal(HttpStatusCode.OK, right.StatusCode);
                Assert.Equal("Terminated", (await StackFixture.JsonAsync(right)).GetProperty("status").GetString());
            }

            await Task.Delay(5000, ct); // the runner's answer arrives after the terminate and must not overwrite it
            var body = await PollAsync(http, "/api/submissions/" + id, ct);
            Assert.Equal("Terminated", body.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, body.GetProperty("verdict").ValueKind);

            using var purge = await http.DeleteAsync($"/api/instances/{id}", ct);
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
            using var gone = await http.GetAsync("/api/submissions/" + id, ct);
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
    }

    [Fact]
    public async Task RunnerAlwaysDown_EndsFailedWithInternalError_NothingStuck()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var dead = LoopbackPorts.Free();
        var (app, http) = await stack.StartFunctionsAsync(LoopbackPorts.Free(), new Dictionary<string, string>
        {
            ["Runners__Endpoints__0__BaseUrl"] = $"http://127.0.0.1:{dead}",
            ["Workflow__MaxAttempts"] = "3",
            ["Runners__RetryCount"] = "0",
        });
        await using (app)
        using (http)
        {
            // No runner answers, so the language cannot be checked: the submission is accepted and must still end.
            using var accepted = await http.PostAsJsonAsync("/api/submissions", Hello, ct);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            var id = (await StackFixture.JsonAsync(accepted)).GetProperty("id").GetString()!;

            var body = await PollAsync(http, "/api/submissions/" + id, ct);
            Assert.Equal("Failed", body.GetProperty("status").GetString());
            Assert.Equal("IE", body.GetProperty("verdict").GetString());
            Assert.Equal(3, body.GetProperty("attempts").GetInt32());
            Assert.Contains("runner", body.GetProperty("reason").GetString(), StringComparison.Ordinal);

            using var health = await http.GetAsync("/api/health", ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        }
    }

    internal static async Task<JsonElement> PollAsync(HttpClient http, string path, CancellationToken ct, int seconds = 60)
    {
        var start = System.Diagnostics.Stopwatch.StartNew();
        while (start.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            using var answer = await http.GetAsync(path, ct);
            if (answer.StatusCode == HttpStatusCode.OK)
            {
                return await StackFixture.JsonAsync(answer);
            }

            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
            await Task.Delay(200, ct);
        }

        Assert.Fail($"{path} did not end within {seconds} s");
        return default;
    }

    [Fact]
    public async Task Instances_ListedNewestFirst_PagedByContinuation_ForeignTokens400()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await stack.StartFunctionsAsync(LoopbackPorts.Free());
        await using (app)
        using (http)
        {
            // A tenant of its own, so that other tests' submissions do not appear in the listing.
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await stack.CreateKeyAsync("list" + Guid.NewGuid().ToString("N")[..8], Rce.Core.Tenancy.ApiKeyRoles.Submit | Rce.Core.Tenancy.ApiKeyRoles.Read));
            var ids = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                using var accepted = await http.PostAsJsonAsync("/api/submissions", Hello, ct);
                ids.Add((await StackFixture.JsonAsync(accepted)).GetProperty("id").GetString()!);
            }

            var seen = new List<string>();
            string? token = null;
            do
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/instances?top=2");
                if (token is not null)
                {
                    request.Headers.Add("x-ms-continuation-token", token);
                }

                using var page = await http.SendAsync(request, ct);
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                var items = (await StackFixture.JsonAsync(page)).EnumerateArray().Select(e => e.GetProperty("instanceId").GetString()!).ToList();
                Assert.True(items.Count <= 2);
                seen.AddRange(items);
                token = page.Headers.TryGetValues("x-ms-continuation-token", out var values) ? values.Single() : null;
            }
            while (!string.IsNullOrEmpty(token) && seen.Count < 10);

            Assert.Equal(Enumerable.Reverse(ids), seen);

            using var forged = new HttpRequestMessage(HttpMethod.Get, "/api/instances?top=2");
            forged.Headers.Add("x-ms-continuation-token", "not-a-token");
            using var refused = await http.SendAsync(forged, ct);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
    }
}
