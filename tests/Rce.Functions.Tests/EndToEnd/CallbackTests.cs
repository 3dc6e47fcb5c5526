using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Rce.Testing;

namespace Rce.Functions.Tests.EndToEnd;

/// <summary>
/// Completion callbacks end to end (real Azurite, runner and Functions process): an allow-listed
/// receiver gets one signed POST with the terminal document; a callback URL that is, or resolves
/// to, a loopback, private or metadata address is refused by the workflow while the submission
/// itself completes normally, and nothing reaches the address.
/// </summary>
public sealed partial class CallbackTests(StackFixture stack) : IClassFixture<StackFixture>
{
    // Per test class, so that the fixture's default secret cannot make a wrong signature verify.
    private const string Secret = "callback-tests-secret-4f1c9a";

    // An allow-list entry that matches nothing here (TEST-NET-1): the refusal tests must run under
    // the default SSRF rules even if the fixture ever starts allow-listing index 0.
    private const string NoUsefulNetwork = "192.0.2.0/24";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Callback_AllowListedReceiver_GetsOneSignedPostWithTheTerminalDocument()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await CallbackReceiver.StartAsync(IPAddress.Loopback);
        var (app, http) = await StartAllowingLoopbackAsync();
        await using (app)
        using (http)
        {
            var id = await SubmitAsync(http, receiver.Url("127.0.0.1", "/hooks/rce?course=c1"), ct);
            var final = await PollAsync(http, id, ct);
            Assert.Equal("CallbackDelivered", await CallbackOutcomeAsync(http, id, ct));
            await Task.Delay(500, ct); // a duplicate would arrive right behind the first

            var callback = Assert.Single(receiver.Received);
            Assert.Equal("POST", callback.Method);
            Assert.Equal("/hooks/rce?course=c1", callback.PathAndQuery);
            Assert.Equal("application/json", callback.ContentType?.Split(';')[0]);

            // X-Rce-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>, computed here
            // independently of the product's CallbackSignature.
            var signature = SignatureFormat().Match(callback.Signature ?? string.Empty);
            Assert.True(signature.Success, $"X-Rce-Signature is '{callback.Signature}'");
            var signedAt = long.Parse(signature.Groups["t"].Value, CultureInfo.InvariantCulture);
            var now = TimeProvider.System.GetUtcNow();
            Assert.InRange(signedAt, now.AddMinutes(-5).ToUnixTimeSeconds(), now.AddMinutes(1).ToUnixTimeSeconds());
            byte[] signed = [.. Encoding.ASCII.GetBytes(signature.Groups["t"].Value + "."), .. callback.Body];
            var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), signed);
            Assert.Equal(Convert.ToHexStringLower(mac), signature.Groups["v1"].Value);

            using var document = JsonDocument.Parse(callback.Body);
            var body = document.RootElement;
            Assert.Equal(id, body.GetProperty("id").GetString());
            Assert.Equal("Completed", body.GetProperty("status").GetString());
            Assert.Equal("AC", body.GetProperty("verdict").GetString());
            Assert.Equal(final.GetProperty("verdict").GetString(), body.GetProperty("verdict").GetString());
            Assert.Equal(final.GetProperty("stdout").GetString(), body.GetProperty("stdout").GetString());
        }
    }

    [Fact]
    public async Task Callback_WaitTrue_AnsweredThenOneCallbackOfTheSameDocument()
    {
        // A waited-for submission is run before it is stored and inserted once, ended, with its
        // callback owed: the callback still goes out, once.
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await CallbackReceiver.StartAsync(IPAddress.Loopback);
        var (app, http) = await StartAllowingLoopbackAsync();
        await using (app)
        using (http)
        {
            var request = new { language = "python", source = "print(input() + '!')", stdin = "hi", callbackUrl = receiver.Url("127.0.0.1", "/hooks/sync").ToString() };
            using var answer = await http.PostAsJsonAsync("/api/submissions?wait=true", request, ct);
            var final = await StackFixture.JsonAsync(answer);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            var id = final.GetProperty("id").GetString()!;
            Assert.Equal("CallbackDelivered", await CallbackOutcomeAsync(http, id, ct));
            await Task.Delay(500, ct);

            var callback = Assert.Single(receiver.Received);
            using var document = JsonDocument.Parse(callback.Body);
            Assert.Equal(id, document.RootElement.GetProperty("id").GetString());
            Assert.Equal("Completed", document.RootElement.GetProperty("status").GetString());
            Assert.Equal(final.GetProperty("stdout").GetString(), document.RootElement.GetProperty("stdout").GetString());
        }
    }

    [Fact]
    public async Task Callback_LoopbackAddressOutsideTheAllowList_IsRefusedAndTheSubmissionCompletes()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;

        // 127.0.0.2 is loopback like the allow-listed 127.0.0.1/32, but not in it: the list is exact.
        await using var receiver = await CallbackReceiver.StartAsync(IPAddress.Parse("127.0.0.2"));
        await AssertRefusedAsync(receiver, receiver.Url("127.0.0.2", "/hook"), "127.0.0.1/32", ct);
    }

    [Fact]
    public async Task Callback_HostNameResolvingToLoopback_IsRefusedAtConnectTime()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;

        // The URL passes every syntactic check at submit time; only the addresses the name resolves
        // to when connecting (127.0.0.1, maybe ::1) reveal the target (the DNS-rebinding window).
        await using var receiver = await CallbackReceiver.StartAsync(IPAddress.Loopback);
        await AssertRefusedAsync(receiver, receiver.Url("localhost", "/hook"), NoUsefulNetwork, ct);
    }

    [Fact]
    public async Task Callback_CloudMetadataEndpoint_IsRefused()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await CallbackReceiver.StartAsync(IPAddress.Loopback);

        await AssertRefusedAsync(receiver, new Uri("http://169.254.169.254/metadata/instance?api-version=2021-02-01"), NoUsefulNetwork, ct);
    }

    /// <summary>The app with callbacks to 127.0.0.1 allowed (where the receivers listen) and this class's secret.</summary>
    private Task<(ServiceProcess Process, HttpClient Http)> StartAllowingLoopbackAsync() =>
        stack.StartFunctionsAsync(LoopbackPorts.Free(), new Dictionary<string, string>
        {
            ["Callbacks__AllowedNetworks__0"] = "127.0.0.1/32",
            ["Callbacks__Secret"] = Secret,
        });

    private async Task AssertRefusedAsync(CallbackReceiver receiver, Uri callbackUrl, string allowedNetwork, CancellationToken ct)
    {
        var (app, http) = await stack.StartFunctionsAsync(LoopbackPorts.Free(), new Dictionary<string, string>
        {
            ["Callbacks__AllowedNetworks__0"] = allowedNetwork,
            ["Callbacks__Secret"] = Secret,
        });
        await using (app)
        using (http)
        {
            // Accepted: whether an address is reachable is decided when connecting, not from the URL.
            var id = await SubmitAsync(http, callbackUrl, ct);
            var final = await PollAsync(http, id, ct);
            Assert.Equal("Completed", final.GetProperty("status").GetString());
            Assert.Equal("AC", final.GetProperty("verdict").GetString());

            // Refused is final: no retry is scheduled, and nothing connected to the receiver.
            Assert.Equal("CallbackRefused", await CallbackOutcomeAsync(http, id, ct));
            await Task.Delay(500, ct);
            Assert.Empty(receiver.Received);
            Assert.Equal(0, receiver.Connections);
        }
    }

    private static async Task<string> SubmitAsync(HttpClient http, Uri callbackUrl, CancellationToken ct)
    {
        var request = new { language = "python", source = "print(input() + '!')", stdin = "hi", callbackUrl = callbackUrl.ToString() };
        using var accepted = await http.PostAsJsonAsync("/api/submissions", request, ct);
        var text = await accepted.Content.ReadAsStringAsync(ct);
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, $"{(int)accepted.StatusCode}: {text}");
        using var body = JsonDocument.Parse(text);
        return body.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> PollAsync(HttpClient http, string id, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        while (started.Elapsed < Bound)
        {
            using var answer = await http.GetAsync("/api/submissions/" + id, ct);
            var body = await StackFixture.JsonAsync(answer);
            if (body.GetProperty("status").GetString() is "Completed" or "Failed" or "Terminated")
            {
                return body;
            }

            await Task.Delay(100, ct);
        }

        Assert.Fail($"submission {id} did not end within {Bound.TotalSeconds:F0} s");
        return default;
    }

    /// <summary>The first Callback* event of the submission's history (the workflow records every final outcome).</summary>
    private static async Task<string> CallbackOutcomeAsync(HttpClient http, string id, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        while (started.Elapsed < Bound)
        {
            using var answer = await http.GetAsync($"/api/instances/{id}?showHistory=true", ct);
            var history = (await StackFixture.JsonAsync(answer)).GetProperty("historyEvents");
            var outcome = history.EnumerateArray().Select(e => e.GetProperty("EventType").GetString()).FirstOrDefault(e => e?.StartsWith("Callback", StringComparison.Ordinal) == true);
            if (outcome is not null)
            {
                return outcome;
            }

            await Task.Delay(100, ct);
        }

        Assert.Fail($"no callback outcome in the history of {id} within {Bound.TotalSeconds:F0} s");
        return string.Empty;
    }

    [GeneratedRegex("^t=(?<t>[0-9]+),v1=(?<v1>[0-9a-f]{64})$")]
    private static partial Regex SignatureFormat();
}

/// <summary>What a callback receiver saw of one request.</summary>
internal sealed record ReceivedCallback(string Method, string PathAndQuery, string? ContentType, string? Signature, byte[] Body);

/// <summary>A Kestrel receiver on a loopback address and an OS-chosen port that records every request (and connection).</summary>
internal sealed class CallbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedCallback> _received = new();
    private int _connections;

    private CallbackReceiver(WebApplication app) => _app = app;

    public IReadOnlyList<ReceivedCallback> Received => [.. _received];

    /// <summary>TCP connections accepted, requests or not.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public int Port { get; private set; }

    public static async Task<CallbackReceiver> StartAsync(IPAddress address)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        CallbackReceiver? receiver = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, 0, listen => listen.Use(next => connection =>
        {
            Interlocked.Increment(ref receiver!._connections);
            return next(connection);
        })));
        var app = builder.Build();
        receiver = new CallbackReceiver(app);
        app.Run(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            receiver._received.Enqueue(new ReceivedCallback(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.ContentType,
                context.Request.Headers["X-Rce-Signature"].SingleOrDefault(),
                buffer.ToArray()));
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        });
        await app.StartAsync();
        receiver.Port = new Uri(app.Urls.Single()).Port;
        return receiver;
    }

    public Uri Url(string host, string pathAndQuery) => new($"http://{host}:{Port}{pathAndQuery}");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
