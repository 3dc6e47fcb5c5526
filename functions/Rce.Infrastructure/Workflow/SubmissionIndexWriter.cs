using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Rce.Core.Submissions;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// Listing entries written after their rows, in bulk (<see cref="ISubmissionStore.CreateListedLaterAsync"/>):
/// a tenant's entries wait here at most <c>delay</c> (or until a transaction's worth, 100, is
/// waiting) and go out as one request per hundred, instead of one request per submission before
/// its row. What is given here is owed to a reconcile check that lists the row itself
/// (<see cref="ISubmissionStore.EnsureListedAsync"/>), so nothing here is the only copy of anything:
/// a crash, a write that keeps failing or a full writer costs the listing a late entry, never a row.
/// </summary>
/// <remarks>
/// Invariants: one write at a time per tenant (entries given while one runs go in the next); an
/// entry that failed is tried again, at most <see cref="MaxAttempts"/> times in all; at most
/// <see cref="MaxWaiting"/> entries wait (past that, <see cref="TryAdd"/> refuses and the caller
/// writes the entry itself); after <see cref="DisposeAsync"/> (the process stopping) what waits is
/// written once and nothing more is taken.
/// </remarks>
internal sealed class SubmissionIndexWriter : IAsyncDisposable
{
    /// <summary>How long an entry waits for others of its tenant by default: the listing's lag behind a 202.</summary>
    public static readonly TimeSpan DefaultDelay = TimeSpan.FromMilliseconds(new WorkflowOptions().ListingDelayMs);

    /// <summary>Most entries waiting at once, all tenants together.</summary>
    public const int MaxWaiting = 10_000;

    /// <summary>Writes of one entry before it is left to its reconcile check.</summary>
    public const int MaxAttempts = 3;

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Func<IReadOnlyCollection<Submission>, CancellationToken, Task> _write;
    private readonly TimeSpan _delay;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Tenant> _tenants = new(StringComparer.Ordinal);
    private int _waiting;
    private bool _stopped;

    /// <summary>Creates the writer.</summary>
    /// <param name="write">Writes entries (upserts; <see cref="SubmissionIndex.AddManyAsync"/>).</param>
    /// <param name="delay">How long an entry waits for others of its tenant.</param>
    /// <param name="time">The clock of the waits.</param>
    /// <param name="logger">Logs writes that failed.</param>
    public SubmissionIndexWriter(Func<IReadOnlyCollection<Submission>, CancellationToken, Task> write, TimeSpan delay, TimeProvider time, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        _write = write;
        _delay = delay;
        _time = time;
        _logger = logger;
    }

    /// <summary>Entries waiting to be written.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting;
            }
        }
    }

    /// <summary>Takes the entry of a stored row, to be written with its tenant's next write.</summary>
    /// <param name="row">The row just created.</param>
    /// <returns>False when full or stopped: the caller writes the entry itself.</returns>
    public bool TryAdd(Submission row)
    {
        ArgumentNullException.ThrowIfNull(row);
        bool full;
        lock (_lock)
        {
            if (_stopped || _waiting >= MaxWaiting)
            {
                return false;
            }

            var tenant = TenantOf(row.Tenant);
            if (tenant.Entries.TryAdd(row.Id, (row, 0)))
            {
                _waiting++;
            }

            full = tenant.Entries.Count >= TableTransactions.MaxActions;
            if (!full)
            {
                tenant.Timer ??= StartTimer(row.Tenant);
            }
        }

        if (full)
        {
            _ = WriteInBackgroundAsync(row.Tenant);
        }

        return true;
    }

    /// <summary>Forgets the waiting entry of a submission being purged (so it is not written after the purge).</summary>
    /// <param name="tenant">Its tenant.</param>
    /// <param name="id">Its id.</param>
    public void Remove(string tenant, string id)
    {
        lock (_lock)
        {
            if (_tenants.TryGetValue(tenant, out var waiting) && waiting.Entries.Remove(id))
            {
                _waiting--;
            }
        }
    }

    /// <summary>Writes what waits for <paramref name="tenant"/> now (a listing of the tenant reads its own process's writes).</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">Cancels the wait and the write; entries not written wait again.</param>
    /// <returns>A task; failures are logged, not thrown (the entries wait again or are left to their checks).</returns>
    public async Task FlushAsync(string tenant, CancellationToken cancellationToken)
    {
        Tenant? waiting;
        lock (_lock)
        {
            if (!_tenants.TryGetValue(tenant, out waiting) || (waiting.Entries.Count == 0 && waiting.Writing.CurrentCount == 1))
            {
                return; // nothing waits, nothing is being written
            }
        }

        await waiting.Writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteWaitingAsync(tenant, waiting, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            waiting.Writing.Release();
        }
    }

    /// <summary>Stops taking entries and writes what waits, once, within a bound.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        string[] tenants;
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            tenants = [.. _tenants.Keys];
            foreach (var tenant in _tenants.Values)
            {
                tenant.Timer?.Dispose();
                tenant.Timer = null;
            }
        }

        using var bound = new CancellationTokenSource(StopTimeout);
        foreach (var tenant in tenants)
        {
            try
            {
                await FlushAsync(tenant, bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break; // what still waits is listed by its reconcile check
            }
        }
    }

    private Tenant TenantOf(string name)
    {
        if (!_tenants.TryGetValue(name, out var tenant))
        {
            tenant = new Tenant();
            _tenants[name] = tenant;
        }

        return tenant;
    }

    private ITimer StartTimer(string tenant) => _time.CreateTimer(OnTimer, tenant, _delay, Timeout.InfiniteTimeSpan);

    private void OnTimer(object? tenant) => _ = WriteInBackgroundAsync((string)tenant!);

    /// <summary>A write nobody awaits: it never throws (<see cref="WriteWaitingAsync"/> logs failures and throws only for a cancelled caller, and none is given here).</summary>
    private Task WriteInBackgroundAsync(string tenant) => FlushAsync(tenant, CancellationToken.None);

    /// <summary>Takes what waits for the tenant and writes it; on failure puts back what has attempts left.</summary>
    private async Task WriteWaitingAsync(string name, Tenant tenant, CancellationToken cancellationToken)
    {
        List<(Submission Row, int Attempts)> taken;
        lock (_lock)
        {
            taken = [.. tenant.Entries.Values];
            tenant.Entries.Clear();
            _waiting -= taken.Count;
            tenant.Timer?.Dispose();
            tenant.Timer = null;
        }

        if (taken.Count == 0)
        {
            return;
        }

        try
        {
            await _write([.. taken.Select(entry => entry.Row)], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            var kept = 0;
            lock (_lock)
            {
                foreach (var (row, attempts) in taken)
                {
                    // A cancelled write (a listing's caller gone) was not a failure of the entry.
                    var next = error is OperationCanceledException ? attempts : attempts + 1;
                    if (!_stopped && next < MaxAttempts && tenant.Entries.TryAdd(row.Id, (row, next)))
                    {
                        _waiting++;
                        kept++;
                    }
                }

                if (kept > 0)
                {
                    tenant.Timer ??= StartTimer(name);
                }
            }

            if (error is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            WorkflowStorageLog.ListingNotWritten(_logger, taken.Count, kept, StorageErrors.Describe(error));
        }
    }

    /// <summary>A tenant's waiting entries (by id), its one write at a time and its timer.</summary>
    [SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The semaphore never allocates a wait handle (only WaitAsync is used); the timer is disposed when it fires or on stop.")]
    private sealed class Tenant
    {
        public Dictionary<string, (Submission Row, int Attempts)> Entries { get; } = new(StringComparer.Ordinal);

        public SemaphoreSlim Writing { get; } = new(1, 1);

        public ITimer? Timer { get; set; }
    }
}
