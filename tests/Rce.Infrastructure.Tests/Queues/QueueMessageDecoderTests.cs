using System.Text;
using Rce.Infrastructure.Queues;

namespace Rce.Infrastructure.Tests.Queues;

public sealed class QueueMessageDecoderTests
{
    [Theory]
    [InlineData("{\"id\":\"s1\"}")]
    [InlineData("")]
    [InlineData("héllo ✓")]
    public void TryDecode_Base64OfUtf8_RoundTrips(string text)
    {
        Assert.True(QueueMessageDecoder.TryDecode(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)), QueueTriggerEncoding.Base64, out var decoded));
        Assert.Equal(text, decoded);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("abc")]
    [InlineData("//79")] // base64 of FF FE FD: not UTF-8
    public void TryDecode_Undecodable_False(string raw) =>
        Assert.False(QueueMessageDecoder.TryDecode(raw, QueueTriggerEncoding.Base64, out _));

    [Fact]
    public void TryDecode_None_PassesTextThrough()
    {
        Assert.True(QueueMessageDecoder.TryDecode("not base64!", QueueTriggerEncoding.None, out var text));
        Assert.Equal("not base64!", text);
    }
}
