using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Rce.Infrastructure.Queues;

/// <summary>
/// Settings of one queue listener: the <c>host.json</c> <c>extensions.queues</c> settings of the
/// Functions queue extension (read by <see cref="HostJsonQueues.Parse"/>, same defaults and bounds) plus
/// <see cref="Lease"/> and <see cref="LeaseRenewal"/>, which the extension hard-codes and only the
/// self-hosted mode lets configuration override (<see cref="ApplyOverrides"/>).
/// </summary>
public sealed record QueueTriggerOptions
{
    /// <summary>Configuration section of the self-hosted overrides (<c>Queues:Lease</c>, <c>Queues__Lease</c>, …).</summary>
    public const string SectionName = "Queues";

    /// <summary>Most messages one Get Messages call returns (service limit).</summary>
    public const int MaxBatchSize = 32;

    /// <summary>Prefix of the <c>host.json</c> keys in error messages.</summary>
    internal const string HostJsonPrefix = "extensions.queues.";

    /// <summary>Shortest polling interval, and the first back-off step (the extension's constant).</summary>
    public static TimeSpan MinimumPollingInterval { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The extension's processing lease (receive visibility timeout): 10 minutes.</summary>
    public static TimeSpan DefaultLease { get; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest visibility timeout the service accepts: 7 days.</summary>
    public static TimeSpan MaxVisibilityTimeout { get; } = TimeSpan.FromDays(7);

    /// <summary>Messages fetched per poll, 1–32. The default value is 16.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>
    /// A new batch is fetched only when at most this many messages are in flight; ≥ 0.
    /// <see langword="null"/> (the default) means <c>(BatchSize / 2) × processorCount</c>, see <see cref="ResolveNewBatchThreshold"/>.
    /// </summary>
    public int? NewBatchThreshold { get; init; }

    /// <summary>Cap of the empty-queue back-off, ≥ 100 ms. The default value is 1 minute.</summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a <b>failed</b> message stays invisible before its next attempt, 0–7 days. The default value is 0.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>Attempts, the first included, before a failing message goes to the poison queue; ≥ 1. The default value is 5.</summary>
    public int MaxDequeueCount { get; init; } = 5;

    /// <summary>Wire encoding of message bodies. The default value is <see cref="QueueTriggerEncoding.Base64"/>.</summary>
    public QueueTriggerEncoding MessageEncoding { get; init; } = QueueTriggerEncoding.Base64;

    /// <summary>
    /// Self-hosted only: visibility timeout of a received message while it is processed (and of each
    /// renewal), 1 s–7 days, whole seconds (the service counts in seconds). The default value is
    /// <see cref="DefaultLease"/>. If the process dies, the message reappears after this.
    /// </summary>
    public TimeSpan Lease { get; init; } = DefaultLease;

    /// <summary>
    /// Self-hosted only: how often a running invocation's lease is renewed, below <see cref="Lease"/>.
    /// <see langword="null"/> (the default) means half of <see cref="Lease"/>, see <see cref="EffectiveLeaseRenewal"/>.
    /// </summary>
    public TimeSpan? LeaseRenewal { get; init; }

    /// <summary>The renewal interval in force: <see cref="LeaseRenewal"/>, or half of <see cref="Lease"/>.</summary>
    public TimeSpan EffectiveLeaseRenewal => LeaseRenewal ?? Lease / 2;

    /// <summary>The throttle in force on a machine with <paramref name="processorCount"/> processors.</summary>
    /// <param name="processorCount">Usually <see cref="Environment.ProcessorCount"/>.</param>
    /// <returns><see cref="NewBatchThreshold"/>, or <c>(BatchSize / 2) × processorCount</c> (integer division, as the extension).</returns>
    public int ResolveNewBatchThreshold(int processorCount) => NewBatchThreshold ?? (BatchSize / 2 * Math.Max(1, processorCount));

    /// <summary>
    /// Whether this process may run a message it sends itself without receiving it (self-hosted
    /// only, see <see cref="QueueListener.TryReserveLocal"/>): <c>Queues:LocalDispatch</c>. The
    /// default value is true; false makes every message wait for a receive, as in hosted mode.
    /// </summary>
    public bool LocalDispatch { get; init; } = true;

    /// <summary>Checks every bound.</summary>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="QueueSettingsException">A setting is out of bounds; the message names its key.</exception>
    public QueueTriggerOptions Validate()
    {
        if (BatchSize is < 1 or > MaxBatchSize)
        {
            throw new QueueSettingsException(HostJsonPrefix + "batchSize", $"must be between 1 and {MaxBatchSize}, was {BatchSize}.");
        }

        if (NewBatchThreshold < 0)
        {
            throw new QueueSettingsException(HostJsonPrefix + "newBatchThreshold", $"must be 0 or more, was {NewBatchThreshold}.");
        }

        if (MaxPollingInterval < MinimumPollingInterval)
        {
            throw new QueueSettingsException(
                HostJsonPrefix + "maxPollingInterval (or " + SectionName + ":MaxPollingInterval)",
                $"must be at least {MinimumPollingInterval}, was {MaxPollingInterval}.");
        }

        if (VisibilityTimeout < TimeSpan.Zero || VisibilityTimeout > MaxVisibilityTimeout)
        {
            throw new QueueSettingsException(HostJsonPrefix + "visibilityTimeout", $"must be between 00:00:00 and {MaxVisibilityTimeout}, was {VisibilityTimeout}.");
        }

        if (MaxDequeueCount < 1)
        {
            throw new QueueSettingsException(HostJsonPrefix + "maxDequeueCount", $"must be 1 or more, was {MaxDequeueCount}.");
        }

        if (!Enum.IsDefined(MessageEncoding))
        {
            throw new QueueSettingsException(HostJsonPrefix + "messageEncoding", $"must be base64 or none, was {MessageEncoding}.");
        }

        // The SDK truncates visibility timeouts to whole seconds: a 1.5 s lease would silently be 1 s.
        if (Lease < TimeSpan.FromSeconds(1) || Lease > MaxVisibilityTimeout || Lease.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new QueueSettingsException(SectionName + ":Lease", $"must be whole seconds between 00:00:01 and {MaxVisibilityTimeout}, was {Lease}.");
        }

        // A renewal at or after the lease's end comes too late: another consumer may already hold the message.
        if (EffectiveLeaseRenewal <= TimeSpan.Zero || EffectiveLeaseRenewal >= Lease)
        {
            throw new QueueSettingsException(SectionName + ":LeaseRenewal", $"must be more than 0 and less than the lease ({Lease}), was {EffectiveLeaseRenewal}.");
        }

        return this;
    }

    /// <summary>
    /// Applies the self-hosted overrides <c>Queues:Lease</c>, <c>Queues:LeaseRenewal</c>,
    /// <c>Queues:MaxPollingInterval</c> (TimeSpan strings such as <c>00:00:05</c>) and
    /// <c>Queues:LocalDispatch</c> (true or false) found in
    /// <paramref name="configuration"/>, then validates. A <c>Lease</c> without <c>LeaseRenewal</c>
    /// renews at half the new lease.
    /// </summary>
    /// <param name="configuration">The root configuration (not the <c>Queues</c> section itself).</param>
    /// <returns>A validated copy with the overrides applied.</returns>
    /// <exception cref="QueueSettingsException">An override is malformed or out of bounds.</exception>
    public QueueTriggerOptions ApplyOverrides(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        return (this with
        {
            Lease = ReadTimeSpan(section, nameof(Lease)) ?? Lease,
            LeaseRenewal = ReadTimeSpan(section, nameof(LeaseRenewal)) ?? LeaseRenewal,
            MaxPollingInterval = ReadTimeSpan(section, nameof(MaxPollingInterval)) ?? MaxPollingInterval,
            LocalDispatch = ReadBoolean(section, nameof(LocalDispatch)) ?? LocalDispatch,
        }).Validate();
    }

    private static bool? ReadBoolean(IConfigurationSection section, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return bool.TryParse(text, out var value)
            ? value
            : throw new QueueSettingsException(SectionName + ":" + key, $"'{text}' is not true or false.");
    }

    private static TimeSpan? ReadTimeSpan(IConfigurationSection section, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new QueueSettingsException(SectionName + ":" + key, $"'{text}' is not a TimeSpan such as 00:00:05.");
    }
}
