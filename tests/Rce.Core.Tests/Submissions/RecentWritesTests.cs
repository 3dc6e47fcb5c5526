using Rce.Core.Submissions;

namespace Rce.Core.Tests.Submissions;

public sealed class RecentWritesTests
{
    private static Submission Row(string id, SubmissionStatus status = SubmissionStatus.Running) =>
        new() { Id = id, Tenant = "t", Language = "python", Status = status, ETag = "\"1\"", InlineRequest = [1, 2, 3] };

    [Fact]
    public void Recent_WithinTheAge_GivesTheLastWrite()
    {
        var clock = new StepClock();
        var recent = new RecentWrites(clock);
        recent.Wrote(Row("a"));
        recent.Wrote(Row("a", SubmissionStatus.Completed));
        clock.Advance(TimeSpan.FromMilliseconds(999));

        var copy = recent.Recent("a", TimeSpan.FromSeconds(1));

        Assert.NotNull(copy);
        Assert.Equal(SubmissionStatus.Completed, copy.Status);
        Assert.Equal("\"1\"", copy.ETag);
    }

    [Fact]
    public void Recent_DoesNotKeepTheRequest()
    {
        var recent = new RecentWrites(new StepClock());
        recent.Wrote(Row("a"));

        Assert.Null(recent.Recent("a", TimeSpan.FromSeconds(1))!.InlineRequest);
    }

    [Fact]
    public void Recent_PastTheAge_IsNullAndDropped()
    {
        var clock = new StepClock();
        var recent = new RecentWrites(clock);
        recent.Wrote(Row("a"));
        clock.Advance(TimeSpan.FromMilliseconds(1001));

        Assert.Null(recent.Recent("a", TimeSpan.FromSeconds(1)));
        Assert.Equal(0, recent.Count);
        Assert.Null(recent.Recent("a", TimeSpan.FromSeconds(10))); // dropped, not merely too old for the first reader
    }

    [Fact]
    public void Recent_AgeZero_AlwaysReads()
    {
        var recent = new RecentWrites(new StepClock());
        recent.Wrote(Row("a"));

        Assert.Null(recent.Recent("a", TimeSpan.Zero));
        Assert.Equal(1, recent.Count);
    }

    [Fact]
    public void Forget_RemovesTheCopy()
    {
        var recent = new RecentWrites(new StepClock());
        recent.Wrote(Row("a"));
        recent.Wrote(Row("b"));

        recent.Forget("a");

        Assert.Null(recent.Recent("a", TimeSpan.FromSeconds(1)));
        Assert.NotNull(recent.Recent("b", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Wrote_OverCapacity_DropsTheOldest()
    {
        var recent = new RecentWrites(new StepClock(), capacity: 2);
        foreach (var id in new[] { "a", "b", "c" })
        {
            recent.Wrote(Row(id));
        }

        Assert.Equal(2, recent.Count);
        Assert.Null(recent.Recent("a", TimeSpan.FromSeconds(1)));
        Assert.NotNull(recent.Recent("c", TimeSpan.FromSeconds(1)));
    }
}
