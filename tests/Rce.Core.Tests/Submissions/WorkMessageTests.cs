using System.Text.Json;
using Rce.Core.Submissions;

namespace Rce.Core.Tests.Submissions;

public sealed class WorkMessageTests
{
    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef", 0, false)]
    [InlineData("0123456789abcdef0123456789abcdef", 3, false)]
    [InlineData("fedcba9876543210fedcba9876543210", 0, true)]
    public void ToJson_Parse_RoundTrip(string id, int attempt, bool batch)
    {
        var message = new WorkMessage(id, attempt, batch);

        Assert.Equal(message, WorkMessage.Parse(message.ToJson()));
    }

    [Fact]
    public void ToJson_CamelCaseWireNames()
    {
        using var document = JsonDocument.Parse(new WorkMessage("abc", 2, true).ToJson());
        var root = document.RootElement;

        Assert.Equal("abc", root.GetProperty("id").GetString());
        Assert.Equal(2, root.GetProperty("attempt").GetInt32());
        Assert.True(root.GetProperty("batch").GetBoolean());
        Assert.Equal(3, root.EnumerateObject().Count());
    }

    [Fact]
    public void Parse_OnlyId_Defaults()
    {
        Assert.Equal(new WorkMessage("abc", 0, false), WorkMessage.Parse("""{"id":"abc"}"""));
    }

    [Fact]
    public void Parse_UnknownMembers_Ignored()
    {
        Assert.Equal(new WorkMessage("abc", 4), WorkMessage.Parse("""{"id":"abc","attempt":4,"producer":"v2","extra":{"a":[1]}}"""));
    }

    [Fact]
    public void Parse_SixtyFourCharacterId_Accepted()
    {
        var id = new string('a', 64);

        Assert.Equal(id, WorkMessage.Parse($$"""{"id":"{{id}}"}""").Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("{}")]
    [InlineData("""{"id":""}""")]
    [InlineData("""{"id":null}""")]
    [InlineData("""{"id":5}""")]
    [InlineData("""{"id":"abc","attempt":"one"}""")]
    [InlineData("""{"id":"abc","batch":1}""")]
    [InlineData("{\"id\":\"abc\"")]
    [InlineData("""{"id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}""")]
    public void Parse_Junk_FormatException(string text)
    {
        Assert.Throws<FormatException>(() => WorkMessage.Parse(text));
    }

    [Fact]
    public void Group_RoundTrip_IdsOnTheWire()
    {
        var message = new WorkMessage("g", Ids: ["a", "b"]);

        var parsed = WorkMessage.Parse(message.ToJson());

        Assert.Equal(["a", "b"], parsed.Ids);
        Assert.Equal("g", parsed.Id);
        Assert.Contains("\"ids\":[\"a\",\"b\"]", message.ToJson(), StringComparison.Ordinal);
        Assert.DoesNotContain("ids", new WorkMessage("g").ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void BatchPart_RoundTrip_BatchAndIds()
    {
        var parsed = WorkMessage.Parse(new WorkMessage("b", Batch: true, Ids: ["s1", "s2"]).ToJson());

        Assert.Equal(("b", true), (parsed.Id, parsed.Batch));
        Assert.Equal(["s1", "s2"], parsed.Ids);
    }

    [Theory]
    [InlineData("""{"id":"g","ids":[]}""")]
    [InlineData("""{"id":"g","ids":[""]}""")]
    [InlineData("""{"id":"g","ids":["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]}""")]
    public void Parse_BadGroup_Refused(string text)
    {
        Assert.Throws<FormatException>(() => WorkMessage.Parse(text));
    }

    [Fact]
    public void Parse_GroupOverTheMost_Refused()
    {
        var ids = string.Join(",", Enumerable.Range(0, WorkMessage.MaxGroup + 1).Select(i => $"\"{i}\""));

        Assert.Throws<FormatException>(() => WorkMessage.Parse($$"""{"id":"g","ids":[{{ids}}]}"""));
    }
}
