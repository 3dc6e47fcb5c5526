using Rce.Sandbox;
using Rce.Sandbox.Execution;
using Rce.Sandbox.Languages;

namespace Rce.Runner.Hosting;

/// <summary>
/// The runner's one sandbox, its language catalog and the self-test results that gate readiness.
/// </summary>
/// <remarks>
/// If the sandbox cannot be built, the runner still starts so that <c>/health</c> can say why, but
/// every execution answers 503: code is never run unsandboxed.
/// </remarks>
internal sealed class SandboxHost : IDisposable
{
    private readonly Dictionary<string, SelfTestResult> _selfTests = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public SandboxHost(SandboxOptions options, ILogger<SandboxHost> logger)
    {
        Catalog = LanguageCatalog.Detect();
        try
        {
            Sandbox = Rce.Sandbox.Sandbox.Create(options, logger);
            Executor = new ProgramExecutor(Sandbox);
        }
        catch (SandboxUnavailableException ex)
        {
            Problem = ex.Message;
            RunnerLog.SandboxUnavailable(logger, ex.Message);
        }
    }

    public Rce.Sandbox.Sandbox? Sandbox { get; }

    public ProgramExecutor? Executor { get; }

    public LanguageCatalog Catalog { get; }

    /// <summary>Why the sandbox is unavailable, if it is.</summary>
    public string? Problem { get; }

    /// <summary>Whether the start-up self-tests have finished.</summary>
    public bool SelfTestsDone { get; private set; }

    public IReadOnlyDictionary<string, SelfTestResult> SelfTests
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, SelfTestResult>(_selfTests, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>A language that is installed and whose self-test passed.</summary>
    public LanguageDefinition? FindUsable(string id)
    {
        var language = Catalog.Find(id);
        lock (_gate)
        {
            return language is not null && (!SelfTestsDone || _selfTests.GetValueOrDefault(id)?.Passed == true) ? language : null;
        }
    }

    public string? VersionOf(string id)
    {
        lock (_gate)
        {
            return _selfTests.GetValueOrDefault(id)?.Version;
        }
    }

    public void Record(IEnumerable<SelfTestResult> results)
    {
        lock (_gate)
        {
            foreach (var result in results)
            {
                _selfTests[result.LanguageId] = result;
            }

            SelfTestsDone = true;
        }
    }

    public void Dispose() => Sandbox?.Dispose();
}
