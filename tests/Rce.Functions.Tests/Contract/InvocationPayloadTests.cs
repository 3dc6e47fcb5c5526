using System.Text.Json;
using Rce.Functions.Hosting;

namespace Rce.Functions.Tests.Contract;

/// <summary>The custom-handler invocation payload, in every form the host is known to send (custom-handler §5.1).</summary>
public sealed class InvocationPayloadTests
{
    private const string Message = "{\"id\":\"abc\",\"attempt\":1}";

    [Theory]
    [InlineData("unquoted", "1", 1)]
    [InlineData("quoted", "\"3\"", 3)]
    [InlineData("object", "5", 5)]
    public void TryRead_UnquotedQuotedAndObjectForms_YieldTheSameMessage(string form, string dequeueCount, long expectedCount)
    {
        // The host JSON-serialises a string trigger value once more ("quoted"); the docs show it plain.
        var item = form switch
        {
            "unquoted" => JsonSerializer.Serialize(Message),
            "quoted" => JsonSerializer.Serialize(JsonSerializer.Serialize(Message)),
            _ => Message,
        };
        using var document = JsonDocument.Parse($"{{\"Data\":{{\"item\":{item}}},\"Metadata\":{{\"DequeueCount\":{dequeueCount}}}}}");

        Assert.True(InvocationPayload.TryRead(document.RootElement, out var message, out var count, out var error), error);

        using var parsed = JsonDocument.Parse(message);
        Assert.Equal("abc", parsed.RootElement.GetProperty("id").GetString());
        Assert.Equal(1, parsed.RootElement.GetProperty("attempt").GetInt32());
        Assert.Equal(expectedCount, count);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"Data\":{}}")]
    [InlineData("{\"Data\":{\"item\":42}}")]
    [InlineData("[]")]
    public void TryRead_MissingOrWrongData_IsRefusedWithAReason(string payload)
    {
        using var document = JsonDocument.Parse(payload);

        Assert.False(InvocationPayload.TryRead(document.RootElement, out _, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void TryRead_PlainTextItem_IsTheTextItself()
    {
        using var document = JsonDocument.Parse("{\"Data\":{\"item\":\"not json\"}}");

        Assert.True(InvocationPayload.TryRead(document.RootElement, out var message, out var count, out _));
        Assert.Equal("not json", message);
        Assert.Equal(1, count);
    }
}
