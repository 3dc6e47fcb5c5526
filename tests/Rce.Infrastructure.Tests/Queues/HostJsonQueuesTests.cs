using Rce.Infrastructure.Queues;

namespace Rce.Infrastructure.Tests.Queues;

public sealed class HostJsonQueuesTests
{
    [Fact]
    public void Parse_NoQueuesSection_ExtensionDefaults()
    {
        var options = HostJsonQueues.Parse("""{ "version": "2.0" }""");

        Assert.Equal(16, options.BatchSize);
        Assert.Null(options.NewBatchThreshold);
        Assert.Equal(8 * 3, options.ResolveNewBatchThreshold(3));
        Assert.Equal(TimeSpan.FromMinutes(1), options.MaxPollingInterval);
        Assert.Equal(TimeSpan.Zero, options.VisibilityTimeout);
        Assert.Equal(5, options.MaxDequeueCount);
        Assert.Equal(QueueTriggerEncoding.Base64, options.MessageEncoding);
        Assert.Equal(TimeSpan.FromMinutes(10), options.Lease);
        Assert.Equal(TimeSpan.FromMinutes(5), options.EffectiveLeaseRenewal);
    }

    [Fact]
    public void Parse_AllSettings_ReadCaseInsensitivelyWithCommentsAndTrailingCommas()
    {
        const string json = """
            {
              // the Functions host tolerates comments
              "version": "2.0",
              "Extensions": {
                "QUEUES": {
                  "batchSize": 8,
                  "newBatchThreshold": "3",
                  "maxPollingInterval": "00:00:02",
                  "visibilityTimeout": "00:00:30",
                  "maxDequeueCount": 2,
                  "messageEncoding": "None",
                  "someFutureSetting": true,
                },
              },
            }
            """;

        var options = HostJsonQueues.Parse(json);

        Assert.Equal(8, options.BatchSize);
        Assert.Equal(3, options.NewBatchThreshold);
        Assert.Equal(3, options.ResolveNewBatchThreshold(64));
        Assert.Equal(TimeSpan.FromSeconds(2), options.MaxPollingInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), options.VisibilityTimeout);
        Assert.Equal(2, options.MaxDequeueCount);
        Assert.Equal(QueueTriggerEncoding.None, options.MessageEncoding);
    }

    [Fact]
    public void Parse_RepositoryHostJson_MatchesTheDesign()
    {
        var path = Path.Combine(Rce.Testing.RepoPaths.Root, "host.json");

        var options = HostJsonQueues.Parse(File.ReadAllText(path));

        Assert.Equal(16, options.BatchSize);
        Assert.Equal(5, options.MaxDequeueCount);
        Assert.Equal(QueueTriggerEncoding.Base64, options.MessageEncoding);
    }

    [Theory]
    [InlineData("batchSize", "0")]
    [InlineData("batchSize", "33")]
    [InlineData("batchSize", "\"many\"")]
    [InlineData("batchSize", "1.5")]
    [InlineData("newBatchThreshold", "-1")]
    [InlineData("maxPollingInterval", "\"00:00:00.099\"")]
    [InlineData("maxPollingInterval", "60")]
    [InlineData("maxPollingInterval", "\"soon\"")]
    [InlineData("visibilityTimeout", "\"-00:00:01\"")]
    [InlineData("visibilityTimeout", "\"8.00:00:00\"")]
    [InlineData("maxDequeueCount", "0")]
    [InlineData("messageEncoding", "\"utf8\"")]
    [InlineData("messageEncoding", "1")]
    public void Parse_OutOfBoundsOrMalformed_ThrowsNamingTheKey(string key, string value)
    {
        var json = $$"""{ "extensions": { "queues": { "{{key}}": {{value}} } } }""";

        var error = Assert.Throws<QueueSettingsException>(() => HostJsonQueues.Parse(json));

        Assert.StartsWith("extensions.queues." + key, error.Key, StringComparison.Ordinal);
        Assert.Contains("extensions.queues." + key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("batchSize", "1")]
    [InlineData("batchSize", "32")]
    [InlineData("newBatchThreshold", "0")]
    [InlineData("maxPollingInterval", "\"00:00:00.100\"")]
    [InlineData("maxDequeueCount", "1")]
    [InlineData("visibilityTimeout", "\"7.00:00:00\"")]
    public void Parse_Bounds_Accepted(string key, string value)
    {
        var json = $$"""{ "extensions": { "queues": { "{{key}}": {{value}} } } }""";

        var options = HostJsonQueues.Parse(json);

        Assert.NotEqual(new QueueTriggerOptions(), options);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{ "extensions": { "queues": 5 } }""")]
    [InlineData("""{ "extensions": [] }""")]
    public void Parse_BadShape_Throws(string json) =>
        Assert.Throws<QueueSettingsException>(() => HostJsonQueues.Parse(json));

    [Fact]
    public void Parse_NullValues_KeepDefaults()
    {
        var options = HostJsonQueues.Parse("""{ "extensions": { "queues": { "batchSize": null, "maxDequeueCount": 3 } } }""");

        Assert.Equal(16, options.BatchSize);
        Assert.Equal(3, options.MaxDequeueCount);
    }
}
