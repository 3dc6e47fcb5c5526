using System.Diagnostics;
using System.Globalization;

namespace Rce.Testing;

/// <summary>
/// A private <c>redis-server</c> (Debian's package) for tests: a free loopback port, no persistence,
/// in the foreground as a child of the test process; it can be killed (SIGKILL) and restarted on the
/// same port to test outages.
/// </summary>
/// <remarks>
/// If the test process dies without disposing (crash, kill -9), a small <c>sh</c> watchdog started
/// beside each server kills it within about a second, so no server outlives the test run.
/// </remarks>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>Where Debian's <c>redis-server</c> package installs the server.</summary>
    public const string ExecutablePath = "/usr/bin/redis-server";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(5);

    // $1: the server. The watchdog's parent is the test process: when that dies the watchdog is
    // re-parented, which it notices even where the dead process lingers as a zombie (a container's
    // PID 1 that never reaps would keep `kill -0 <test pid>` succeeding). Exits once the server is gone.
    private const string Watchdog =
        "p=$PPID; while kill -0 \"$1\" 2>/dev/null; do read -r _ _ _ q _ < /proc/$$/stat; " +
        "if [ \"$q\" != \"$p\" ]; then kill -9 \"$1\"; exit 0; fi; sleep 1; done";

    private readonly IReadOnlyList<string> _users;
    private readonly Lock _lock = new();
    private ServerProcess? _current;

    private RedisServer(int port, IReadOnlyList<string> users)
    {
        Port = port;
        _users = users;
    }

    /// <summary>Whether <c>/usr/bin/redis-server</c> is installed.</summary>
    public static bool IsInstalled => File.Exists(ExecutablePath);

    /// <summary>The loopback port the server listens on (the same after <see cref="RestartAsync"/>).</summary>
    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string for the server: <c>127.0.0.1:&lt;port&gt;</c>.</summary>
    public string ConnectionString => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether the server process is running.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_lock)
            {
                return _current is { Process.HasExited: false };
            }
        }
    }

    /// <summary>
    /// Starts a server on a free loopback port and waits until it answers (PONG, or NOAUTH when the
    /// default user is disabled), at most 10 s. Retries once on a new port if the chosen one was
    /// taken before the server bound it.
    /// </summary>
    /// <param name="users">
    /// ACL users, one rule line each as in redis.conf without the <c>user</c> keyword, for example
    /// <c>"alice on &gt;pass1 ~* +@all"</c> or <c>"default off"</c>. None: the default user, no password.
    /// </param>
    /// <param name="cancellationToken">Cancels the wait (the process is then stopped).</param>
    /// <returns>The running server.</returns>
    /// <exception cref="InvalidOperationException">The server is missing, exited, or did not answer in time; the message carries its output.</exception>
    public static async Task<RedisServer> StartAsync(IReadOnlyList<string>? users = null, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServer(LoopbackPorts.Free(), users ?? []);
            try
            {
                await server.StartProcessAsync(cancellationToken);
                return server;
            }
            catch (PortTakenException) when (attempt < 2)
            {
                // The port was free when chosen, but another process bound it first.
            }
        }
    }

    /// <summary>Kills the server with SIGKILL (no shutdown, no goodbye to clients) and waits for it to exit.</summary>
    /// <returns>A task that completes once the process has exited.</returns>
    public async Task KillAsync()
    {
        ServerProcess? current;
        lock (_lock)
        {
            current = _current;
            _current = null;
        }

        if (current is not null)
        {
            await current.StopAsync();
        }
    }

    /// <summary>
    /// Starts the server again on the same port with the same users (killing it first if it runs),
    /// retrying the bind for up to 10 s, and waits until it answers. The data is gone: nothing is persisted.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the server answers.</returns>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await KillAsync();
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await StartProcessAsync(cancellationToken);
                return;
            }
            catch (PortTakenException) when (stopwatch.Elapsed < StartTimeout)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>Kills the server and waits for it to exit.</summary>
    /// <returns>A task that completes once the process has exited.</returns>
    public async ValueTask DisposeAsync() => await KillAsync();

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        if (!IsInstalled)
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing (Debian package redis-server; ./rce test installs it).");
        }

        var process = ServerProcess.Start(Arguments());
        try
        {
            await process.WaitAnsweringAsync(Port, StartTimeout, cancellationToken);
        }
        catch
        {
            await process.StopAsync();
            throw;
        }

        lock (_lock)
        {
            _current = process;
        }
    }

    private List<string> Arguments()
    {
        var arguments = new List<string>
        {
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "no",
            // Tests create thousands of short-lived connections and keys; keep the log quiet.
            "--loglevel", "warning",
        };
        foreach (var user in _users)
        {
            arguments.Add("--user");
            arguments.AddRange(user.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        return arguments;
    }

    /// <summary>One run of the server process and its watchdog.</summary>
    private sealed class ServerProcess
    {
        private readonly Process _server;
        private readonly Process _watchdog;
        private readonly ProcessOutputTail _output;

        private ServerProcess(Process server, Process watchdog, ProcessOutputTail output)
        {
            _server = server;
            _watchdog = watchdog;
            _output = output;
        }

        public Process Process => _server;

        public static ServerProcess Start(IEnumerable<string> arguments)
        {
            var info = new ProcessStartInfo(ExecutablePath)
            {
                // Every stream redirected: an inherited stdout/stderr would keep the test host's
                // pipes open after it is done.
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetTempPath(),
            };
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }

            var output = new ProcessOutputTail();
            var server = new Process { StartInfo = info };
            server.OutputDataReceived += (_, e) => output.Add(e.Data);
            server.ErrorDataReceived += (_, e) => output.Add(e.Data);
            server.Start();
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();

            var watch = new ProcessStartInfo("/bin/sh")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "-c", Watchdog, "rce-redis-watchdog", Id(server.Id) })
            {
                watch.ArgumentList.Add(argument);
            }

            return new ServerProcess(server, Process.Start(watch)!, output);
        }

        public async Task WaitAnsweringAsync(int port, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var stopwatch = Stopwatch.StartNew();
            while (true)
            {
                if (_server.HasExited)
                {
                    await _server.WaitForExitAsync(cancellationToken);
                    var text = _output.Text();
                    var message = $"redis-server exited with code {_server.ExitCode} before answering:\n{text}";
                    throw text.Contains("Address already in use", StringComparison.Ordinal)
                        ? new PortTakenException(message)
                        : new InvalidOperationException(message);
                }

                if (await RedisPing.AnswersAsync(port, cancellationToken))
                {
                    return;
                }

                if (stopwatch.Elapsed > timeout)
                {
                    throw new InvalidOperationException($"redis-server did not answer on port {port} within {timeout.TotalSeconds} s:\n{_output.Text()}");
                }

                await Task.Delay(20, cancellationToken);
            }
        }

        public async Task StopAsync()
        {
            await Kill(_server);
            await Kill(_watchdog);
        }

        private static async Task Kill(Process process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                // The port is only free again once the process is gone.
                using var timeout = new CancellationTokenSource(ExitTimeout);
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (InvalidOperationException)
            {
                // Already reaped.
            }
            catch (OperationCanceledException)
            {
                // Did not exit within the bound after SIGKILL: nothing more can be done here.
            }
            finally
            {
                process.Dispose();
            }
        }

        private static string Id(int pid) => pid.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The server exited because its port was taken: worth another try.</summary>
    private sealed class PortTakenException(string message) : Exception(message);
}
