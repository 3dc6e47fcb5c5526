using Xunit;

namespace Rce.Testing;

/// <summary>
/// One redis-server per test class (<c>IClassFixture&lt;RedisFixture&gt;</c>), default user without
/// password. When redis-server is not installed, <see cref="Server"/> skips the test locally and
/// fails it under <c>CI=true</c> (<see cref="Requires"/>); any other start failure fails the tests
/// with the server's output. Tests that kill the server or need ACL users start their own
/// (<see cref="RedisServer.StartAsync"/>) after <see cref="RequireInstalled"/>.
/// </summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _server;

    /// <summary>The running server.</summary>
    public RedisServer Server
    {
        get
        {
            if (_server is null)
            {
                RequireInstalled();
                throw new InvalidOperationException("redis-server is installed but was not started; see the fixture's initialisation error.");
            }

            return _server;
        }
    }

    /// <summary>Skips (or, under CI, fails) the calling test when redis-server is not installed.</summary>
    public static void RequireInstalled() => Requires.Tool(RedisServer.ExecutablePath, "redis-server");

    /// <summary>Starts the server when it is installed; otherwise leaves the skip (or CI failure) to <see cref="Server"/>.</summary>
    /// <returns>A task that completes when the server answers.</returns>
    public async ValueTask InitializeAsync()
    {
        if (RedisServer.IsInstalled)
        {
            _server = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Stops the server.</summary>
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
