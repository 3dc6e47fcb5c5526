using System.Net;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Rce.Core.Runners;
using static Rce.Infrastructure.Tests.Runners.FakeRunnerHandler;

namespace Rce.Infrastructure.Tests.Runners;

public sealed class HttpRunnerClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExecuteAsync_Answer_SendsBodyWithBearerAndReturnsIt()
    {
        using var handler = new FakeRunnerHandler((_, _) => Task.FromResult(Json(HttpStatusCode.OK, """{"verdict":"AC"}""")));
        var (client, _) = TestClients.Create(TestClients.Options(5101), handler);

        var response = await client.ExecuteAsync(TestClients.Request(), Ct);

        var sent = Assert.Single(handler.Requests);
        Assert.Equal(new Uri("http://127.0.0.1:5101/v1/executions"), sent.Uri);
        Assert.Equal("Bearer " + TestClients.Token, sent.Authorization);
        Assert.Equal("application/json", sent.ContentType);
        Assert.Equal("""{"language":"bash","source":"echo ok"}""", System.Text.Encoding.UTF8.GetString(sent.Body));
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("""{"verdict":"AC"}""", System.Text.Encoding.UTF8.GetString(response.Body.Span));
        Assert.Equal(new Uri("http://127.0.0.1:5101/"), response.Runner);
        Assert.Equal(1, response.Attempts);
    }

    [Fact]
    public async Task ExecuteAsync_RefusedPort_FailsOverToSecondRunner()
    {
        var dead = ClosedPort();
        using var handler = new FakeRunnerHandler((_, _) => Task.FromResult(Json(HttpStatusCode.OK, "{}")));
        handler.RealPorts.Add(dead);
        var (client, _) = TestClients.Create(TestClients.Options(dead, 5102), handler);

        var response = await client.ExecuteAsync(TestClients.Request(), Ct);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(5102, response.Runner.Port);
        Assert.Equal(2, response.Attempts);
        Assert.Equal(1, handler.CallsTo(dead));
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task ExecuteAsync_ErrorAnswer_ReturnedNotRetried(HttpStatusCode status)
    {
        using var handler = new FakeRunnerHandler((_, _) => Task.FromResult(Json(status, """{"title":"bad"}""")));
        var (client, _) = TestClients.Create(TestClients.Options(5101, 5102), handler);

        var response = await client.ExecuteAsync(TestClients.Request(), Ct);

        Assert.Equal((int)status, response.StatusCode);
        Assert.Equal("""{"title":"bad"}""", System.Text.Encoding.UTF8.GetString(response.Body.Span));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task ExecuteAsync_503WithAnotherRunner_MovesToIt()
    {
        using var handler = new FakeRunnerHandler((request, _) => Task.FromResult(request.RequestUri!.Port == 5101
            ? Json(HttpStatusCode.ServiceUnavailable, """{"title":"Sandbox unavailable"}""")
            : Json(HttpStatusCode.OK, "{}")));
        var (client, _) = TestClients.Create(TestClients.Options(5101, 5102), handler);

        var response = await client.ExecuteAsync(TestClients.Request(), Ct);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(5102, response.Runner.Port);
        Assert.Equal(1, handler.CallsTo(5101));
    }

    [Fact]
    public async Task ExecuteAsync_503WithNoOtherRunner_ReturnedNotResent()
    {
        using var handler = new FakeRunnerHandler((_, _) => Task.FromResult(Json(HttpStatusCode.ServiceUnavailable, """{"title":"Sandbox unavailable"}""")));
        var (client, _) = TestClients.Create(TestClients.Options(5101), handler);

        var response = await client.ExecuteAsync(TestClients.Request(), Ct);

        Assert.Equal(503, response.StatusCode);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task ExecuteAsync_TransportFailsEverywhere_RetriesThenThrowsUnavailable()
    {
        using var handler = new FakeRunnerHandler((_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"));
        var options = TestClients.Options(5101, 5102);
        options.RetryCount = 3;
        var (client, _) = TestClients.Create(options, handler);

        var error = await Assert.ThrowsAsync<RunnerUnavailableException>(() => client.ExecuteAsync(TestClients.Request(), Ct));

        Assert.Equal(4, handler.Requests.Count);
        Assert.True(handler.CallsTo(5101) >= 1 && handler.CallsTo(5102) >= 1, "both runners were tried");
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task ExecuteAsync_RepeatedTransportFailures_OpenTheCircuit()
    {
        using var handler = new FakeRunnerHandler((_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"));
        var options = TestClients.Options(5101);
        (options.RetryCount, options.CircuitMinimumThroughput, options.CircuitFailureRatio) = (0, 2, 0.5);
        var (client, _) = TestClients.Create(options, handler);

        await Assert.ThrowsAsync<RunnerUnavailableException>(() => client.ExecuteAsync(TestClients.Request(), Ct));
        await Assert.ThrowsAsync<RunnerUnavailableException>(() => client.ExecuteAsync(TestClients.Request(), Ct));
        var rejected = await Assert.ThrowsAsync<RunnerUnavailableException>(() => client.ExecuteAsync(TestClients.Request(), Ct));

        Assert.IsType<BrokenCircuitException>(rejected.InnerException, exactMatch: false);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task ExecuteAsync_OneRunnerCircuitOpen_TrafficGoesToTheOther()
    {
        using var handler = new FakeRunnerHandler((request, _) => request.RequestUri!.Port == 5101
            ? throw new HttpRequestException(HttpRequestError.ConnectionError, "refused")
            : Task.FromResult(Json(HttpStatusCode.OK, "{}")));
        var options = TestClients.Options(5101, 5102);
        (options.CircuitMinimumThroughput, options.CircuitFailureRatio) = (2, 0.5);
        var (client, pool) = TestClients.Create(options, handler);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(200, (await client.ExecuteAsync(TestClients.Request(), Ct)).StatusCode);
        }

        var failedBefore = handler.CallsTo(5101);
        for (var i = 0; i < 6; i++)
        {
            var response = await client.ExecuteAsync(TestClients.Request(), Ct);
            Assert.Equal((200, 1), (response.StatusCode, response.Attempts));
        }

        Assert.False(pool.Endpoints[0].IsAvailable(TimeProvider.System));
        Assert.Equal(failedBefore, handler.CallsTo(5101));
    }

    [Fact]
    public async Task ExecuteAsync_SlowRunner_TimesOutFromTheLimitsAndIsNotRetried()
    {
        using var handler = new FakeRunnerHandler(async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return Json(HttpStatusCode.OK, "{}");
        });
        var options = TestClients.Options(5101, 5102);
        options.TimeoutMarginMs = 100;
        var (client, _) = TestClients.Create(options, handler);
        var started = TimeProvider.System.GetTimestamp();

        var error = await Assert.ThrowsAsync<RunnerUnavailableException>(() => client.ExecuteAsync(TestClients.Request(tests: 2, testWallMs: 100, compileWallMs: 100), Ct));

        // compile 100 + 2 tests × 100 on 1 slot + margin 100 = 400 ms.
        Assert.IsType<TimeoutRejectedException>(error.InnerException);
        Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.FromMilliseconds(380), TimeSpan.FromSeconds(10));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancels_ThrowsCanceledWithoutRetry()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var handler = new FakeRunnerHandler(async (_, ct) =>
        {
            await cancel.CancelAsync();
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return Json(HttpStatusCode.OK, "{}");
        });
        var (client, _) = TestClients.Create(TestClients.Options(5101, 5102), handler);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ExecuteAsync(TestClients.Request(), cancel.Token));

        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task ExecuteAsync_ConcurrentCalls_GoToTheLeastBusyRunner()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = new FakeRunnerHandler(async (request, ct) =>
        {
            if (request.RequestUri!.Port == 5101)
            {
                await release.Task.WaitAsync(ct);
            }

            return Json(HttpStatusCode.OK, "{}");
        });
        var (client, pool) = TestClients.Create(TestClients.Options(5101, 5102), handler);

        var held = client.ExecuteAsync(TestClients.Request(), Ct);
        Assert.Equal(1, pool.Endpoints[0].InFlight);

        // Round-robin alone would also say 5102 for the second call: the third one must not go back to the busy 5101.
        Assert.Equal(5102, (await client.ExecuteAsync(TestClients.Request(), Ct)).Runner.Port);
        Assert.Equal(5102, (await client.ExecuteAsync(TestClients.Request(), Ct)).Runner.Port);

        release.SetResult();
        Assert.Equal(5101, (await held).Runner.Port);
        Assert.Equal(0, pool.Endpoints[0].InFlight);
    }
}
