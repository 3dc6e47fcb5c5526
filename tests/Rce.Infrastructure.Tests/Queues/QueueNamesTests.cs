using Rce.Infrastructure.Queues;

namespace Rce.Infrastructure.Tests.Queues;

public sealed class QueueNamesTests
{
    [Theory]
    [InlineData("submissions", "submissions-poison")]
    [InlineData("submissions-poison", null)]
    [InlineData("a23456789012345678901234567890123456789012345678901234567", null)]
    [InlineData("a2345678901234567890123456789012345678901234567890123456", "a2345678901234567890123456789012345678901234567890123456-poison")]
    public void PoisonQueueOf_FollowsTheExtension(string queue, string? expected) =>
        Assert.Equal(expected, QueueNames.PoisonQueueOf(queue));

    [Theory]
    [InlineData("abc", true)]
    [InlineData("a-b-c9", true)]
    [InlineData("ab", false)]
    [InlineData("Abc", false)]
    [InlineData("-abc", false)]
    [InlineData("abc-", false)]
    [InlineData("a--bc", false)]
    [InlineData("a_bc", false)]
    [InlineData(null, false)]
    public void IsValid_ServiceRules(string? name, bool valid) => Assert.Equal(valid, QueueNames.IsValid(name));
}
