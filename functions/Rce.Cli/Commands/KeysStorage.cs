using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Rce.Infrastructure.Storage;

namespace Rce.Cli.Commands;

/// <summary>
/// The storage a <c>rce keys</c> command writes to, with the settings <c>rce up</c> uses:
/// <list type="number">
/// <item><c>AzureWebJobsStorage</c> (or its identity-based sub-settings) when set in the environment;</item>
/// <item>else the storage of the running <c>rce up</c> over the same data folder (<see cref="KeysStackFile"/>);</item>
/// <item>else an Azurite started for this command over that data folder, on free loopback ports
/// with a fresh account key, stopped (and its data saved) when this is disposed.</item>
/// </list>
/// </summary>
/// <remarks>
/// The data folder's lock decides between the last two: whoever holds it serves the folder. A
/// command that finds it held by an <c>up</c> still starting, or by another <c>keys</c> command,
/// waits for either the stack file or the lock (at most <see cref="WaitForStack"/>).
/// </remarks>
internal sealed class KeysStorage : IAsyncDisposable
{
    /// <summary>How long to wait for a busy data folder.</summary>
    internal static readonly TimeSpan WaitForStack = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan AzuriteStartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process? _azurite;
    private readonly FileStream? _lock;

    private KeysStorage(StorageAccount account, string description, Process? azurite = null, FileStream? dataLock = null)
    {
        Account = account;
        Description = description;
        _azurite = azurite;
        _lock = dataLock;
    }

    public StorageAccount Account { get; }

    /// <summary>Where the storage is, for one human line (never the connection string).</summary>
    public string Description { get; }

    /// <summary>Opens the storage of this command (see the class summary).</summary>
    /// <param name="configuration">The environment, as configuration.</param>
    /// <param name="root">The checkout, or null when not run from one.</param>
    /// <param name="data">The <c>--data</c> option, or null for <c>.rce/azurite-data</c>.</param>
    /// <param name="cancellationToken">Cancels the wait or the start.</param>
    /// <exception cref="KeysFailure">No storage can be opened.</exception>
    public static async Task<KeysStorage> OpenAsync(IConfiguration configuration, string? root, string? data, CancellationToken cancellationToken)
    {
        if (configuration.GetSection(StorageOptions.ConnectionSettingName).Exists())
        {
            try
            {
                return new KeysStorage(StorageAccount.FromConfiguration(configuration), $"{StorageOptions.ConnectionSettingName} from the environment");
            }
            catch (InvalidOperationException e)
            {
                // StorageOptions' messages name the setting, never its value.
                throw new KeysFailure(e.Message, e);
            }
        }

        if (root is null)
        {
            throw new KeysFailure($"no storage: set {StorageOptions.ConnectionSettingName}, or run rce from its checkout to use the local stack");
        }

        var folder = Path.GetFullPath(data ?? Path.Combine(root, ".rce", "azurite-data"));
        return await OpenLocalAsync(KeysStackFile.PathIn(root), folder, LocalAzurite.Script(root), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stack's storage over <paramref name="data"/>, or an Azurite of our own over it.</summary>
    internal static async Task<KeysStorage> OpenLocalAsync(string stackFile, string data, string azuriteScript, CancellationToken cancellationToken, TimeSpan? wait = null)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (KeysStackFile.TryLockData(data) is { } held)
            {
                try
                {
                    return await StartAzuriteAsync(azuriteScript, data, held, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    await held.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }

            if (KeysStackFile.TryRead(stackFile) is { IsAlive: true } stack && string.Equals(Path.GetFullPath(stack.DataFolder), data, StringComparison.Ordinal))
            {
                return new KeysStorage(StorageAccount.FromConnectionString(stack.StorageConnectionString), $"the running `rce up` (tables on 127.0.0.1:{stack.Ports.Table})");
            }

            if (waited.Elapsed > (wait ?? WaitForStack))
            {
                throw new KeysFailure($"the data folder {data} stays in use (an `rce up` still starting, or another `rce keys` command); try again");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_azurite is not null)
        {
            // SIGTERM: Azurite saves its tables to the data folder as it shuts down.
            await ChildProcesses.StopAsync(_azurite).ConfigureAwait(false);
            _azurite.Dispose();
        }

        if (_lock is not null)
        {
            await _lock.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<KeysStorage> StartAzuriteAsync(string script, string data, FileStream held, CancellationToken cancellationToken)
    {
        if (!File.Exists(script))
        {
            throw new KeysFailure("Azurite is not installed: run ./rce keys from the checkout, which installs it");
        }

        var ports = FreePorts(3);
        var accountKey = LocalAzurite.NewAccountKey();
        // Azurite's progress lines would drown the command's few lines; its errors go to stderr.
        var azurite = LocalAzurite.Start(script, data, accountKey, ports[0], ports[1], ports[2], _ => { });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AzuriteStartTimeout);
        if (!await ChildProcesses.WaitReadyAsync(azurite, $"http://127.0.0.1:{ports[2]}/devstoreaccount1/Tables", timeout.Token, anyAnswer: true).ConfigureAwait(false))
        {
            var exit = azurite.HasExited ? azurite.ExitCode : -1;
            await ChildProcesses.StopAsync(azurite).ConfigureAwait(false);
            azurite.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw new KeysFailure($"Azurite did not start over {data} (exit {exit})");
        }

        var account = StorageAccount.FromConnectionString(LocalAzurite.ConnectionString(accountKey, ports[0], ports[1], ports[2]));
        return new KeysStorage(account, $"Azurite started for this command (data in {data})", azurite, held);
    }

    private static int[] FreePorts(int count)
    {
        // Distinct ports: the OS may hand the same ephemeral port out twice in a row.
        var ports = new HashSet<int>();
        while (ports.Count < count)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            ports.Add(((IPEndPoint)listener.LocalEndpoint).Port);
        }

        return [.. ports];
    }
}
