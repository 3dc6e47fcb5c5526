using Microsoft.Extensions.Configuration;
using Rce.Infrastructure.Queues;

namespace Rce.Infrastructure.Tests.Queues;

public sealed class QueueTriggerOptionsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    [Fact]
    public void ApplyOverrides_Lease_RenewalFollowsAtHalf()
    {
        var options = new QueueTriggerOptions().ApplyOverrides(Config(("Queues:Lease", "00:00:04")));

        Assert.Equal(TimeSpan.FromSeconds(4), options.Lease);
        Assert.Equal(TimeSpan.FromSeconds(2), options.EffectiveLeaseRenewal);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MaxPollingInterval);
    }

    [Fact]
    public void ApplyOverrides_AllThree_Applied()
    {
        var options = new QueueTriggerOptions { BatchSize = 4 }.ApplyOverrides(Config(
            ("Queues:Lease", "00:00:03"),
            ("Queues:LeaseRenewal", "00:00:00.500"),
            ("Queues:MaxPollingInterval", "00:00:00.250")));

        Assert.Equal(TimeSpan.FromSeconds(3), options.Lease);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.EffectiveLeaseRenewal);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.MaxPollingInterval);
        Assert.Equal(4, options.BatchSize);
    }

    [Fact]
    public void ApplyOverrides_Nothing_Unchanged()
    {
        var original = new QueueTriggerOptions { MaxDequeueCount = 2 };

        Assert.Equal(original, original.ApplyOverrides(Config(("Other:Lease", "00:00:01"))));
    }

    [Theory]
    [InlineData("false", false)]
    [InlineData("True", true)]
    public void ApplyOverrides_LocalDispatch_Applied(string value, bool expected)
    {
        Assert.True(new QueueTriggerOptions().LocalDispatch);
        Assert.Equal(expected, new QueueTriggerOptions().ApplyOverrides(Config(("Queues:LocalDispatch", value))).LocalDispatch);
    }

    [Theory]
    [InlineData("Queues:LocalDispatch", "sometimes", "Queues:LocalDispatch")]
    [InlineData("Queues:Lease", "soon", "Queues:Lease")]
    [InlineData("Queues:Lease", "00:00:00.500", "Queues:Lease")]
    [InlineData("Queues:Lease", "00:00:01.500", "Queues:Lease")]
    [InlineData("Queues:Lease", "8.00:00:00", "Queues:Lease")]
    [InlineData("Queues:LeaseRenewal", "00:10:00", "Queues:LeaseRenewal")]
    [InlineData("Queues:LeaseRenewal", "00:00:00", "Queues:LeaseRenewal")]
    [InlineData("Queues:MaxPollingInterval", "00:00:00.050", "maxPollingInterval")]
    public void ApplyOverrides_Invalid_ThrowsNamingTheKey(string key, string value, string named)
    {
        var error = Assert.Throws<QueueSettingsException>(() => new QueueTriggerOptions().ApplyOverrides(Config((key, value))));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_Pass() => Assert.NotNull(new QueueTriggerOptions().Validate());

    [Fact]
    public void Validate_UndefinedEncoding_Throws() =>
        Assert.Throws<QueueSettingsException>(() => new QueueTriggerOptions { MessageEncoding = (QueueTriggerEncoding)7 }.Validate());

    [Theory]
    [InlineData(16, 1, 8)]
    [InlineData(16, 2, 16)]
    [InlineData(1, 4, 0)]
    [InlineData(5, 3, 6)]
    public void ResolveNewBatchThreshold_Default_IsHalfBatchTimesProcessors(int batchSize, int processors, int expected) =>
        Assert.Equal(expected, new QueueTriggerOptions { BatchSize = batchSize }.ResolveNewBatchThreshold(processors));
}
