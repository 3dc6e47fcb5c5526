using System.Net;
using Microsoft.Extensions.Primitives;
using Rce.Functions.Security;

namespace Rce.Functions.Tests.Security;

/// <summary>X-Forwarded-For is believed only through trusted proxies; the client is the right-most untrusted entry.</summary>
public sealed class ClientAddressTests
{
    private static readonly TrustedProxies Proxies = new(["10.0.0.0/8", "127.0.0.1", "2001:db8:ffff::/48"]);

    [Fact]
    public void UntrustedPeer_ForgedHeaderIgnored() =>
        Assert.Equal("203.0.113.9", ClientAddress.Resolve(IPAddress.Parse("203.0.113.9"), new StringValues("1.1.1.1"), Proxies));

    [Fact]
    public void TrustedPeer_RightMostUntrustedEntryIsTheClient() =>
        Assert.Equal("198.51.100.7", ClientAddress.Resolve(IPAddress.Parse("10.1.2.3"), new StringValues("6.6.6.6, 198.51.100.7, 10.9.9.9"), Proxies));

    [Fact]
    public void TrustedPeer_SeveralHeaderValuesAreOneList() =>
        Assert.Equal("198.51.100.7", ClientAddress.Resolve(IPAddress.Parse("127.0.0.1"), new StringValues(["6.6.6.6", "198.51.100.7"]), Proxies));

    [Theory]
    [InlineData("198.51.100.7:5678", "198.51.100.7")]
    [InlineData("[2001:db8::1]:5678", "2001:db8::1")]
    [InlineData("[2001:db8::1]", "2001:db8::1")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("::ffff:198.51.100.7", "198.51.100.7")]
    public void PortsStrippedAndAddressesCanonical(string entry, string expected) =>
        Assert.Equal(expected, ClientAddress.Resolve(IPAddress.Parse("10.0.0.1"), new StringValues(entry), Proxies));

    [Fact]
    public void TrustedEntryWithPort_IsSkippedLikeWithout() =>
        Assert.Equal("198.51.100.7", ClientAddress.Resolve(IPAddress.Parse("10.0.0.1"), new StringValues("198.51.100.7, 10.2.2.2:443"), Proxies));

    [Fact]
    public void EveryHopTrusted_LeftMostWins() =>
        Assert.Equal("10.3.3.3", ClientAddress.Resolve(IPAddress.Parse("10.0.0.1"), new StringValues("10.3.3.3, 10.4.4.4"), Proxies));

    [Fact]
    public void TrustedPeerWithoutHeader_IsTheClient() =>
        Assert.Equal("10.0.0.1", ClientAddress.Resolve(IPAddress.Parse("10.0.0.1"), StringValues.Empty, Proxies));

    [Fact]
    public void MappedPeer_NormalizedBeforeTheTrustCheck() =>
        Assert.Equal("198.51.100.7", ClientAddress.Resolve(IPAddress.Parse("::ffff:10.0.0.1"), new StringValues("198.51.100.7"), Proxies));

    [Fact]
    public void JunkFromATrustedProxy_KeyedOnTheJunkNotTheProxy() =>
        Assert.Equal("not-an-ip", ClientAddress.Resolve(IPAddress.Parse("10.0.0.1"), new StringValues("not-an-ip"), Proxies));

    [Theory]
    [InlineData("1.2.3.4:99999")]
    [InlineData("[2001:db8::1]x")]
    [InlineData("1.2.3.4:")]
    [InlineData("fe80::1%eth0")]
    public void MalformedEntries_DoNotParse(string entry) => Assert.Null(ClientAddress.TryParseEntry(entry));

    [Fact]
    public void BadProxyEntry_IsRefusedAtStart() => Assert.Throws<FormatException>(() => new TrustedProxies(["10.0.0.0/99"]));
}
