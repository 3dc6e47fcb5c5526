using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rce.Testing;

/// <summary>
/// A private Azurite (Storage emulator) process for tests: free loopback ports, data in memory only,
/// installed by <c>./rce</c> into <c>.rce/azurite</c> (pinned by <c>tools/azurite/package-lock.json</c>).
/// </summary>
/// <remarks>
/// Started as <c>node azurite.js</c>, not <c>npx</c>, so that there is one process to kill. If the
/// test process dies without disposing (crash, kill -9), a one-line preload makes node exit within
/// about a second once its parent is gone, so no emulator outlives the test run.
/// </remarks>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>The emulator's well-known development account.</summary>
    private const string AccountName = "devstoreaccount1";

    /// <summary>
    /// A key made per test process and given to Azurite through <c>AZURITE_ACCOUNTS</c>, so that no
    /// account key (not even the emulator's published one) is written in the repository.
    /// </summary>
    private static readonly string AccountKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(5);

    // Exits node when it is re-parented (its parent, the test process, died). ESM data URL, so no file to ship.
    private const string ParentWatchdog =
        "data:text/javascript,const p=process.ppid;setInterval(()=>{if(process.ppid!==p)process.exit(1)},1000).unref()";

    private readonly Process _process;
    private readonly ProcessOutputTail _output;

    private AzuriteServer(Process process, ProcessOutputTail output, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        _output = output;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};" +
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";
    }

    /// <summary><c>&lt;repo&gt;/.rce/azurite/node_modules/azurite/dist/src/azurite.js</c>.</summary>
    public static string ScriptPath { get; } =
        Path.Combine(RepoPaths.Root, ".rce", "azurite", "node_modules", "azurite", "dist", "src", "azurite.js");

    /// <summary>Whether Azurite is installed (by <c>./rce</c>) and node is on PATH.</summary>
    public static bool IsInstalled => File.Exists(ScriptPath) && FindNode() is not null;

    /// <summary>Port of the blob service.</summary>
    public int BlobPort { get; }

    /// <summary>Port of the queue service.</summary>
    public int QueuePort { get; }

    /// <summary>Port of the table service.</summary>
    public int TablePort { get; }

    /// <summary>
    /// An explicit connection string: account <c>devstoreaccount1</c>, its well-known key and the three
    /// <c>http://127.0.0.1:&lt;port&gt;/devstoreaccount1</c> endpoints.
    /// </summary>
    public string ConnectionString { get; }

    /// <summary>
    /// Starts Azurite on three free loopback ports with in-memory persistence and waits until the
    /// three services accept connections (at most 20 s). Retries once on new ports when a port was
    /// taken between choosing it and binding it.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait (the process is then stopped).</param>
    /// <returns>The running server.</returns>
    /// <exception cref="InvalidOperationException">Azurite is not installed, exited, or did not listen in time; the message carries its output.</exception>
    public static async Task<AzuriteServer> StartAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await StartOnceAsync(cancellationToken);
        }
        catch (PortTakenException)
        {
            // The ports were free when chosen but another process bound one before Azurite did.
            try
            {
                return await StartOnceAsync(cancellationToken);
            }
            catch (PortTakenException again)
            {
                throw new InvalidOperationException(again.Message, again);
            }
        }
    }

    /// <summary>Kills Azurite and waits for it to exit, so that its ports are free again afterwards.</summary>
    /// <returns>A task that completes once the process has exited (or after 5 s).</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(_process);
        _process.Dispose();
    }

    private static async Task<AzuriteServer> StartOnceAsync(CancellationToken cancellationToken)
    {
        var node = FindNode();
        if (node is null || !File.Exists(ScriptPath))
        {
            throw new InvalidOperationException($"Azurite is not installed ({ScriptPath}, node on PATH); run ./rce test, which installs it.");
        }

        var (blob, queue, table) = ThreeFreePorts();
        var info = new ProcessStartInfo(node)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            // Azurite never writes to its cwd with --inMemoryPersistence, but a temp dir is a safe default.
            WorkingDirectory = Path.GetTempPath(),
        };
        info.Environment["AZURITE_ACCOUNTS"] = $"{AccountName}:{AccountKey}";
        foreach (var argument in new[]
        {
            "--import", ParentWatchdog, ScriptPath,
            "--disableTelemetry", "--skipApiVersionCheck", "--inMemoryPersistence",
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", Port(blob), "--queuePort", Port(queue), "--tablePort", Port(table),
            "--silent",
        })
        {
            info.ArgumentList.Add(argument);
        }

        var output = new ProcessOutputTail();
        var process = new Process { StartInfo = info };
        // Drain both pipes: a full pipe would block node.
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new AzuriteServer(process, output, blob, queue, table);
        try
        {
            await server.WaitListeningAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task WaitListeningAsync(CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var pending = new List<int> { BlobPort, QueuePort, TablePort };
        while (pending.Count > 0)
        {
            if (_process.HasExited)
            {
                // Let the reader threads deliver the last lines before quoting them.
                await _process.WaitForExitAsync(cancellationToken);
                var text = _output.Text();
                var message = $"Azurite exited with code {_process.ExitCode} before listening:\n{text}";
                throw text.Contains("EADDRINUSE", StringComparison.Ordinal)
                    ? new PortTakenException(message)
                    : new InvalidOperationException(message);
            }

            if (stopwatch.Elapsed > StartTimeout)
            {
                throw new InvalidOperationException(
                    $"Azurite did not listen on ports {string.Join(", ", pending)} within {StartTimeout.TotalSeconds} s:\n{_output.Text()}");
            }

            for (var i = pending.Count - 1; i >= 0; i--)
            {
                if (await AcceptsAsync(pending[i], cancellationToken))
                {
                    pending.RemoveAt(i);
                }
            }

            if (pending.Count > 0)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            // The ports are only free again once the process is gone (EADDRINUSE otherwise).
            using var timeout = new CancellationTokenSource(ExitTimeout);
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (InvalidOperationException)
        {
            // Never started, or already reaped.
        }
        catch (OperationCanceledException)
        {
            // Did not exit within the bound after SIGKILL: nothing more can be done here.
        }
    }

    private static (int Blob, int Queue, int Table) ThreeFreePorts()
    {
        // Three distinct ports: the OS may hand the same ephemeral port out twice in a row.
        var ports = new HashSet<int>();
        while (ports.Count < 3)
        {
            ports.Add(LoopbackPorts.Free());
        }

        var array = ports.ToArray();
        return (array[0], array[1], array[2]);
    }

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? FindNode()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "node");
            if (Path.IsPathFullyQualified(candidate) && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Azurite exited because one of its ports was taken (EADDRINUSE): worth one retry on new ports.</summary>
    private sealed class PortTakenException(string message) : Exception(message);
}
