using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Polly;
using Rce.Core.Runners;

namespace Rce.Infrastructure.Runners;

/// <summary>
/// <see cref="IRunnerClient"/> over HTTP: <c>POST {runner}/v1/executions</c> with the runner's bearer
/// token, balanced, retried and broken per <see cref="RunnerPool"/>. The whole body is read within
/// the attempt, so the attempt's timeout also bounds a runner that stalls mid-answer.
/// </summary>
internal sealed class HttpRunnerClient(HttpClient http, RunnerPool pool, ILogger<HttpRunnerClient> logger) : IRunnerClient
{
    /// <inheritdoc />
    public async Task<RunnerResponse> ExecuteAsync(RunnerRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = new RunnerCall(request);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RunnerCall.Key, call);
        HttpResponseMessage response;
        try
        {
            response = await pool.Calls.ExecuteAsync(static (ctx, state) => state.Client.AttemptAsync(ctx, state.Call), context, (Client: this, Call: call)).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsUnavailable(exception, cancellationToken))
        {
            var runner = call.Last?.BaseUrl ?? pool.Endpoints[0].BaseUrl;
            RunnerClientLog.Unavailable(logger, call.Attempts, runner, RunnerFailures.Describe(Outcome.FromException<HttpResponseMessage>(exception)));
            throw new RunnerUnavailableException($"No runner answered after {call.Attempts} attempts (last: {runner}).", exception);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        using (response)
        {
            // Already buffered by SendAsync (ResponseContentRead): this copies, it does not wait on the runner.
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return new RunnerResponse((int)response.StatusCode, body, call.Last!.BaseUrl, call.Attempts);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RunnerProbe>> ProbeAsync(CancellationToken cancellationToken = default) =>
        await Task.WhenAll(pool.Endpoints.Select(e => RunnerProber.ProbeAsync(http, e, cancellationToken))).ConfigureAwait(false);

    private static bool IsUnavailable(Exception exception, CancellationToken cancellationToken) =>
        exception is HttpRequestException or ExecutionRejectedException
        || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private async ValueTask<HttpResponseMessage> AttemptAsync(ResilienceContext context, RunnerCall call)
    {
        var runner = pool.Select(call.Tried);
        call.Begin(runner);
        runner.Enter();
        try
        {
            return await runner.Pipeline.ExecuteAsync(static (ctx, state) => state.Client.SendAsync(state.Runner, state.Request, ctx.CancellationToken), context, (Client: this, Runner: runner, call.Request)).ConfigureAwait(false);
        }
        finally
        {
            runner.Exit();
        }
    }

    private async ValueTask<HttpResponseMessage> SendAsync(RunnerEndpoint runner, RunnerRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, runner.ExecutionsUri) { Content = new ReadOnlyMemoryContent(request.Body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.Authorization = runner.Authorization;
        return await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }
}
