using System.Net.Sockets;
using Azure;
using Rce.Infrastructure.Storage;

namespace Rce.Infrastructure.Tests.Storage;

/// <summary>Storage not answering (retry later: 503) told from storage answering (an outcome, or our bug: 500).</summary>
public sealed class StorageOutageTests
{
    [Theory]
    [InlineData(0)] // no answer: refused, reset
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(504)]
    public void NoAnswerOrServiceTrouble_IsOutage(int status)
    {
        Assert.True(StorageOutage.Is(new RequestFailedException(status, "x")));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(412)]
    [InlineData(413)]
    public void AnAnswer_IsNot(int status)
    {
        Assert.False(StorageOutage.Is(new RequestFailedException(status, "x")));
    }

    [Fact]
    public void RetriesGivenUp_OutageOnlyWhenEveryAttemptWas()
    {
        var timeout = new TaskCanceledException("exceeded the configured timeout", new TimeoutException());

        Assert.True(StorageOutage.Is(new AggregateException(new RequestFailedException(0, "refused"), timeout, new RequestFailedException(503, "busy"))));
        Assert.False(StorageOutage.Is(new AggregateException(new RequestFailedException(503, "busy"), new RequestFailedException(403, "signature"))));
        Assert.False(StorageOutage.Is(new AggregateException()));
    }

    [Fact]
    public void Timeouts_AndTransportFailures_AreOutages_APlainCancellationIsNot()
    {
        Assert.True(StorageOutage.Is(new TaskCanceledException("exceeded the configured timeout", new TimeoutException())));
        Assert.True(StorageOutage.Is(new TimeoutException()));
        Assert.True(StorageOutage.Is(new HttpRequestException("refused")));
        Assert.True(StorageOutage.Is(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.False(StorageOutage.Is(new OperationCanceledException())); // the caller's own cancellation
        Assert.False(StorageOutage.Is(new InvalidOperationException()));
        Assert.False(StorageOutage.Is(new FormatException()));
    }

    [Fact]
    public void Describe_StatusAndCode_NeverTheMessage()
    {
        var error = new RequestFailedException(503, "secret-looking text", "ServerBusy", null);

        Assert.Equal("503 ServerBusy", StorageOutage.Describe(error));
        Assert.Equal("503 ServerBusy", StorageOutage.Describe(new AggregateException(new RequestFailedException(0, "a"), error)));
    }
}
