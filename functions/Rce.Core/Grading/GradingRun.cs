namespace Rce.Core.Grading;

/// <summary>
/// The live skip state of one grading: which tests may still start, and cancelling those in
/// flight once an earlier failure makes their results irrelevant.
/// </summary>
/// <remarks>
/// Starting and failing are serialized by one lock, so a test either registers before a failure
/// (and is cancelled by it) or sees the failure (and never starts). This only saves work; what is
/// reported is decided afterwards by <see cref="GradeAssembler"/>.
/// </remarks>
internal sealed class GradingRun : IDisposable
{
    private readonly Lock _lock = new();
    private readonly IReadOnlyList<TestCase> _tests;
    private readonly bool _stopOnFirstFailure;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenSource?[] _inFlight;
    private readonly Dictionary<string, int> _batchStops = new(StringComparer.Ordinal);
    private int _globalStop = int.MaxValue;

    public GradingRun(IReadOnlyList<TestCase> tests, bool stopOnFirstFailure, CancellationToken callerToken)
    {
        _tests = tests;
        _stopOnFirstFailure = stopOnFirstFailure;
        _callerToken = callerToken;
        _inFlight = new CancellationTokenSource?[tests.Count];
    }

    /// <summary>Registers test <paramref name="index"/> as started, or returns null if it must not start.</summary>
    public CancellationToken? TryStart(int index)
    {
        lock (_lock)
        {
            if (IsStopped(index))
            {
                return null;
            }

            var source = CancellationTokenSource.CreateLinkedTokenSource(_callerToken);
            _inFlight[index] = source;
            return source.Token;
        }
    }

    /// <summary>Records that test <paramref name="index"/> did not pass, and cancels the later tests it stops.</summary>
    public void Failed(int index)
    {
        var batch = _tests[index].Batch;
        if (!_stopOnFirstFailure && batch is null)
        {
            // This failure stops nothing.
            return;
        }

        var toCancel = new List<CancellationTokenSource>();
        lock (_lock)
        {
            if (_stopOnFirstFailure)
            {
                _globalStop = Math.Min(_globalStop, index);
            }

            if (batch is not null)
            {
                _batchStops[batch] = Math.Min(_batchStops.GetValueOrDefault(batch, int.MaxValue), index);
            }

            for (var later = index + 1; later < _tests.Count; later++)
            {
                if (_inFlight[later] is { } source && IsStopped(later))
                {
                    toCancel.Add(source);
                }
            }
        }

        // Outside the lock: cancellation runs the backend's callbacks synchronously.
        foreach (var source in toCancel)
        {
            try
            {
                source.Cancel();
            }
            catch (AggregateException)
            {
                // A backend callback failed; the cancelled test's result is discarded anyway.
            }
        }
    }

    /// <summary>Disposes the per-test token sources; only once no test is running.</summary>
    public void Dispose()
    {
        foreach (var source in _inFlight)
        {
            source?.Dispose();
        }
    }

    private bool IsStopped(int index) =>
        index > _globalStop
        || (_tests[index].Batch is { } batch && _batchStops.TryGetValue(batch, out var stop) && index > stop);
}
