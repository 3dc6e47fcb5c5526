using Rce.Core.Submissions;

namespace Rce.Core.Tests.Submissions;

public sealed class SubmissionStatusesTests
{
    [Theory]
    [InlineData(SubmissionStatus.Queued, false)]
    [InlineData(SubmissionStatus.Running, false)]
    [InlineData(SubmissionStatus.Completed, true)]
    [InlineData(SubmissionStatus.Failed, true)]
    [InlineData(SubmissionStatus.Terminated, true)]
    public void IsTerminal(SubmissionStatus status, bool terminal)
    {
        Assert.Equal(terminal, status.IsTerminal());
    }

    [Theory]
    [InlineData("Queued", SubmissionStatus.Queued)]
    [InlineData("running", SubmissionStatus.Running)]
    [InlineData("COMPLETED", SubmissionStatus.Completed)]
    [InlineData("failed", SubmissionStatus.Failed)]
    [InlineData("Terminated", SubmissionStatus.Terminated)]
    public void TryParse_NameAnyCase_Parsed(string text, SubmissionStatus expected)
    {
        Assert.True(SubmissionStatuses.TryParse(text, out var status));
        Assert.Equal(expected, status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("2")]
    [InlineData("-1")]
    [InlineData("99")]
    [InlineData("Pending")]
    [InlineData("Queue")]
    public void TryParse_NotAStatusName_Rejected(string? text)
    {
        Assert.False(SubmissionStatuses.TryParse(text, out _));
    }
}
