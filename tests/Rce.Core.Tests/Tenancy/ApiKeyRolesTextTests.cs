using Rce.Core.Tenancy;

namespace Rce.Core.Tests.Tenancy;

public sealed class ApiKeyRolesTextTests
{
    [Theory]
    [InlineData("submit", ApiKeyRoles.Submit)]
    [InlineData("read", ApiKeyRoles.Read)]
    [InlineData("admin", ApiKeyRoles.Admin)]
    [InlineData("submit,read,admin", ApiKeyRoles.Submit | ApiKeyRoles.Read | ApiKeyRoles.Admin)]
    [InlineData("Admin, SUBMIT", ApiKeyRoles.Submit | ApiKeyRoles.Admin)]
    [InlineData(" read ,read", ApiKeyRoles.Read)]
    public void TryParse_Valid_Roles(string text, ApiKeyRoles expected)
    {
        Assert.True(ApiKeyRolesText.TryParse(text, out var roles, out var error), error);
        Assert.Equal(expected, roles);
    }

    [Theory]
    [InlineData(null, "no role given")]
    [InlineData("", "no role given")]
    [InlineData("  ", "no role given")]
    [InlineData("read,,submit", "empty role")]
    [InlineData("read,", "empty role")]
    [InlineData("write", "unknown role 'write'")]
    [InlineData("read,owner", "unknown role 'owner'")]
    [InlineData("re ad", "unknown role (not shown)")]
    [InlineData("\u001b[31m", "unknown role (not shown)")]
    public void TryParse_Invalid_OneLineError(string? text, string expected)
    {
        Assert.False(ApiKeyRolesText.TryParse(text, out var roles, out var error));
        Assert.Equal(ApiKeyRoles.None, roles);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.EndsWith("(roles: submit,read,admin)", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Theory]
    [InlineData(ApiKeyRoles.None, "")]
    [InlineData(ApiKeyRoles.Admin | ApiKeyRoles.Submit, "submit,admin")]
    [InlineData(ApiKeyRoles.Read | ApiKeyRoles.Admin | ApiKeyRoles.Submit, "submit,read,admin")]
    [InlineData((ApiKeyRoles)(8 | 2), "read")]
    public void Format_LowercaseFixedOrder(ApiKeyRoles roles, string expected) =>
        Assert.Equal(expected, ApiKeyRolesText.Format(roles));

    [Fact]
    public void Format_ThenParse_RoundTrips()
    {
        for (var flags = 1; flags <= 7; flags++)
        {
            Assert.True(ApiKeyRolesText.TryParse(ApiKeyRolesText.Format((ApiKeyRoles)flags), out var roles, out _));
            Assert.Equal((ApiKeyRoles)flags, roles);
        }
    }
}
