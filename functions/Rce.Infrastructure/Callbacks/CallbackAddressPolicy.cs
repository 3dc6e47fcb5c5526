using System.Net;

namespace Rce.Infrastructure.Callbacks;

/// <summary>
/// Decides which addresses a completion callback may connect to. Callback URLs come from users,
/// so by default only public unicast addresses are allowed; operators may open specific networks
/// (tests, an in-VNet receiver) with <see cref="CallbackOptions.AllowedNetworks"/>.
/// </summary>
public sealed class CallbackAddressPolicy
{
    // Threat: SSRF into the host or its network — loopback services, RFC 1918 neighbours, the cloud
    // metadata endpoint (169.254.169.254 is inside 169.254/16), CGNAT-side hosts.
    private static readonly IPNetwork[] Refused =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network"; Linux connects 0.0.0.0 to the local host
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"),    // CGNAT
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),   // link-local, metadata endpoint
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("224.0.0.0/4"),      // multicast
        IPNetwork.Parse("240.0.0.0/4"),      // reserved, 255.255.255.255 broadcast included
        IPNetwork.Parse("::/96"),            // unspecified, ::1 and deprecated IPv4-compatible forms
        IPNetwork.Parse("64:ff9b::/96"),     // NAT64: a local translator would reach the embedded IPv4 address
        IPNetwork.Parse("64:ff9b:1::/48"),   // local-use NAT64
        IPNetwork.Parse("fc00::/7"),         // unique local
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("fec0::/10"),        // deprecated site-local
        IPNetwork.Parse("ff00::/8"),         // multicast
    ];

    private readonly IPNetwork[] _allowed;

    /// <summary>Creates a policy that also allows the given networks, whatever they are.</summary>
    /// <param name="allowedNetworks">Networks allowed even when in a refused range.</param>
    public CallbackAddressPolicy(IEnumerable<IPNetwork> allowedNetworks)
    {
        ArgumentNullException.ThrowIfNull(allowedNetworks);
        _allowed = [.. allowedNetworks];
    }

    /// <summary>The policy of <paramref name="options"/>.</summary>
    /// <param name="options">Validated options.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="FormatException">An allowed network is not CIDR notation.</exception>
    public static CallbackAddressPolicy FromOptions(CallbackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new CallbackAddressPolicy(options.AllowedNetworks.Select(network => IPNetwork.Parse(network)));
    }

    /// <summary>Whether a connection to <paramref name="address"/> is allowed.</summary>
    /// <param name="address">A resolved address.</param>
    /// <returns><see langword="true"/> when allow-listed, or public unicast.</returns>
    public bool IsAllowed(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);

        // Threat: ::ffff:169.254.169.254 connects to the IPv4 metadata endpoint; judge the IPv4 address it maps.
        // So an allow-list entry must be written in IPv4 form to cover a mapped address.
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (Array.Exists(_allowed, network => network.Contains(address)))
        {
            return true;
        }

        return !Array.Exists(Refused, network => network.Contains(address));
    }
}
