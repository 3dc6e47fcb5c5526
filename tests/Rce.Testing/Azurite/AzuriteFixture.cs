using Xunit;

namespace Rce.Testing;

/// <summary>
/// One Azurite per test class (<c>IClassFixture&lt;AzuriteFixture&gt;</c>). When Azurite is not
/// installed, <see cref="Server"/> skips the test locally and fails it under <c>CI=true</c>
/// (<see cref="Requires"/>); any other start failure fails the tests with Azurite's output.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    /// <summary>The running server.</summary>
    public AzuriteServer Server
    {
        get
        {
            if (_server is null)
            {
                Requires.That(AzuriteServer.IsInstalled, $"Azurite is not installed ({AzuriteServer.ScriptPath}, node on PATH): run ./rce test, which installs it");
                throw new InvalidOperationException("Azurite is installed but was not started; see the fixture's initialisation error.");
            }

            return _server;
        }
    }

    /// <summary>Starts Azurite when it is installed; otherwise leaves the skip (or CI failure) to <see cref="Server"/>.</summary>
    /// <returns>A task that completes when the three services accept connections.</returns>
    public async ValueTask InitializeAsync()
    {
        if (AzuriteServer.IsInstalled)
        {
            _server = await AzuriteServer.StartAsync(TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Stops Azurite and waits for it to exit.</summary>
    /// <returns>A task that completes when the process has exited.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }
}
