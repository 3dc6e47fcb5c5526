using Polly;
using Rce.Core.Runners;

namespace Rce.Infrastructure.Runners;

/// <summary>State of one <see cref="IRunnerClient.ExecuteAsync"/> call across its attempts, carried in the Polly context.</summary>
internal sealed class RunnerCall(RunnerRequest request)
{
    public static readonly ResiliencePropertyKey<RunnerCall> Key = new("rce.runner-call");

    private readonly List<RunnerEndpoint> _tried = [];

    public RunnerRequest Request { get; } = request;

    /// <summary>Runners tried so far, so that a retry goes to another one when there is one.</summary>
    public IReadOnlyList<RunnerEndpoint> Tried => _tried;

    public RunnerEndpoint? Last { get; private set; }

    public int Attempts { get; private set; }

    public void Begin(RunnerEndpoint runner)
    {
        if (!_tried.Contains(runner))
        {
            _tried.Add(runner);
        }

        Last = runner;
        Attempts++;
    }
}
