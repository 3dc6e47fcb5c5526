using System.ComponentModel.DataAnnotations;
using Rce.Core.Tenancy;

namespace Rce.Core.Tests.Tenancy;

public sealed class AuthOptionsTests
{
    [Fact]
    public void Defaults_TwoSecondsAndValid()
    {
        var options = new AuthOptions();

        Assert.Equal(2, options.CacheSeconds);
        Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(5, true)]
    [InlineData(6, false)]
    [InlineData(-1, false)]
    public void CacheSeconds_ValidOnlyUpToFive(int seconds, bool valid)
    {
        var options = new AuthOptions { CacheSeconds = seconds };

        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
    }
}
