using System.Net;
using System.Net.Sockets;

namespace Rce.Infrastructure.Callbacks;

/// <summary>The primary handler of callback requests: the address policy is enforced when connecting.</summary>
public static class CallbackHttpHandler
{
    /// <summary>Creates a handler that connects only to addresses <paramref name="policy"/> allows.</summary>
    /// <param name="policy">The address policy.</param>
    /// <returns>A new handler; the caller owns it.</returns>
    public static SocketsHttpHandler Create(CallbackAddressPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return Create(policy, static (host, ct) => new ValueTask<IPAddress[]>(Dns.GetHostAddressesAsync(host, ct)));
    }

    /// <summary>As <see cref="Create(CallbackAddressPolicy)"/> with a given resolver (tests of rebinding).</summary>
    internal static SocketsHttpHandler Create(CallbackAddressPolicy policy, Func<string, CancellationToken, ValueTask<IPAddress[]>> resolve) => new()
    {
        // Threat: a redirect to http://169.254.169.254/ would be followed without a new URL check; callers get the 3xx.
        AllowAutoRedirect = false,
        // Threat: through a proxy the address connected to is the proxy's; the policy would check the wrong host.
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = (context, ct) => ConnectAsync(policy, resolve, context.DnsEndPoint, ct),
    };

    /// <summary>
    /// Resolves the host, refuses when ANY address is disallowed, then connects to the checked
    /// addresses only (never re-resolving).
    /// </summary>
    internal static async ValueTask<Stream> ConnectAsync(
        CallbackAddressPolicy policy,
        Func<string, CancellationToken, ValueTask<IPAddress[]>> resolve,
        DnsEndPoint endPoint,
        CancellationToken cancellationToken)
    {
        var host = endPoint.Host;
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        // Threat: DNS rebinding — the name resolved to a public address when the URL was accepted and
        // resolves to 169.254.169.254 now. Checking here, on the addresses actually connected to, closes
        // the window; refusing on any bad address keeps a mixed answer from reaching the bad one on fallback.
        var addresses = IPAddress.TryParse(literal, out var parsed)
            ? [parsed]
            : await resolve(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new CallbackAddressRefusedException(host, (IPAddress?)null);
        }

        foreach (var address in addresses)
        {
            if (!policy.IsAllowed(address))
            {
                throw new CallbackAddressRefusedException(host, address);
            }
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException error)
            {
                socket.Dispose();
                last = error;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }
}
