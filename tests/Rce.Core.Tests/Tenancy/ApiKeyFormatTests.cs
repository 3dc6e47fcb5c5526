using System.Security.Cryptography;
using Rce.Core.Tenancy;

namespace Rce.Core.Tests.Tenancy;

public sealed class ApiKeyFormatTests
{
    private static readonly DateTimeOffset T0 = new(2025, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Issue_Plaintext_HasTheDocumentedShape()
    {
        var issued = ApiKeyFormat.Issue("acme", ApiKeyRoles.Submit | ApiKeyRoles.Read, T0);

        Assert.Matches("^rce_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$", issued.Plaintext);
        Assert.Equal(ApiKeyFormat.Length, issued.Plaintext.Length);
        Assert.Equal(issued.Key.KeyId, issued.Plaintext[4..16]);
        Assert.Equal(new ApiKey(issued.Key.KeyId, "acme", ApiKeyRoles.Submit | ApiKeyRoles.Read, issued.Key.SecretHash, T0, null), issued.Key);
    }

    [Fact]
    public void Issue_StoredHash_IsSha256OfTheSecretBytes()
    {
        var issued = ApiKeyFormat.Issue("acme", ApiKeyRoles.Admin, T0);

        // Decoded here with Convert, not with the code under test.
        var secret = Convert.FromBase64String(issued.Plaintext[17..].Replace('-', '+').Replace('_', '/') + "=");
        Assert.Equal(32, secret.Length);
        Assert.Equal(SHA256.HashData(secret), issued.Key.SecretHash);
    }

    [Fact]
    public void Issue_TwoKeys_DifferInIdAndSecret()
    {
        var a = ApiKeyFormat.Issue("acme", ApiKeyRoles.Read, T0);
        var b = ApiKeyFormat.Issue("acme", ApiKeyRoles.Read, T0);

        Assert.NotEqual(a.Key.KeyId, b.Key.KeyId);
        Assert.NotEqual(a.Plaintext[17..], b.Plaintext[17..]);
    }

    [Fact]
    public void Issue_ToString_NeverShowsThePlaintext()
    {
        var issued = ApiKeyFormat.Issue("acme", ApiKeyRoles.Read, T0);

        Assert.Equal(issued.Key.KeyId, issued.ToString());
        Assert.True(ApiKeyFormat.TryParse(issued.Plaintext, out var parsed));
        Assert.Equal(issued.Key.KeyId, parsed.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("Acme")]
    [InlineData("-acme")]
    public void Issue_InvalidTenant_Throws(string tenant) =>
        Assert.Throws<ArgumentException>(() => ApiKeyFormat.Issue(tenant, ApiKeyRoles.Read, T0));

    [Fact]
    public void Issue_UnknownRoleFlag_Throws() =>
        Assert.Throws<ArgumentException>(() => ApiKeyFormat.Issue("acme", (ApiKeyRoles)8, T0));

    [Fact]
    public void TryParse_IssuedKey_GivesItsIdAndAMatchingSecret()
    {
        var issued = ApiKeyFormat.Issue("acme", ApiKeyRoles.Read, T0);

        Assert.True(ApiKeyFormat.TryParse(issued.Plaintext, out var parsed));
        Assert.Equal(issued.Key.KeyId, parsed.KeyId);
        Assert.True(ApiKeyFormat.SecretMatches(issued.Key, parsed.Secret));
        Assert.Equal(issued.Key.SecretHash, ApiKeyFormat.HashSecret(parsed.Secret));
    }

    [Fact]
    public void TryParse_SecretWithSeparatorCharacters_ParsedByPosition()
    {
        // 0xFF bytes encode as '_' in base64url: the secret is all separators but the last character.
        var text = "rce_abcdefgh2345_" + Convert.ToBase64String(Enumerable.Repeat((byte)0xFF, 32).ToArray()).TrimEnd('=').Replace('/', '_').Replace('+', '-');

        Assert.True(ApiKeyFormat.TryParse(text, out var parsed));
        Assert.Equal("abcdefgh2345", parsed.KeyId);
        Assert.All(parsed.Secret, b => Assert.Equal(0xFF, b));
    }

    public static TheoryData<string> Malformed()
    {
        var good = ApiKeyFormat.Issue("acme", ApiKeyRoles.Read, T0).Plaintext;
        return
        [
            "",
            " ",
            "rce_",
            good + "A",
            good[..^1],
            " " + good[1..],
            good[..^1] + "\n",
            good + "\n",
            "RCE" + good[3..],
            "rce-" + good[4..],
            good[..16] + "-" + good[17..],
            good[..4] + "ABCDEFGH2345" + good[16..],
            good[..4] + "abcdefgh2341" + good[16..],
            good[..4] + "abcdefgh2348" + good[16..],
            good[..4] + "abcdefgh234é" + good[16..],
            good[..17] + "+" + good[18..],
            good[..17] + "/" + good[18..],
            good[..^1] + "=",
            good[..20] + " " + good[21..],
            good[..20] + "\u0660" + good[21..],
            "rce_abcdefgh2345_" + new string('A', 42) + "B", // two spare bits set: not canonical
            "rce_abcdefgh2345_" + new string('A', 42) + "D",
        ];
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryParse_Malformed_False(string text)
    {
        Assert.False(ApiKeyFormat.TryParse(text, out var parsed));
        Assert.Null(parsed);
    }

    [Fact]
    public void TryParse_Null_False() => Assert.False(ApiKeyFormat.TryParse(null, out _));

    [Fact]
    public void TryParse_CanonicalLastCharacter_Accepted() =>
        Assert.True(ApiKeyFormat.TryParse("rce_abcdefgh2345_" + new string('A', 42) + "E", out _));

    [Fact]
    public void SecretMatches_OtherSecret_False()
    {
        var issued = ApiKeyFormat.Issue("acme", ApiKeyRoles.Read, T0);
        var other = ApiKeyFormat.Issue("acme", ApiKeyRoles.Read, T0);
        Assert.True(ApiKeyFormat.TryParse(other.Plaintext, out var parsed));

        Assert.False(ApiKeyFormat.SecretMatches(issued.Key, parsed.Secret));
    }

    [Fact]
    public void SecretMatches_CorruptStoredHashLength_False()
    {
        var issued = ApiKeyFormat.Issue("acme", ApiKeyRoles.Read, T0);
        Assert.True(ApiKeyFormat.TryParse(issued.Plaintext, out var parsed));

        Assert.False(ApiKeyFormat.SecretMatches(issued.Key with { SecretHash = issued.Key.SecretHash[..16] }, parsed.Secret));
    }

    [Theory]
    [InlineData("abcdefgh2345", true)]
    [InlineData("234567234567", true)]
    [InlineData("abcdefgh234", false)]
    [InlineData("abcdefgh23456", false)]
    [InlineData("abcdefgh2341", false)]
    [InlineData("abcdefgh_345", false)]
    [InlineData("ABCDEFGH2345", false)]
    [InlineData(null, false)]
    public void IsKeyId_FollowsTheAlphabetAndLength(string? text, bool expected) =>
        Assert.Equal(expected, ApiKeyFormat.IsKeyId(text));
}
