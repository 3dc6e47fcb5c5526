using Rce.Core.Tenancy;

namespace Rce.Core.Tests.Tenancy;

public sealed class TenantNameTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("7")]
    [InlineData("acme")]
    [InlineData("moodle-prod-2")]
    [InlineData("a-")]
    [InlineData("0-9")]
    public void IsValid_FollowsTheRule(string name)
    {
        Assert.True(TenantName.IsValid(name));
        Assert.True(TenantName.TryValidate(name, out var error));
        Assert.Null(error);
    }

    [Fact]
    public void IsValid_SixtyThreeCharacters_Valid_SixtyFour_Invalid()
    {
        Assert.True(TenantName.IsValid(new string('a', 63)));
        Assert.False(TenantName.IsValid(new string('a', 64)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-acme")]
    [InlineData("Acme")]
    [InlineData("acme_prod")]
    [InlineData("acme prod")]
    [InlineData("acme/prod")]
    [InlineData("acme.prod")]
    [InlineData("acmé")]
    [InlineData("acme\n")]
    [InlineData("{acme}")]
    public void TryValidate_Invalid_StatesTheRuleWithoutEchoing(string? name)
    {
        Assert.False(TenantName.IsValid(name));
        Assert.False(TenantName.TryValidate(name, out var error));
        Assert.Equal("a tenant name is 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit", error);
    }
}
