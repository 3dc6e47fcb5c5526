using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Rce.Testing;

namespace Rce.Functions.Tests.EndToEnd;

/// <summary>
/// Request bodies without Content-Length (<c>Transfer-Encoding: chunked</c>) in self-hosted mode:
/// read whole and run, and bounded by <c>Api__MaxRequestBytes</c> with a 413 problem while the
/// client is still sending (not a 500, not a hang). Hosted mode differs: the Functions host forwards
/// a body only with a Content-Length (custom-handler reference §6), see docs/deploy.md.
/// </summary>
public sealed class ChunkedBodyTests(StackFixture stack) : IClassFixture<StackFixture>
{
    private const int MaxRequestBytes = 64 * 1024;

    [Fact]
    public async Task Submit_ChunkedWithoutContentLength_Is202AndRunsTheWholeBody()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await stack.StartFunctionsAsync(LoopbackPorts.Free());
        await using (app)
        using (http)
        {
            // Seven-byte chunks: the JSON is split inside names and strings.
            var body = JsonSerializer.SerializeToUtf8Bytes(new { language = "python", source = "print(input() + '!')", stdin = "chunked" });
            using var request = Chunked(body, chunkBytes: 7);

            using var accepted = await http.SendAsync(request, ct);

            var text = await accepted.Content.ReadAsStringAsync(ct);
            Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, $"{(int)accepted.StatusCode}: {text}");
            var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
            var final = await PollAsync(http, id, ct);
            Assert.Equal("AC", final.GetProperty("verdict").GetString());
            Assert.Equal("chunked!\n", final.GetProperty("stdout").GetString());
        }
    }

    [Fact]
    public async Task Submit_OversizeChunkedBody_Is413ProblemNotA500NorAHang()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await stack.StartFunctionsAsync(LoopbackPorts.Free(), new Dictionary<string, string>
        {
            ["Api__MaxRequestBytes"] = MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await using (app)
        using (http)
        {
            // 16 times the limit, so that the server must answer before the client has finished.
            var body = JsonSerializer.SerializeToUtf8Bytes(new { language = "python", source = new string('#', 16 * MaxRequestBytes) });
            using var request = Chunked(body, chunkBytes: 16 * 1024);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bounded.CancelAfter(TimeSpan.FromSeconds(30));

            HttpResponseMessage answer;
            try
            {
                answer = await http.SendAsync(request, bounded.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail("no answer within 30 s to an oversize chunked body");
                throw;
            }

            using (answer)
            {
                var text = await answer.Content.ReadAsStringAsync(ct);
                Assert.True(answer.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)answer.StatusCode}: {text}");
                Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
                Assert.Equal(413, JsonDocument.Parse(text).RootElement.GetProperty("status").GetInt32());
            }

            // The app is still serving.
            using var live = await http.GetAsync("/api/health/live", ct);
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }
    }

    private static HttpRequestMessage Chunked(byte[] body, int chunkBytes)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/submissions") { Content = new ChunkedContent(body, chunkBytes) };
        request.Headers.TransferEncodingChunked = true;
        Assert.Null(request.Content.Headers.ContentLength);
        return request;
    }

    private static async Task<JsonElement> PollAsync(HttpClient http, string id, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        while (started.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var answer = await http.GetAsync("/api/submissions/" + id, ct);
            var body = await StackFixture.JsonAsync(answer);
            if (body.GetProperty("status").GetString() is "Completed" or "Failed" or "Terminated")
            {
                return body;
            }

            await Task.Delay(100, ct);
        }

        Assert.Fail($"submission {id} did not end within 60 s");
        return default;
    }

    /// <summary>A body of unknown length, written and flushed chunk by chunk (so sent chunked, never with Content-Length).</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _body;
        private readonly int _chunkBytes;

        public ChunkedContent(byte[] body, int chunkBytes)
        {
            _body = body;
            _chunkBytes = chunkBytes;
            Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = Encoding.UTF8.WebName };
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            for (var offset = 0; offset < _body.Length; offset += _chunkBytes)
            {
                await stream.WriteAsync(_body.AsMemory(offset, Math.Min(_chunkBytes, _body.Length - offset)), cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
