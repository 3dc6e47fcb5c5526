using System.Net;
using Microsoft.Extensions.Options;
using Rce.Functions.Hosting;
using Rce.Functions.Limits;

namespace Rce.Functions.Security;

/// <summary>Resolves a request's client address with the configured trusted proxies; in hosted mode the
/// Functions host, which forwards every request to us over loopback, is trusted as well.</summary>
internal sealed class ClientAddressResolver
{
    private readonly TrustedProxies _trusted;

    public ClientAddressResolver(IOptions<RateLimitOptions> options, HostingMode mode)
    {
        var entries = new List<string>(options.Value.TrustedProxies);
        if (mode.Hosted)
        {
            entries.Add(IPAddress.Loopback.ToString());
            entries.Add(IPAddress.IPv6Loopback.ToString());
        }

        _trusted = new TrustedProxies(entries);
    }

    public string Resolve(HttpContext context) =>
        ClientAddress.Resolve(context.Connection.RemoteIpAddress, context.Request.Headers["X-Forwarded-For"], _trusted);
}
