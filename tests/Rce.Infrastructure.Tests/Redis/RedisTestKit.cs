using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rce.Infrastructure.Redis;
using StackExchange.Redis;

namespace Rce.Infrastructure.Tests.Redis;

/// <summary>
/// A limiter over a test server with its own key prefix (so tests never share keys), and a plain
/// client to look at what it wrote.
/// </summary>
internal sealed class LimiterHarness : IAsyncDisposable
{
    /// <summary>Hash tag shared by the keys of the tests' checks.</summary>
    public const string Tag = "{t:acme}";

    private ConnectionMultiplexer? _inspect;

    public LimiterHarness(string connectionString, Action<RedisOptions>? configure = null, TokenCredential? credential = null, ILoggerFactory? logs = null)
    {
        ConnectionString = connectionString;
        Options = new RedisOptions { ConnectionString = connectionString, KeyPrefix = $"test-{Guid.NewGuid():N}:" };
        configure?.Invoke(Options);
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        Connection = new RedisConnection(options, TimeProvider.System, logs ?? NullLoggerFactory.Instance, credential);
        Limiter = new RedisRateLimiter(Connection, options, TimeProvider.System);
    }

    public string ConnectionString { get; }

    public RedisOptions Options { get; }

    public RedisConnection Connection { get; }

    public RedisRateLimiter Limiter { get; }

    public static string Key(string name) => $"{Tag}:{name}";

    /// <summary>A plain client with admin commands allowed.</summary>
    public static Task<ConnectionMultiplexer> ConnectAsync(string connectionString, string? user = null, string? password = null)
    {
        var config = ConfigurationOptions.Parse(connectionString);
        config.AllowAdmin = true;
        config.User = user;
        config.Password = password;
        return ConnectionMultiplexer.ConnectAsync(config);
    }

    public async Task<ConnectionMultiplexer> InspectAsync() => _inspect ??= await ConnectAsync(ConnectionString);

    /// <summary>Members of a window or in-flight set as stored (expired ones included).</summary>
    public async Task<long> CountAsync(string key) => await (await InspectAsync()).GetDatabase().SortedSetLengthAsync(Options.KeyPrefix + key);

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        if (_inspect is not null)
        {
            await _inspect.DisposeAsync();
        }
    }
}
