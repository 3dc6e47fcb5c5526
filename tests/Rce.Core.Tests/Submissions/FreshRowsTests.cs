using Rce.Core.Submissions;

namespace Rce.Core.Tests.Submissions;

public sealed class FreshRowsTests
{
    private static Submission Row(string id, string? etag = "\"1\"") => new() { Id = id, Tenant = "t", Language = "python", ETag = etag };

    [Fact]
    public void Take_GivesThePutRowOnce()
    {
        var rows = new FreshRows();
        var row = Row("a");
        rows.Put(row);

        Assert.Same(row, rows.Take("a"));
        Assert.Null(rows.Take("a"));
        Assert.Equal(0, rows.Count);
    }

    [Fact]
    public void Put_RowWithoutETag_IsNotKept()
    {
        var rows = new FreshRows();
        rows.Put(Row("a", etag: null));

        Assert.Null(rows.Take("a"));
    }

    [Fact]
    public void Put_OverCapacity_DropsTheOldest()
    {
        var rows = new FreshRows(capacity: 3);
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            rows.Put(Row(id));
        }

        Assert.Equal(3, rows.Count);
        Assert.Null(rows.Take("a"));
        Assert.NotNull(rows.Take("b"));
        Assert.NotNull(rows.Take("d"));
    }

    [Fact]
    public void Put_SameIdAgain_KeepsTheNewerRow()
    {
        var rows = new FreshRows();
        rows.Put(Row("a", "\"1\""));
        rows.Put(Row("a", "\"2\""));

        Assert.Equal("\"2\"", rows.Take("a")!.ETag);
    }

    [Fact]
    public void Constructor_CapacityBelowOne_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new FreshRows(0));
}
