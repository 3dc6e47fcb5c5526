using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rce.Core.RateLimiting;
using Rce.Infrastructure.Redis;
using Rce.Testing;

namespace Rce.Benchmarks;

/// <summary>
/// Latency of one rate-limit check through the product's limiter (<see cref="RedisRateLimiter"/>:
/// StackExchange.Redis, one <c>EVALSHA</c> of the Lua script, default settings) against a private
/// <c>redis-server</c> on loopback started by the test fixture, for the kinds of check the Functions
/// app makes; then the throughput of the typical check at a fixed concurrency.
/// </summary>
public static class RateLimitBench
{
    private const int Concurrency = 16;
    private static readonly TimeSpan ThroughputDuration = TimeSpan.FromSeconds(3);
    private static readonly RateLimitRule Tenant = new("tenant-requests", "{t:bench}:req", int.MaxValue, TimeSpan.FromMinutes(1));
    private static readonly RateLimitRule User = new("user-submissions", "{t:bench}:u:1:sub", int.MaxValue, TimeSpan.FromMinutes(1));

    /// <summary>The kinds of check measured: a name and the check for iteration i.</summary>
    private static readonly (string Name, Func<IRateLimiter, int, CancellationToken, Task<RateLimitDecision>> Check)[] Workloads =
    [
        ("1 window, admitted (any authenticated request)", (l, _, ct) => l.CheckAsync([Tenant], null, ct)),
        ("2 windows, admitted (submit: tenant + user)", (l, _, ct) => l.CheckAsync([Tenant, User], null, ct)),
        ("quota: 2 windows of cost 10 + in-flight claim of 10", Quota),
        ("1 window, refused (limit reached)", (l, _, ct) => l.CheckAsync([new("user-batches", "{t:bench}:u:1:bat", 1, TimeSpan.FromMinutes(1))], null, ct)),
    ];

    /// <summary>
    /// Starts redis-server on a free loopback port, runs <paramref name="iterations"/> sequential checks
    /// of each kind after a warm-up and a short throughput run, stops the server, and renders the
    /// p50/p99 as a markdown section.
    /// </summary>
    /// <param name="iterations">Checks measured per kind (at least 100).</param>
    /// <param name="progress">Where progress lines go (stderr in <c>./rce bench</c>).</param>
    /// <param name="ct">Cancels the run (the server is stopped).</param>
    /// <returns>The markdown section.</returns>
    /// <exception cref="BenchmarkException">redis-server is missing or did not start.</exception>
    public static async Task<string> RunAsync(int iterations, TextWriter progress, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 100);
        ArgumentNullException.ThrowIfNull(progress);
        if (!RedisServer.IsInstalled)
        {
            throw new BenchmarkException($"{RedisServer.ExecutablePath} is missing (Debian package redis-server; ./rce installs it)");
        }

        await using var server = await StartAsync(ct);
        var options = Options.Create(new RedisOptions { ConnectionString = server.ConnectionString });
        await using var connection = new RedisConnection(options, TimeProvider.System, NullLoggerFactory.Instance);
        var limiter = new RedisRateLimiter(connection, options, TimeProvider.System);
        if (!await limiter.PingAsync(ct))
        {
            throw new BenchmarkException("redis-server started but the limiter cannot reach it");
        }

        var load = MachineInfo.LoadAverage();
        var results = new List<(string Name, double[] Micros, int Unavailable)>();
        foreach (var (name, check) in Workloads)
        {
            await progress.WriteLineAsync($"rate limits: {name} ({iterations} checks)");
            var (micros, unavailable) = await MeasureAsync(limiter, check, iterations, ct);
            results.Add((name, micros, unavailable));
        }

        await progress.WriteLineAsync($"rate limits: throughput at concurrency {Concurrency} ({ThroughputDuration.TotalSeconds:0} s)");
        var rate = await ThroughputAsync(limiter, ct);
        return Render(iterations, load, results, rate);
    }

    private static async Task<RedisServer> StartAsync(CancellationToken ct)
    {
        try
        {
            return await RedisServer.StartAsync(cancellationToken: ct);
        }
        catch (InvalidOperationException error)
        {
            throw new BenchmarkException("redis-server did not start: " + error.Message, error);
        }
    }

    private static Task<RateLimitDecision> Quota(IRateLimiter limiter, int iteration, CancellationToken ct)
    {
        var ids = Enumerable.Range(0, 10).Select(n => $"s{iteration}-{n}").ToArray();
        // A lifetime of 1 ms keeps the set small, as real in-flight sets are (entries leave when done).
        var claim = new InFlightClaim("tenant-in-flight", "{t:bench}:inflight", int.MaxValue, ids, TimeProvider.System.GetUtcNow().AddMilliseconds(1));
        return limiter.CheckAsync(
            [new("tenant-submissions-hour", "{t:bench}:q:hour", int.MaxValue, TimeSpan.FromHours(1), 10), new("tenant-submissions-day", "{t:bench}:q:day", int.MaxValue, TimeSpan.FromDays(1), 10)],
            claim,
            ct);
    }

    private static async Task<(double[] Micros, int Unavailable)> MeasureAsync(
        IRateLimiter limiter, Func<IRateLimiter, int, CancellationToken, Task<RateLimitDecision>> check, int iterations, CancellationToken ct)
    {
        var warmup = Math.Min(1_000, iterations / 5);
        var micros = new List<double>(iterations);
        var unavailable = 0;
        for (var i = -warmup; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await check(limiter, i, ct);
            }
            catch (RateLimiterUnavailableException)
            {
                // Over the 250 ms call bound (a busy machine): counted apart, as the app would see it.
                unavailable += i >= 0 ? 1 : 0;
                continue;
            }

            if (i >= 0)
            {
                micros.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
        }

        return ([.. micros.Order()], unavailable);
    }

    private static async Task<double> ThroughputAsync(RedisRateLimiter limiter, CancellationToken ct)
    {
        var done = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(
            async () =>
            {
                while (clock.Elapsed < ThroughputDuration)
                {
                    try
                    {
                        await limiter.CheckAsync([Tenant, User], null, ct);
                        Interlocked.Increment(ref done);
                    }
                    catch (RateLimiterUnavailableException)
                    {
                        // Not counted as done.
                    }
                }
            },
            ct)));
        return done / clock.Elapsed.TotalSeconds;
    }

    private static string Render(int iterations, string load, List<(string Name, double[] Micros, int Unavailable)> results, double rate)
    {
        var s = new StringBuilder();
        s.AppendLine("## Rate-limit check latency (Redis)");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"One check = `IRateLimiter.CheckAsync` of `RedisRateLimiter` (StackExchange.Redis, one `EVALSHA` of the Lua script, default 250 ms call bound) " +
            $"against redis-server on loopback, sequential, {iterations} checks per kind after a warm-up; load average before: {load}.");
        s.AppendLine();
        s.AppendLine("| Check | p50 | p90 | p99 | max | over the call bound |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, micros, unavailable) in results)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Ms(micros, 0.5)} | {Ms(micros, 0.9)} | {Ms(micros, 0.99)} | {Ms(micros, 1)} | {unavailable} |");
        }

        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Throughput of the submit check (2 windows) at concurrency {Concurrency}: {rate:0} checks/s.");
        s.AppendLine();
        return s.ToString();
    }

    /// <summary>A percentile of sorted µs samples, in ms (linear interpolation between closest ranks).</summary>
    private static string Ms(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return "–";
        }

        var rank = p * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = (int)Math.Ceiling(rank);
        var value = sorted[lo] + ((sorted[hi] - sorted[lo]) * (rank - lo));
        return (value / 1_000).ToString("0.000", CultureInfo.InvariantCulture) + " ms";
    }
}
