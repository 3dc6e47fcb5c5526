using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Rce.Infrastructure.Tests.Runners;

/// <summary>
/// Stands in for runners in unit tests: answers per port through a delegate and records what it
/// was sent. Requests to <see cref="RealPorts"/> go to a real socket handler instead, so a closed
/// port gives a genuine "connection refused".
/// </summary>
internal sealed class FakeRunnerHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
{
    private readonly HttpMessageInvoker _real = new(new SocketsHttpHandler());

    public ConcurrentQueue<(Uri Uri, string? Authorization, string? ContentType, byte[] Body)> Requests { get; } = new();

    public HashSet<int> RealPorts { get; } = [];

    public int CallsTo(int port) => Requests.Count(r => r.Uri.Port == port);

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        Requests.Enqueue((request.RequestUri!, request.Headers.Authorization?.ToString(), request.Content?.Headers.ContentType?.MediaType, body));
        if (RealPorts.Contains(request.RequestUri!.Port))
        {
            return await _real.SendAsync(request, cancellationToken);
        }

        return await answer(request, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _real.Dispose();
        }

        base.Dispose(disposing);
    }
}
