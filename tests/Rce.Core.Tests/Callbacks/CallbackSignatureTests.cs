using System.Security.Cryptography;
using System.Text;
using Rce.Core.Callbacks;

namespace Rce.Core.Tests.Callbacks;

public sealed class CallbackSignatureTests
{
    private const long Now = 1_750_000_000;
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("callback-secret-0123456789");
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"s1","verdict":"AC"}""");
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    [Fact]
    public void Create_KnownAnswer_MatchesIndependentHmac()
    {
        // Computed here with HMACSHA256 directly, not with the code under test.
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Secret, Encoding.UTF8.GetBytes(Now + "." + """{"id":"s1","verdict":"AC"}""")));

        Assert.Equal("t=1750000000,v1=" + expected, CallbackSignature.Create(Secret, Now, Body));
    }

    [Fact]
    public void Create_EmptyBody_SignsTimestampOnly()
    {
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Secret, "0."u8));

        Assert.Equal("t=0,v1=" + expected, CallbackSignature.Create(Secret, 0, []));
    }

    [Fact]
    public void Verify_OwnSignature_Accepted()
    {
        Assert.True(CallbackSignature.Verify(Secret, CallbackSignature.Create(Secret, Now, Body), Body, Now, Tolerance));
    }

    [Fact]
    public void Verify_TamperedBody_Rejected()
    {
        var header = CallbackSignature.Create(Secret, Now, Body);
        var tampered = (byte[])Body.Clone();
        tampered[^2] ^= 1;

        Assert.False(CallbackSignature.Verify(Secret, header, tampered, Now, Tolerance));
    }

    [Fact]
    public void Verify_WrongSecret_Rejected()
    {
        var header = CallbackSignature.Create(Secret, Now, Body);

        Assert.False(CallbackSignature.Verify("another-secret"u8, header, Body, Now, Tolerance));
    }

    [Fact]
    public void Verify_TimestampChangedWithoutResigning_Rejected()
    {
        var header = CallbackSignature.Create(Secret, Now, Body).Replace("t=1750000000", "t=1750000001", StringComparison.Ordinal);

        Assert.False(CallbackSignature.Verify(Secret, header, Body, Now, Tolerance));
    }

    [Theory]
    [InlineData(300, true)]
    [InlineData(-300, true)]
    [InlineData(301, false)]
    [InlineData(-301, false)]
    public void Verify_Skew_BoundedByTolerance(long nowOffset, bool accepted)
    {
        var header = CallbackSignature.Create(Secret, Now, Body);

        Assert.Equal(accepted, CallbackSignature.Verify(Secret, header, Body, Now + nowOffset, Tolerance));
    }

    [Fact]
    public void Verify_HugeTimestamp_RejectedWithoutOverflow()
    {
        var header = CallbackSignature.Create(Secret, long.MaxValue, Body);

        Assert.False(CallbackSignature.Verify(Secret, header, Body, long.MinValue, Tolerance));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("t=1750000000")]
    [InlineData("v1={mac},t=1750000000")]
    [InlineData("t=,v1={mac}")]
    [InlineData("t=+1750000000,v1={mac}")]
    [InlineData("t= 1750000000,v1={mac}")]
    [InlineData("t=1750000000,v1={mac},v1={mac}")]
    [InlineData("t=1750000000,v1={MAC}")]
    [InlineData("t=1750000000,v1=")]
    [InlineData("t=1750000000,v0={mac}")]
    [InlineData("t=99999999999999999999,v1={mac}")]
    [InlineData(" t=1750000000,v1={mac}")]
    public void Verify_MalformedHeader_Rejected(string? template)
    {
        var mac = CallbackSignature.Create(Secret, Now, Body)["t=1750000000,v1=".Length..];
        var header = template?.Replace("{mac}", mac, StringComparison.Ordinal).Replace("{MAC}", mac.ToUpperInvariant(), StringComparison.Ordinal);

        Assert.False(CallbackSignature.Verify(Secret, header, Body, Now, Tolerance));
    }

    [Fact]
    public void EmptySecret_Throws()
    {
        Assert.Throws<ArgumentException>(() => CallbackSignature.Create([], Now, Body));
        Assert.Throws<ArgumentException>(() => CallbackSignature.Verify([], "t=1,v1=00", Body, Now, Tolerance));
    }

    [Fact]
    public void Create_NegativeTime_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CallbackSignature.Create(Secret, -1, Body));
    }
}
