using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rce.Infrastructure.Tests.Callbacks;

/// <summary>A real HTTP/1.1 responder on 127.0.0.1 (TcpListener, port 0): records each request, answers a fixed response.</summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackHttpServer(int status = 200, string extraHeaders = "")
    {
        _response = $"HTTP/1.1 {status} X\r\n{extraHeaders}Content-Length: 0\r\nConnection: close\r\n\r\n";
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Url(string path = "/hook") => new($"http://127.0.0.1:{Port}{path}");

    /// <summary>Connections accepted, even those that sent nothing.</summary>
    public int Connections;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref Connections);
                await using var stream = client.GetStream();
                Requests.Enqueue(await ReadAsync(stream));
                await stream.WriteAsync(Encoding.ASCII.GetBytes(_response), _stop.Token);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Stopped: the listener throws whichever exception it likes once Stop() ran.
        }
    }

    private async Task<ReceivedRequest> ReadAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        int end;
        while ((end = IndexOfHeaderEnd(buffer)) < 0)
        {
            var read = await stream.ReadAsync(chunk, _stop.Token);
            if (read == 0)
            {
                throw new IOException("connection closed in headers");
            }

            buffer.AddRange(chunk.AsSpan(0, read));
        }

        var lines = Encoding.ASCII.GetString(buffer.ToArray(), 0, end).Split("\r\n");
        var headers = lines.Skip(1).Select(line => line.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var length = int.Parse(headers.GetValueOrDefault("Content-Length", "0"), System.Globalization.CultureInfo.InvariantCulture);
        var body = buffer.Skip(end + 4).ToList();
        while (body.Count < length)
        {
            var read = await stream.ReadAsync(chunk, _stop.Token);
            if (read == 0)
            {
                break;
            }

            body.AddRange(chunk.AsSpan(0, read));
        }

        return new ReceivedRequest(lines[0], headers, [.. body]);
    }

    private static int IndexOfHeaderEnd(List<byte> buffer)
    {
        for (var i = 0; i + 3 < buffer.Count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}

internal sealed record ReceivedRequest(string RequestLine, Dictionary<string, string> Headers, byte[] Body);
