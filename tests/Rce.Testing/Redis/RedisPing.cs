using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rce.Testing;

/// <summary>
/// The smallest Redis conversation, for readiness checks without a client library: an inline
/// <c>PING</c>, answered <c>+PONG</c> or, when the default user is disabled, <c>-NOAUTH …</c> (which
/// also means the server is up).
/// </summary>
public static class RedisPing
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    /// <summary>Whether a Redis server answers on 127.0.0.1:<paramref name="port"/> within a second.</summary>
    /// <param name="port">The port.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>True when the server answered PONG or NOAUTH.</returns>
    public static async Task<bool> AnswersAsync(int port, CancellationToken cancellationToken = default)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(Timeout);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, bound.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), bound.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, bound.Token);
            var answer = Encoding.ASCII.GetString(buffer, 0, read);
            return answer.StartsWith("+PONG", StringComparison.Ordinal) || answer.StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (Exception error) when (error is SocketException or IOException || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }
}
