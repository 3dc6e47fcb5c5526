using System.Net;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Rce.Infrastructure.Redis;

/// <summary>
/// The rules of <see cref="RedisOptions"/> that span several settings. Messages name the settings in
/// their environment form and never quote a connection string (it may carry a password).
/// </summary>
internal sealed class RedisOptionsRules : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        var hasHostName = !string.IsNullOrWhiteSpace(options.HostName);
        if (hasConnectionString == hasHostName)
        {
            failures.Add("Set exactly one of Redis__ConnectionString (for example 127.0.0.1:6379) and Redis__HostName (Azure Cache for Redis with Redis__UseEntraId=true).");
        }

        if (hasConnectionString)
        {
            CheckConnectionString(options, failures);
        }

        if (hasHostName)
        {
            if (Uri.CheckHostName(options.HostName!.Trim()) != UriHostNameType.Dns)
            {
                failures.Add("Redis__HostName must be a DNS host name such as rce-abc.redis.cache.windows.net (no scheme, no port: the port is Redis__Port).");
            }

            if (!options.UseEntraId)
            {
                failures.Add("Redis__HostName is for Azure Cache for Redis with Microsoft Entra ID: set Redis__UseEntraId=true and Redis__UserName, or use Redis__ConnectionString.");
            }
        }

        if (options.UseEntraId && string.IsNullOrWhiteSpace(options.UserName))
        {
            failures.Add("Redis__UserName is required with Redis__UseEntraId=true: the object (principal) id of the managed identity, as in the cache's access policy assignment.");
        }

        if (!string.IsNullOrWhiteSpace(options.ClientId) && !Guid.TryParse(options.ClientId, out _))
        {
            failures.Add("Redis__ClientId must be the client id (a GUID) of a user-assigned managed identity, or unset for the system-assigned one.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckConnectionString(RedisOptions options, List<string> failures)
    {
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(options.ConnectionString!);
        }
        catch (ArgumentException)
        {
            failures.Add("Redis__ConnectionString is not a valid StackExchange.Redis configuration string (host:port[,option=value…]).");
            return;
        }

        if (parsed.EndPoints.Count == 0)
        {
            failures.Add("Redis__ConnectionString names no endpoint (host:port).");
        }

        if (!options.UseEntraId)
        {
            return;
        }

        if (parsed.Password is not null || parsed.User is not null)
        {
            failures.Add("Redis__ConnectionString must not carry user= or password= with Redis__UseEntraId=true: the user is Redis__UserName and the password is the token.");
        }

        // Threat: a bearer token sent in clear could be read on the way and replayed until it
        // expires. Plain TCP is accepted only where nothing is on the way (tests on loopback).
        if (!parsed.Ssl && !parsed.EndPoints.All(IsLoopback))
        {
            failures.Add("Redis__UseEntraId=true needs TLS: add ssl=true to Redis__ConnectionString (plain TCP is allowed to loopback only).");
        }
    }

    private static bool IsLoopback(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => IPAddress.IsLoopback(ip.Address),
        DnsEndPoint dns => string.Equals(dns.Host, "localhost", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };
}
