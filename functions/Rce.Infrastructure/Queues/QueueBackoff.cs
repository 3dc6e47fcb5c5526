namespace Rce.Infrastructure.Queues;

/// <summary>
/// The extension's randomized exponential back-off of an empty queue (its
/// <c>RandomizedExponentialBackoffStrategy</c>): 100 ms, then <c>100 ms + r × 2^(n−1) × 100 ms</c> with
/// <c>r</c> uniform in [0.8, 1.2], capped at the maximum, back to 100 ms once a message was found.
/// Not thread-safe: one instance per polling loop.
/// </summary>
public sealed class QueueBackoff
{
    private const double RandomizationFactor = 0.2;
    private readonly TimeSpan _maximum;
    private readonly Random _random;
    private TimeSpan _current;
    private int _exponent;

    /// <summary>Creates the back-off with a shared random source.</summary>
    /// <param name="maximum">The cap, at least <see cref="QueueTriggerOptions.MinimumPollingInterval"/>.</param>
    public QueueBackoff(TimeSpan maximum)
        : this(maximum, Random.Shared)
    {
    }

    /// <summary>Creates the back-off.</summary>
    /// <param name="maximum">The cap, at least <see cref="QueueTriggerOptions.MinimumPollingInterval"/>.</param>
    /// <param name="random">The source of <c>r</c>; tests pass a fixed one.</param>
    public QueueBackoff(TimeSpan maximum, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maximum, QueueTriggerOptions.MinimumPollingInterval);
        _maximum = maximum;
        _random = random ?? throw new ArgumentNullException(nameof(random));
        _current = QueueTriggerOptions.MinimumPollingInterval;
    }

    /// <summary>The last delay returned (100 ms before the first call).</summary>
    public TimeSpan Current => _current;

    /// <summary>The next wait.</summary>
    /// <param name="foundMessage">Whether a message was found since the previous delay; resets the back-off.</param>
    /// <returns>The delay to wait before polling again.</returns>
    public TimeSpan Next(bool foundMessage)
    {
        var minimum = QueueTriggerOptions.MinimumPollingInterval;
        if (foundMessage)
        {
            _current = minimum;
            _exponent = 1;
        }
        else if (_current != _maximum)
        {
            var next = minimum;
            if (_exponent > 0)
            {
                // Jitter keeps many idle listeners from polling in lockstep.
                var r = 1.0 - RandomizationFactor + (_random.NextDouble() * 2 * RandomizationFactor);
                next += TimeSpan.FromMilliseconds(r * Math.Pow(2, _exponent - 1) * minimum.TotalMilliseconds);
            }

            if (next < _maximum)
            {
                _current = next;
                _exponent++;
            }
            else
            {
                _current = _maximum;
            }
        }

        return _current;
    }
}
