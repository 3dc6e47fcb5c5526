using System.Text;
using Microsoft.AspNetCore.Http;
using Rce.Core.Tenancy;
using Rce.Functions.Limits;
using Rce.Functions.Security;

namespace Rce.Functions.Tests.Security;

/// <summary>Who the per-user windows count: metadata.userId, else X-User-Id, else the key id.</summary>
public sealed class EndUserTests
{
    private static readonly Caller Caller = new("acme", "k1", ApiKeyRoles.Submit);

    private static string Resolve(string body, string? header = null)
    {
        var context = new DefaultHttpContext();
        if (header is not null)
        {
            context.Request.Headers["X-User-Id"] = header;
        }

        return EndUser.Resolve(Encoding.UTF8.GetBytes(body), context.Request, Caller);
    }

    [Fact]
    public void MetadataUserId_Wins() =>
        Assert.Equal("m:u42", Resolve("""{"language":"c","metadata":{"courseId":"x","userId":"u42"},"source":"s"}""", "h1"));

    [Fact]
    public void HeaderWhenTheBodyHasNone() => Assert.Equal("h:h1", Resolve("""{"language":"c"}""", "h1"));

    [Fact]
    public void KeyIdWhenNothingElse() => Assert.Equal("k:k1", Resolve("""{"metadata":{"userId":""}}"""));

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"metadata":{"userId":7}}""")]
    [InlineData("""{"metadata":"u"}""")]
    [InlineData("[1,2]")]
    [InlineData("""{"metadata":{"userId":"u""")]
    public void MalformedBodies_FallBackWithoutThrowing(string body) => Assert.Equal("k:k1", Resolve(body));

    [Fact]
    public void NestedUserIdElsewhere_IsNotTaken() =>
        Assert.Equal("k:k1", Resolve("""{"tests":[{"metadata":{"userId":"x"}}]}"""));

    [Fact]
    public void KeysOfOddUserIds_AreHashedAndKeepTheTenantTag()
    {
        var key = LimitKeys.UserSubmissions("acme", "m:{evil}:" + new string('x', 300));
        Assert.StartsWith("{t:acme}:u:h", key, StringComparison.Ordinal);
        Assert.Equal(1, key.Count(c => c == '{'));
        Assert.NotEqual(LimitKeys.UserSubmissions("acme", "m:a"), LimitKeys.UserSubmissions("acme", "m:b"));
        Assert.NotEqual(LimitKeys.UserSubmissions("acme", "m:a"), LimitKeys.UserSubmissions("other", "m:a"));
    }
}
