using System.Net;
using Rce.Infrastructure.Callbacks;

namespace Rce.Infrastructure.Tests.Callbacks;

public sealed class CallbackAddressPolicyTests
{
    private static readonly CallbackAddressPolicy Default = new([]);

    [Theory]
    [InlineData("127.0.0.1")]          // loopback
    [InlineData("127.255.255.254")]
    [InlineData("::1")]
    [InlineData("10.0.0.1")]           // private
    [InlineData("10.255.255.255")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("169.254.169.254")]    // metadata endpoint
    [InlineData("169.254.0.1")]        // link-local
    [InlineData("fe80::1")]
    [InlineData("fe80::1%2")]
    [InlineData("0.0.0.0")]            // unspecified
    [InlineData("0.1.2.3")]
    [InlineData("::")]
    [InlineData("224.0.0.1")]          // multicast
    [InlineData("239.255.255.250")]
    [InlineData("ff02::1")]
    [InlineData("255.255.255.255")]    // broadcast
    [InlineData("240.0.0.1")]
    [InlineData("100.64.0.1")]         // CGNAT
    [InlineData("100.127.255.255")]
    [InlineData("64:ff9b::a9fe:a9fe")] // NAT64 of 169.254.169.254
    public void IsAllowed_NonPublic_Refused(string address)
    {
        Assert.False(Default.IsAllowed(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:100.64.0.1")]
    [InlineData("::ffff:0.0.0.0")]
    [InlineData("::ffff:255.255.255.255")]
    [InlineData("::127.0.0.1")]        // deprecated IPv4-compatible form
    public void IsAllowed_MappedNonPublic_Refused(string address)
    {
        Assert.False(Default.IsAllowed(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.15.255.255")]     // just outside 172.16/12
    [InlineData("172.32.0.0")]
    [InlineData("100.63.255.255")]     // just outside 100.64/10
    [InlineData("100.128.0.0")]
    [InlineData("169.253.255.255")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    public void IsAllowed_Public_Allowed(string address)
    {
        Assert.True(Default.IsAllowed(IPAddress.Parse(address)));
    }

    [Fact]
    public void IsAllowed_AllowList_OpensOnlyItsNetworks()
    {
        var policy = CallbackAddressPolicy.FromOptions(new CallbackOptions { AllowedNetworks = ["127.0.0.1/32", "10.1.0.0/16"] });

        Assert.True(policy.IsAllowed(IPAddress.Parse("127.0.0.1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("10.1.200.3")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("127.0.0.2")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("10.2.0.1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("::1")));
        Assert.False(policy.IsAllowed(IPAddress.Parse("169.254.169.254")));
        Assert.True(policy.IsAllowed(IPAddress.Parse("8.8.8.8")));
    }
}
