using Rce.Infrastructure.Workflow;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>Continuation tokens: opaque, round-tripping, and strict about what they accept.</summary>
public sealed class ListContinuationTests
{
    private static readonly string RowKey = SubmissionIndexKeys.Row(new DateTimeOffset(2025, 3, 14, 15, 9, 26, TimeSpan.Zero), "0123456789abcdef0123456789abcdef");

    [Fact]
    public void Encode_ThenDecode_SameRowKey()
    {
        var token = ListContinuation.Encode(RowKey);

        Assert.StartsWith("i1.", token, StringComparison.Ordinal);
        Assert.DoesNotContain(RowKey, token, StringComparison.Ordinal);
        Assert.Equal(RowKey, ListContinuation.Decode(token));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("i1.")]
    [InlineData("i1.!!!")]
    [InlineData("i2.MDAwMDAwMDAwMDAwMDAwMDAwMS1hYmM")]
    [InlineData("i1.eCcgb3IgUm93S2V5IG5lICd4")] // "x' or RowKey ne 'x"
    [InlineData("1!1!dGVuYW50LWE-1!48!MDAw")] // the shape of a Tables service token
    public void Decode_NotOurToken_FormatException(string token)
    {
        Assert.Throws<FormatException>(() => ListContinuation.Decode(token));
    }

    [Fact]
    public void Decode_OverlongToken_FormatException()
    {
        Assert.Throws<FormatException>(() => ListContinuation.Decode("i1." + new string('A', 1000)));
    }
}
