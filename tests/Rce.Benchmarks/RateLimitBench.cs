using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Rce.Benchmarks;

/// <summary>
/// Latency of one rate-limit check: the limiter's Lua script (read from
/// <c>functions/Rce.Infrastructure/Redis/RateLimitScripts.cs</c> of the checkout, so the benchmark
/// measures the script that ships) sent by <c>EVALSHA</c> to a private <c>redis-server</c> on loopback,
/// one check at a time, for the kinds of check the Functions app makes.
/// </summary>
/// <remarks>
/// This project references neither Rce.Infrastructure nor StackExchange.Redis, so the checks go
/// over a minimal RESP client of its own: the numbers are the script and the round trip, without
/// the client library's own overhead (a few tens of µs).
/// </remarks>
public static class RateLimitBench
{
    private const string BeginMarker = "-- rce rate-limit check (begin)";
    private const string EndMarker = "-- rce rate-limit check (end)";

    /// <summary>The kinds of check measured: name, rules (limit, window ms, cost), in-flight ids (0: no claim).</summary>
    private static readonly (string Name, (int Limit, int WindowMs, int Cost)[] Rules, int ClaimIds)[] Workloads =
    [
        ("1 window, admitted (any request)", [(int.MaxValue, 60_000, 1)], 0),
        ("2 windows, admitted (submit: tenant + user)", [(int.MaxValue, 60_000, 1), (int.MaxValue, 60_000, 1)], 0),
        ("quota: 2 windows cost 10 + in-flight claim of 10", [(int.MaxValue, 3_600_000, 10), (int.MaxValue, 86_400_000, 10)], 10),
        ("1 window, refused (limit reached)", [(1, 60_000, 1)], 0),
    ];

    /// <summary>
    /// Starts redis-server on a free loopback port, runs <paramref name="iterations"/> sequential checks
    /// of each kind after a warm-up, stops the server, and renders p50/p99 as a markdown section.
    /// </summary>
    /// <param name="iterations">Checks measured per kind (at least 100).</param>
    /// <param name="progress">Where progress lines go (stderr in <c>./rce bench</c>).</param>
    /// <param name="ct">Cancels the run (the server is stopped).</param>
    /// <returns>The markdown section.</returns>
    /// <exception cref="BenchmarkException">redis-server or the checkout is missing, or a check failed.</exception>
    public static async Task<string> RunAsync(int iterations, TextWriter progress, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 100);
        ArgumentNullException.ThrowIfNull(progress);
        var script = ReadScript();
        await using var server = await BenchRedis.StartAsync(ct);
        using var client = await RespClient.ConnectAsync(server.Port, ct);
        var version = ((string)(await client.CallAsync(ct, "INFO", "server"))!)
            .Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("redis_version:", StringComparison.Ordinal))?["redis_version:".Length..] ?? "?";
        var sha = (string)(await client.CallAsync(ct, "SCRIPT", "LOAD", script))!;
        var load = MachineInfo.LoadAverage();
        var results = new List<(string Name, double[] Micros)>();
        foreach (var workload in Workloads)
        {
            await progress.WriteLineAsync($"rate limits: {workload.Name} ({iterations} checks)");
            results.Add((workload.Name, await MeasureAsync(client, sha, workload.Rules, workload.ClaimIds, iterations, ct)));
        }

        return Render(iterations, version, load, results);
    }

    private static async Task<double[]> MeasureAsync(RespClient client, string sha, (int Limit, int WindowMs, int Cost)[] rules, int claimIds, int iterations, CancellationToken ct)
    {
        var tag = "{t:bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)) + "}";
        var warmup = Math.Min(1_000, iterations / 5);
        var micros = new double[iterations];
        for (var i = -warmup; i < iterations; i++)
        {
            var arguments = Arguments(sha, tag, rules, claimIds, i);
            var started = Stopwatch.GetTimestamp();
            var reply = await client.CallAsync(ct, arguments);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (reply is not object?[] { Length: 6 })
            {
                throw new BenchmarkException($"the rate-limit script answered {reply ?? "nil"} instead of six integers");
            }

            if (i >= 0)
            {
                micros[i] = elapsed.TotalMicroseconds;
            }
        }

        return micros;
    }

    /// <summary>EVALSHA sha numkeys keys… then the script's ARGV (see RateLimitScripts.Check).</summary>
    private static string[] Arguments(string sha, string tag, (int Limit, int WindowMs, int Cost)[] rules, int claimIds, int iteration)
    {
        var keys = rules.Select((_, r) => $"bench:{tag}:w{r}").ToList();
        var argv = new List<string> { I(rules.Length), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)) };
        foreach (var (limit, windowMs, cost) in rules)
        {
            argv.AddRange([I(limit), I(windowMs), I(cost)]);
        }

        if (claimIds > 0)
        {
            keys.Add($"bench:{tag}:inflight");
            // A lifetime of 1 ms: the set stays small, as real in-flight sets do (entries leave when done).
            argv.AddRange([I(int.MaxValue), "1", I(claimIds)]);
            argv.AddRange(Enumerable.Range(0, claimIds).Select(n => $"s{iteration}-{n}"));
        }

        return ["EVALSHA", sha, I(keys.Count), .. keys, .. argv];
    }

    private static string Render(int iterations, string version, string load, List<(string Name, double[] Micros)> results)
    {
        var s = new StringBuilder();
        s.AppendLine("## Rate-limit check latency (Redis)");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"One check = one `EVALSHA` of the limiter's Lua script on redis-server {version} over loopback, sequential, " +
            $"{iterations} checks per kind after a warm-up; load average before: {load}. Client: a minimal RESP client (no StackExchange.Redis overhead).");
        s.AppendLine();
        s.AppendLine("| Check | p50 | p90 | p99 | max |");
        s.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var (name, micros) in results)
        {
            Array.Sort(micros);
            s.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Ms(Percentile(micros, 0.5))} | {Ms(Percentile(micros, 0.9))} | {Ms(Percentile(micros, 0.99))} | {Ms(micros[^1])} |");
        }

        s.AppendLine();
        return s.ToString();
    }

    private static double Percentile(double[] sorted, double p)
    {
        var rank = p * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = (int)Math.Ceiling(rank);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (rank - lo));
    }

    private static string Ms(double micros) => (micros / 1_000).ToString("0.000", CultureInfo.InvariantCulture) + " ms";

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The check script, from the source of the checkout this benchmark was built in.</summary>
    private static string ReadScript()
    {
        // From this assembly's own location first: it sits in the checkout even when the host does not.
        var start = Path.GetDirectoryName(typeof(RateLimitBench).Assembly.Location) is { Length: > 0 } here ? here : AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RceFunctions.sln")))
            {
                var path = Path.Combine(dir.FullName, "functions", "Rce.Infrastructure", "Redis", "RateLimitScripts.cs");
                var lines = File.ReadAllLines(path);
                var begin = Array.FindIndex(lines, l => l.Trim() == BeginMarker);
                var end = Array.FindIndex(lines, l => l.Trim() == EndMarker);
                return begin >= 0 && end > begin
                    ? string.Join('\n', lines[begin..(end + 1)].Select(l => l.Trim()))
                    : throw new BenchmarkException($"no rate-limit script between '{BeginMarker}' and '{EndMarker}' in {path}");
            }
        }

        throw new BenchmarkException("cannot find the checkout (RceFunctions.sln) above the benchmark");
    }

    /// <summary>
    /// A private redis-server, as the test fixture starts it (no persistence, loopback, foreground),
    /// with the same watchdog: if this process dies without stopping it, the server is killed within a second.
    /// </summary>
    private sealed class BenchRedis : IAsyncDisposable
    {
        private const string Executable = "/usr/bin/redis-server";
        private const string Watchdog =
            "p=$PPID; while kill -0 \"$1\" 2>/dev/null; do read -r _ _ _ q _ < /proc/$$/stat; " +
            "if [ \"$q\" != \"$p\" ]; then kill -9 \"$1\"; exit 0; fi; sleep 1; done";

        private readonly Process _process;
        private readonly Process _watchdog;

        private BenchRedis(Process process, Process watchdog, int port)
        {
            _process = process;
            _watchdog = watchdog;
            Port = port;
        }

        public int Port { get; }

        public static async Task<BenchRedis> StartAsync(CancellationToken ct)
        {
            if (!File.Exists(Executable))
            {
                throw new BenchmarkException($"{Executable} is missing (Debian package redis-server)");
            }

            var port = FreePort();
            var info = new ProcessStartInfo(Executable)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetTempPath(),
            };
            foreach (var argument in new[] { "--port", I(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning" })
            {
                info.ArgumentList.Add(argument);
            }

            var process = Process.Start(info) ?? throw new BenchmarkException("redis-server did not start");
            var watch = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "-c", Watchdog, "rce-redis-watchdog", I(process.Id) })
            {
                watch.ArgumentList.Add(argument);
            }

            var server = new BenchRedis(process, Process.Start(watch)!, port);
            var stopwatch = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var probe = await RespClient.ConnectAsync(port, ct);
                    if ((string?)await probe.CallAsync(ct, "PING") == "PONG")
                    {
                        return server;
                    }
                }
                catch (SocketException) when (stopwatch.Elapsed < TimeSpan.FromSeconds(10) && !process.HasExited)
                {
                    await Task.Delay(20, ct);
                }
                catch
                {
                    await server.DisposeAsync();
                    throw;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var process in new[] { _process, _watchdog })
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                await process.WaitForExitAsync(CancellationToken.None);
                process.Dispose();
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    /// <summary>Just enough RESP2 for the benchmark: commands as arrays of bulk strings; replies parsed into string, long, array or null.</summary>
    private sealed class RespClient : IDisposable
    {
        private readonly TcpClient _tcp;
        private readonly BufferedStream _stream;

        private RespClient(TcpClient tcp)
        {
            _tcp = tcp;
            _stream = new BufferedStream(tcp.GetStream(), 64 * 1024);
        }

        public static async Task<RespClient> ConnectAsync(int port, CancellationToken ct)
        {
            var tcp = new TcpClient { NoDelay = true };
            try
            {
                await tcp.ConnectAsync(IPAddress.Loopback, port, ct);
                return new RespClient(tcp);
            }
            catch
            {
                tcp.Dispose();
                throw;
            }
        }

        public async Task<object?> CallAsync(CancellationToken ct, params string[] command)
        {
            var request = new StringBuilder().Append('*').Append(I(command.Length)).Append("\r\n");
            foreach (var part in command)
            {
                request.Append('$').Append(I(Encoding.UTF8.GetByteCount(part))).Append("\r\n").Append(part).Append("\r\n");
            }

            await _stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), ct);
            await _stream.FlushAsync(ct);
            return await ReadAsync(ct);
        }

        public void Dispose()
        {
            _stream.Dispose();
            _tcp.Dispose();
        }

        private async Task<object?> ReadAsync(CancellationToken ct)
        {
            var line = await ReadLineAsync(ct);
            var body = line[1..];
            switch (line[0])
            {
                case '+':
                    return body;
                case '-':
                    throw new BenchmarkException("redis-server answered an error: " + body);
                case ':':
                    return long.Parse(body, CultureInfo.InvariantCulture);
                case '$':
                    var length = int.Parse(body, CultureInfo.InvariantCulture);
                    if (length < 0)
                    {
                        return null;
                    }

                    var bytes = new byte[length + 2];
                    await _stream.ReadExactlyAsync(bytes, ct);
                    return Encoding.UTF8.GetString(bytes, 0, length);
                case '*':
                    var count = int.Parse(body, CultureInfo.InvariantCulture);
                    if (count < 0)
                    {
                        return null;
                    }

                    var items = new object?[count];
                    for (var i = 0; i < count; i++)
                    {
                        items[i] = await ReadAsync(ct);
                    }

                    return items;
                default:
                    throw new BenchmarkException("unexpected RESP reply: " + line);
            }
        }

        private async Task<string> ReadLineAsync(CancellationToken ct)
        {
            var bytes = new List<byte>(32);
            var one = new byte[1];
            while (true)
            {
                await _stream.ReadExactlyAsync(one, ct);
                if (one[0] == '\n' && bytes.Count > 0 && bytes[^1] == '\r')
                {
                    return Encoding.UTF8.GetString([.. bytes[..^1]]);
                }

                bytes.Add(one[0]);
            }
        }
    }
}
