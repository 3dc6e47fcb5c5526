using Rce.Sandbox.Boxes;

namespace Rce.Sandbox.Tests.Unit;

public sealed class BoxPathsTests
{
    [Theory]
    [InlineData("main.c")]
    [InlineData("src/util/helper.py")]
    [InlineData("Main.java")]
    [InlineData("данные.txt")]
    public void Validate_RelativeNames_AreAccepted(string name) => Assert.Null(BoxPaths.Validate(name));

    [Theory]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("../escape")]
    [InlineData("a/../../b")]
    [InlineData("a//b")]
    [InlineData("./a")]
    [InlineData("a\0b")]
    [InlineData("a\nb")]
    [InlineData("a\\b")]
    public void Validate_DangerousNames_AreRejected(string name) => Assert.NotNull(BoxPaths.Validate(name));

    [Fact]
    public void Validate_TooLong_IsRejected()
    {
        Assert.NotNull(BoxPaths.Validate(new string('a', 256)));
        Assert.Null(BoxPaths.Validate(new string('a', 255)));
        Assert.NotNull(BoxPaths.Validate(new string('é', 128)));
    }
}
