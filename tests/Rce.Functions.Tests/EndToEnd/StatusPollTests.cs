using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Rce.Testing;

namespace Rce.Functions.Tests.EndToEnd;

/// <summary>
/// <c>GET /api/submissions/{id}</c> waiting for the end: held briefly by default for a submission
/// the process runs (<c>Api__StatusHoldMs</c>), and up to a bound with <c>?wait=true</c>.
/// </summary>
public sealed class StatusPollTests(StackFixture stack) : IClassFixture<StackFixture>
{
    [Fact]
    public async Task Poll_WaitTrue_AnsweredWhenItEnds_DefaultPollHeldBriefly_BadBounds400()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await stack.StartFunctionsAsync(LoopbackPorts.Free());
        await using (app)
        using (http)
        {
            // ?wait=true: asked at once, answered 200 with the result when the run ends (~1 s), not at the bound.
            var quick = await SubmitAsync(http, "sleep 1; echo ok", ct);
            var clock = Stopwatch.StartNew();
            using (var waited = await http.GetAsync($"/api/submissions/{quick}?wait=true&timeout=60", ct))
            {
                Assert.Equal(HttpStatusCode.OK, waited.StatusCode);
                var body = await StackFixture.JsonAsync(waited);
                Assert.Equal("Completed", body.GetProperty("status").GetString());
                Assert.Equal("ok\n", body.GetProperty("stdout").GetString());
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"answered after {clock.Elapsed}");

            // A plain poll of a run this process is running is held (500 ms by default), then answered 202.
            var slow = await SubmitAsync(http, "sleep 5; echo ok", ct);
            clock.Restart();
            using (var held = await http.GetAsync($"/api/submissions/{slow}", ct))
            {
                Assert.Equal(HttpStatusCode.Accepted, held.StatusCode);
                Assert.Equal(TimeSpan.FromSeconds(1), held.Headers.RetryAfter?.Delta);
                Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(400), $"answered after {clock.Elapsed}: not held");
            }

            // ?wait=true with a short bound: 202 at the bound, still running.
            clock.Restart();
            using (var bounded = await http.GetAsync($"/api/submissions/{slow}?wait=true&timeout=1", ct))
            {
                Assert.Equal(HttpStatusCode.Accepted, bounded.StatusCode);
                Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"answered after {clock.Elapsed}: not waited");
            }

            foreach (var query in new[] { "?wait=true&timeout=0", "?wait=true&timeout=201", "?timeout=-1" })
            {
                using var bad = await http.GetAsync($"/api/submissions/{slow}{query}", ct);
                Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
                Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
            }

            using var unknown = await http.GetAsync($"/api/submissions/{new string('0', 32)}?wait=true&timeout=5", ct);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
    }

    private static async Task<string> SubmitAsync(HttpClient http, string script, CancellationToken ct)
    {
        using var accepted = await http.PostAsJsonAsync("/api/submissions", new { language = "bash", source = script, stdin = "" }, ct);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        return (await StackFixture.JsonAsync(accepted)).GetProperty("id").GetString()!;
    }
}
