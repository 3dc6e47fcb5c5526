using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rce.Cli.Commands;

/// <summary>The local Redis of <c>rce up</c>: Debian's redis-server on a loopback port, without persistence.</summary>
internal static class LocalRedis
{
    /// <summary>Debian's Redis server (package redis-server, installed by ./rce).</summary>
    internal const string Server = "/usr/bin/redis-server";

    /// <summary>Starts redis-server on <paramref name="port"/> of 127.0.0.1, in the foreground, with no dump file (rate-limit windows and in-flight sets are meant to expire).</summary>
    internal static Process Start(int port, Action<string> output) =>
        ChildProcesses.Start(Server, ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"], new Dictionary<string, string>(), output);

    /// <summary>Ready once Redis answers an inline <c>PING</c> with <c>+PONG</c> (it accepts connections before it serves).</summary>
    internal static async Task<bool> WaitReadyAsync(Process redis, int port, CancellationToken cancellationToken)
    {
        while (!redis.HasExited && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var client = new TcpClient();
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                await client.ConnectAsync(IPAddress.Loopback, port, attempt.Token).ConfigureAwait(false);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), attempt.Token).ConfigureAwait(false);
                var answer = new byte[7];
                var read = await stream.ReadAtLeastAsync(answer, answer.Length, throwOnEndOfStream: false, attempt.Token).ConfigureAwait(false);
                if (answer.AsSpan(0, read).SequenceEqual("+PONG\r\n"u8))
                {
                    return true;
                }
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
            }

            try
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }
}
