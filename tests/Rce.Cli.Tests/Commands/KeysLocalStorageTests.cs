using Rce.Cli.Commands;
using Rce.Core.Tenancy;
using Rce.Infrastructure.Tenancy;
using Rce.Testing;

namespace Rce.Cli.Tests.Commands;

/// <summary>
/// Where <c>rce keys</c> writes without <c>AzureWebJobsStorage</c>: the running stack's storage, or an
/// Azurite of its own over the data folder, stopped after the command.
/// </summary>
public sealed class KeysLocalStorageTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private const string Setting = "AzureWebJobsStorage";
    private readonly string? _saved = Environment.GetEnvironmentVariable(Setting);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rce-keys-");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Setting, _saved);
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task NoStackRunning_EachCommandStartsAzuriteOverTheDataFolder_AndStopsIt()
    {
        Requires.That(AzuriteServer.IsInstalled, $"Azurite is not installed ({AzuriteServer.ScriptPath}): run ./rce test, which installs it");
        Environment.SetEnvironmentVariable(Setting, null);
        var data = Path.Combine(_dir.FullName, "data");

        var create = await CliHarness.RunAsync("keys", "create", "--tenant", "acme", "--roles", "read", "--data", data);
        var list = await CliHarness.RunAsync("keys", "list", "--data", data);

        Assert.True(create.Exit == 0, create.Stderr);
        Assert.Contains($"Azurite started for this command (data in {data})", create.Stderr, StringComparison.Ordinal);
        Assert.True(ApiKeyFormat.TryParse(create.Stdout.TrimEnd('\n').Split('\n')[^1], out var parsed));
        Assert.True(list.Exit == 0, list.Stderr);
        Assert.Contains(parsed.KeyId, list.Stdout, StringComparison.Ordinal); // saved by the first Azurite, read by the second
        Assert.Empty(ProcessesNaming(data));
        using var free = KeysStackFile.TryLockData(data);
        Assert.NotNull(free);
    }

    [Fact]
    public async Task StackRunning_UsesItsStorage()
    {
        var data = Path.Combine(_dir.FullName, "data");
        var stackFile = Path.Combine(_dir.FullName, "stack.json");
        using var held = KeysStackFile.TryLockData(data); // as `rce up` does while it runs
        KeysStackFile.Write(stackFile, new KeysStackFile(Environment.ProcessId, data, azurite.Server.ConnectionString, new StackPorts(1, 2, 3, 4, azurite.Server.TablePort, 6)));

        await using var storage = await KeysStorage.OpenLocalAsync(stackFile, data, "/nonexistent/azurite.js", TestContext.Current.CancellationToken);
        var issued = ApiKeyFormat.Issue("acme", ApiKeyRoles.Read, TimeProvider.System.GetUtcNow());
        await new TableApiKeyStore(storage.Account).CreateAsync(issued.Key, TestContext.Current.CancellationToken);

        Assert.Equal($"the running `rce up` (tables on 127.0.0.1:{azurite.Server.TablePort})", storage.Description);
        Assert.NotNull(await new TableApiKeyStore(Rce.Infrastructure.Storage.StorageAccount.FromConnectionString(azurite.Server.ConnectionString)).GetAsync(issued.Key.KeyId, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task FolderBusy_StackFileOfAnotherFolder_WaitsThenFailsWithOneLine()
    {
        var data = Path.Combine(_dir.FullName, "data");
        var stackFile = Path.Combine(_dir.FullName, "stack.json");
        using var held = KeysStackFile.TryLockData(data);
        KeysStackFile.Write(stackFile, new KeysStackFile(Environment.ProcessId, Path.Combine(_dir.FullName, "other"), "UseDevelopmentStorage=true", new StackPorts(1, 2, 3, 4, 5, 6)));

        var error = await Assert.ThrowsAsync<KeysFailure>(() => KeysStorage.OpenLocalAsync(stackFile, data, "/nonexistent/azurite.js", TestContext.Current.CancellationToken, TimeSpan.FromMilliseconds(500)));

        Assert.Contains($"the data folder {data} stays in use", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task StaleStackFile_DeadProcess_NotUsed()
    {
        var data = Path.Combine(_dir.FullName, "data");
        var stackFile = Path.Combine(_dir.FullName, "stack.json");
        using var held = KeysStackFile.TryLockData(data);
        KeysStackFile.Write(stackFile, new KeysStackFile(int.MaxValue, data, azurite.Server.ConnectionString, new StackPorts(1, 2, 3, 4, 5, 6)));

        await Assert.ThrowsAsync<KeysFailure>(() => KeysStorage.OpenLocalAsync(stackFile, data, "/nonexistent/azurite.js", TestContext.Current.CancellationToken, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task FolderFree_AzuriteMissing_OneLineFailure_AndTheLockIsReleased()
    {
        var data = Path.Combine(_dir.FullName, "data");

        var error = await Assert.ThrowsAsync<KeysFailure>(() => KeysStorage.OpenLocalAsync(Path.Combine(_dir.FullName, "stack.json"), data, "/nonexistent/azurite.js", TestContext.Current.CancellationToken));

        Assert.StartsWith("Azurite is not installed", error.Message, StringComparison.Ordinal);
        using var free = KeysStackFile.TryLockData(data);
        Assert.NotNull(free);
    }

    private static List<int> ProcessesNaming(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(text, StringComparison.Ordinal))
                    {
                        found.Add(pid);
                    }
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        return found;
    }
}
