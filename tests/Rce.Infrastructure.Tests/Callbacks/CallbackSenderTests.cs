using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rce.Core.Callbacks;
using Rce.Infrastructure.Callbacks;

namespace Rce.Infrastructure.Tests.Callbacks;

/// <summary>Against real loopback listeners: the handler's connect-time checks are the path under test.</summary>
public sealed class CallbackSenderTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("callback-secret-0123456789");
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"s1","verdict":"AC"}""");
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SendAsync_LoopbackByDefault_RefusedAndNothingReceived()
    {
        await using var server = new LoopbackHttpServer();
        using var client = Client([]);

        var result = await client.Sender.SendAsync(server.Url(), Body, Secret, Ct);

        Assert.Equal(CallbackOutcome.Refused, result.Outcome);
        Assert.Contains("127.0.0.1", result.Detail, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task SendAsync_AllowListedLoopback_DeliversVerifiableSignedJson()
    {
        await using var server = new LoopbackHttpServer();
        using var client = Client(["127.0.0.1/32"]);

        var result = await client.Sender.SendAsync(server.Url(), Body, Secret, Ct);

        Assert.Equal(new CallbackResult(CallbackOutcome.Delivered, 200), result);
        var received = Assert.Single(server.Requests);
        Assert.Equal("POST /hook HTTP/1.1", received.RequestLine);
        Assert.Equal("application/json", received.Headers["Content-Type"]);
        Assert.Equal(Body, received.Body);
        var signature = received.Headers[CallbackSignature.HeaderName];
        Assert.StartsWith("t=" + Now.ToUnixTimeSeconds() + ",", signature, StringComparison.Ordinal);
        Assert.True(CallbackSignature.Verify(Secret, signature, received.Body, Now.ToUnixTimeSeconds(), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task SendAsync_Redirect_NotFollowed()
    {
        await using var target = new LoopbackHttpServer();
        await using var server = new LoopbackHttpServer(302, $"Location: {target.Url()}\r\n");
        using var client = Client(["127.0.0.1/32"]);

        var result = await client.Sender.SendAsync(server.Url(), Body, Secret, Ct);

        Assert.Equal(new CallbackResult(CallbackOutcome.HttpStatus, 302), result);
        Assert.Single(server.Requests);
        Assert.Equal(0, target.Connections);
    }

    [Fact]
    public async Task SendAsync_ErrorStatus_Returned()
    {
        await using var server = new LoopbackHttpServer(500);
        using var client = Client(["127.0.0.1/32"]);

        var result = await client.Sender.SendAsync(server.Url(), Body, Secret, Ct);

        Assert.Equal(new CallbackResult(CallbackOutcome.HttpStatus, 500), result);
    }

    [Fact]
    public async Task SendAsync_LocalhostName_RefusedAfterResolution()
    {
        await using var server = new LoopbackHttpServer();
        using var client = Client([]);

        var result = await client.Sender.SendAsync(new Uri($"http://localhost:{server.Port}/hook"), Body, Secret, Ct);

        Assert.Equal(CallbackOutcome.Refused, result.Outcome);
        Assert.Contains("localhost", result.Detail, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task SendAsync_BracketedIpv6Loopback_Refused()
    {
        using var client = Client([]);

        var result = await client.Sender.SendAsync(new Uri("http://[::1]:9/hook"), Body, Secret, Ct);

        Assert.Equal(CallbackOutcome.Refused, result.Outcome);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/hook")]
    [InlineData("file:///etc/passwd")]
    public async Task SendAsync_NonHttpScheme_Refused(string url)
    {
        using var client = Client(["127.0.0.1/32"]);

        var result = await client.Sender.SendAsync(new Uri(url), Body, Secret, Ct);

        Assert.Equal(CallbackOutcome.Refused, result.Outcome);
    }

    [Fact]
    public async Task SendAsync_ClosedPort_TransportError()
    {
        int port;
        await using (var closed = new LoopbackHttpServer())
        {
            port = closed.Port;
        }

        using var client = Client(["127.0.0.1/32"]);

        var result = await client.Sender.SendAsync(new Uri($"http://127.0.0.1:{port}/hook"), Body, Secret, Ct);

        Assert.Equal(CallbackOutcome.TransportError, result.Outcome);
    }

    [Fact]
    public async Task ConnectAsync_RebindingAnswerWithMetadataAddress_Refused()
    {
        // The resolver is the only stand-in: a name answering a public and the metadata address at connect time.
        var policy = new CallbackAddressPolicy([]);
        var resolve = (string _, CancellationToken _) => new ValueTask<IPAddress[]>([IPAddress.Parse("8.8.8.8"), IPAddress.Parse("169.254.169.254")]);

        var error = await Assert.ThrowsAsync<CallbackAddressRefusedException>(async () =>
            await CallbackHttpHandler.ConnectAsync(policy, resolve, new DnsEndPoint("rebind.example", 80), Ct));

        Assert.Equal(IPAddress.Parse("169.254.169.254"), error.Address);
    }

    [Fact]
    public async Task ConnectAsync_NoAddress_Refused()
    {
        var resolve = (string _, CancellationToken _) => new ValueTask<IPAddress[]>([]);

        await Assert.ThrowsAsync<CallbackAddressRefusedException>(async () =>
            await CallbackHttpHandler.ConnectAsync(new CallbackAddressPolicy([]), resolve, new DnsEndPoint("empty.example", 80), Ct));
    }

    private static TestClient Client(string[] allowed) => new(allowed);

    private sealed class TestClient : IDisposable
    {
        private readonly HttpClient _http;

        public TestClient(string[] allowed)
        {
            var policy = CallbackAddressPolicy.FromOptions(new CallbackOptions { AllowedNetworks = allowed });
            _http = new HttpClient(CallbackHttpHandler.Create(policy)) { Timeout = TimeSpan.FromSeconds(10) };
            Sender = new CallbackSender(_http, new FakeTimeProvider(Now), NullLogger<CallbackSender>.Instance);
        }

        public CallbackSender Sender { get; }

        public void Dispose() => _http.Dispose();
    }
}
