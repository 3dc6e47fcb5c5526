using Rce.Core.Submissions;

namespace Rce.Core.Tests.Submissions;

/// <summary>Batch members' ids: the same batch id and position give the same id, anything else another.</summary>
public sealed class SubmissionMemberIdTests
{
    [Fact]
    public void MemberId_SameBatchAndIndex_SameId_InTheApisFormat()
    {
        var batch = Submission.NewId();

        var id = Submission.MemberId(batch, 7);

        Assert.Equal(id, Submission.MemberId(batch, 7));
        Assert.Matches("^[0-9a-f]{32}$", id);
    }

    [Fact]
    public void MemberId_DistinctAcrossPositionsAndBatches()
    {
        var (a, b) = (Submission.NewId(), Submission.NewId());

        var ids = Enumerable.Range(0, 1000).SelectMany(i => new[] { Submission.MemberId(a, i), Submission.MemberId(b, i) }).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(a, ids);
    }

    [Fact]
    public void MemberId_BadArguments_Refused()
    {
        Assert.Throws<ArgumentException>(() => Submission.MemberId(string.Empty, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Submission.MemberId("b", -1));
    }
}
