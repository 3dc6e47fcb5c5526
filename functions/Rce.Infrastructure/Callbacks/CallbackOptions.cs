using System.ComponentModel.DataAnnotations;

namespace Rce.Infrastructure.Callbacks;

/// <summary>
/// Settings of completion callbacks (configuration section <c>Callbacks</c>):
/// <c>Callbacks__AllowedNetworks__0 = "127.0.0.1/32"</c>, <c>Callbacks__TimeoutMs</c>. Validated at startup.
/// </summary>
public sealed class CallbackOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Callbacks";

    /// <summary>
    /// CIDR networks callbacks may reach even though they are loopback, private, link-local, … (see
    /// <see cref="CallbackAddressPolicy"/>). The default value is empty: public addresses only.
    /// </summary>
    [CidrList]
    public IList<string> AllowedNetworks { get; init; } = [];

    /// <summary>Bound on one callback (connect, send, response headers), in ms. The default value is 10000.</summary>
    [Range(100, 600_000)]
    public int TimeoutMs { get; set; } = 10_000;
}
