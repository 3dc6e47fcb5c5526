namespace Rce.Core.Runners;

/// <summary>
/// The only way the Functions side reaches a runner (design §1): one call per submission, compile
/// once and every test in parallel on the runner. Untrusted code never runs in the caller's process.
/// </summary>
public interface IRunnerClient
{
    /// <summary>Sends one execution request to a runner and returns its answer, whatever its status code.</summary>
    /// <param name="request">The body of <c>POST /v1/executions</c> and the limits that bound the call.</param>
    /// <param name="cancellationToken">Cancels the call; cancellation is never retried.</param>
    /// <returns>The first answer of a runner: a 4xx or 5xx body is an answer too, not a failure.</returns>
    /// <exception cref="RunnerUnavailableException">No runner answered within the retries and timeouts.</exception>
    Task<RunnerResponse> ExecuteAsync(RunnerRequest request, CancellationToken cancellationToken = default);

    /// <summary>Asks every configured runner for its health and languages, in parallel, each under a short timeout.</summary>
    /// <param name="cancellationToken">Cancels the probes.</param>
    /// <returns>One entry per runner, in configuration order; a runner that did not answer is unhealthy, not an exception.</returns>
    Task<IReadOnlyList<RunnerProbe>> ProbeAsync(CancellationToken cancellationToken = default);
}
