using Rce.Core.Submissions;

namespace Rce.Core.Tests.Submissions;

public sealed class HistoryLogTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static HistoryEvent At(int ms, string type = "TaskScheduled", string? detail = null) => new(type, T0.AddMilliseconds(ms), null, detail);

    [Fact]
    public void Append_KeepsOrder_AndLeavesTheOriginalAlone()
    {
        var first = HistoryLog.Of([At(0, "ExecutionStarted")]);

        var second = first.Append(At(1), At(2, "TaskCompleted"));

        Assert.Single(first.Events);
        Assert.Equal(["ExecutionStarted", "TaskScheduled", "TaskCompleted"], second.Events.Select(e => e.EventType));
    }

    [Fact]
    public void Append_OverTheBound_KeepsTheFirstAndTheNewest_WithAMarker()
    {
        var log = HistoryLog.Of([At(0, "ExecutionStarted")]);
        for (var i = 1; i <= HistoryLog.MaxEvents + 9; i++)
        {
            log = log.Append(At(i, "E" + i));
        }

        Assert.Equal(HistoryLog.MaxEvents, log.Events.Count);
        Assert.Equal("ExecutionStarted", log.Events[0].EventType);
        Assert.Equal("HistoryTruncated", log.Events[1].EventType);
        Assert.Equal("E" + (HistoryLog.MaxEvents + 9), log.Events[^1].EventType);
        Assert.Equal("E" + (HistoryLog.MaxEvents + 9 - (HistoryLog.MaxEvents - 3)), log.Events[2].EventType); // the oldest kept after the marker
        Assert.True(log.Events.Skip(2).Select(e => e.Timestamp).SequenceEqual(log.Events.Skip(2).Select(e => e.Timestamp).Order()));
    }

    [Fact]
    public void Append_LongDetail_Cut()
    {
        var log = HistoryLog.Empty.Append(At(0, "TaskFailed", new string('x', HistoryLog.MaxDetailChars + 100)));

        Assert.Equal(HistoryLog.MaxDetailChars, log.Events[0].Detail!.Length);
    }

    [Fact]
    public void Equality_ByEvents()
    {
        Assert.Equal(HistoryLog.Of([At(0), At(1)]), HistoryLog.Of([At(0), At(1)]));
        Assert.NotEqual(HistoryLog.Of([At(0), At(1)]), HistoryLog.Of([At(0)]));
        Assert.Equal(HistoryLog.Empty, HistoryLog.Of([]));
    }

    [Fact]
    public void Merge_RowAndTableInTimeOrder_RowFirstAtEqualTimes()
    {
        var row = HistoryLog.Of([At(0, "ExecutionStarted"), At(5, "ExecutionCompleted")]);

        var merged = HistoryLog.Merge(row, [At(5, "CallbackDelivered"), At(3, "Legacy")]);

        Assert.Equal(["ExecutionStarted", "Legacy", "ExecutionCompleted", "CallbackDelivered"], merged.Select(e => e.EventType));
        Assert.Equal(["X"], HistoryLog.Merge(null, [At(1, "X")]).Select(e => e.EventType));
    }
}
