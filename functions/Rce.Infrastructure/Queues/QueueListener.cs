using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace Rce.Infrastructure.Queues;

/// <summary>
/// Self-hosted queue trigger of one function: the Functions queue extension's polling algorithm
/// (existence check, batch receive under a lease, concurrent dispatch throttled by the new-batch
/// threshold, randomized exponential back-off, lease renewal, delete / release / poison), driven by
/// the same <c>host.json</c> settings. Delivery is at least once.
/// </summary>
/// <remarks>
/// Both clients must be created <b>without</b> message encoding (raw text): the listener decodes
/// base64 itself so that an undecodable message can be copied raw to <c>&lt;queue&gt;-poison</c>,
/// and poison copies must be byte-identical to the original.
/// </remarks>
public sealed class QueueListener : IAsyncDisposable
{
    private readonly QueueClient _queue;
    private readonly QueueTriggerOptions _options;
    private readonly QueueMessageHandler _handler;
    private readonly QueueBackoff _backoff;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _threshold;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _invocations = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _wake = NewWake();
    private int _inFlight;
    private int _local;
    private int _started;
    private int _disposed;
    private bool _queueExists;

    // Work waiting for a local place (TryDefer), first in first out; closed (and handed over) at stop.
    private readonly Queue<(Func<CancellationToken, Task> Run, Func<Task> HandOver)> _backlog = new();
    private bool _backlogClosed;

    /// <summary>Creates a stopped listener.</summary>
    /// <param name="queue">The triggering queue, without message encoding.</param>
    /// <param name="service">The account's service client, without message encoding; gives the poison queue.</param>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="function">The function to invoke per message.</param>
    /// <param name="time">The clock of back-off waits and lease renewals.</param>
    /// <param name="logger">The logger.</param>
    public QueueListener(QueueClient queue, QueueServiceClient service, QueueTriggerOptions options, QueueFunction function, TimeProvider time, ILogger logger)
        : this(queue, service, options, function, time, logger, Random.Shared)
    {
    }

    /// <summary>Creates a stopped listener with a given source of back-off jitter (tests).</summary>
    internal QueueListener(QueueClient queue, QueueServiceClient service, QueueTriggerOptions options, QueueFunction function, TimeProvider time, ILogger logger, Random random)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();

        // A poison queue in another account would scatter one queue's failures across storage accounts.
        if (!string.Equals(queue.AccountName, service.AccountName, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The service client's account '{service.AccountName}' is not the queue's ('{queue.AccountName}').", nameof(service));
        }

        _queue = queue;
        _options = options;
        _time = time;
        _logger = logger;
        _threshold = options.ResolveNewBatchThreshold(Environment.ProcessorCount);
        _backoff = new QueueBackoff(options.MaxPollingInterval, random);
        var poisonName = QueueNames.PoisonQueueOf(queue.Name);
        PoisonQueueName = poisonName;
        _handler = new QueueMessageHandler(queue, poisonName is null ? null : service.GetQueueClient(poisonName), options, function, time, logger);
    }

    /// <summary>The triggering queue.</summary>
    public string QueueName => _queue.Name;

    /// <summary>Where failing messages end up, or <see langword="null"/> when this queue has none (see <see cref="QueueNames.PoisonQueueOf"/>).</summary>
    public string? PoisonQueueName { get; }

    /// <summary>Messages received and not yet completed (invocations plus their delete/update/poison calls).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Completes when the polling loop has ended and every in-flight message is completed: after a stop,
    /// or faulted by a storage error that is neither transient nor a missing queue (as the extension,
    /// which lets such errors restart the host; the caller should do the same).
    /// </summary>
    public Task Completion => _completion.Task;

    /// <summary>Starts polling in the background.</summary>
    /// <param name="cancellationToken">Unused: starting does no I/O.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException($"The listener of queue '{QueueName}' was already started.");
        }

        QueueListenerLog.Started(_logger, QueueName, _options.BatchSize, _threshold, _options.Lease);
        _ = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Graceful stop: no new receive, then waits for every in-flight message, including its delete or
    /// update call. When <paramref name="cancellationToken"/> fires (the host stops waiting), the
    /// functions' tokens are cancelled and their completions still awaited.
    /// </summary>
    /// <param name="cancellationToken">Ends the grace period of running functions.</param>
    /// <returns>A task that completes when the listener is idle; faulted like <see cref="Completion"/>.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _started) == 0)
        {
            return;
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            await Completion.ConfigureAwait(false);
            return;
        }

        QueueListenerLog.Stopping(_logger, QueueName, InFlight);
        await _stopping.CancelAsync().ConfigureAwait(false);
        using (cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _invocations))
        {
            await Completion.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Wakes the back-off wait at once (our own producers call it after enqueueing, so that latency does
    /// not depend on the polling interval). A call while a poll is under way makes the next wait return
    /// at once, so no notification is lost between a poll and its wait.
    /// </summary>
    public void Notify() => Volatile.Read(ref _wake).TrySetResult();

    /// <summary>
    /// Reserves a place for a message this process is about to send to this queue, to be run here
    /// without a receive (see <see cref="LocalQueuePlace"/>). Null when local dispatch is off, the
    /// listener is not running or stopping, or it has as many messages in flight as one receive
    /// could add to its threshold (batch size + new-batch threshold, the extension's concurrency
    /// per queue): then the sender sends the message visible, for whoever receives it first.
    /// </summary>
    /// <returns>The place, or null.</returns>
    public LocalQueuePlace? TryReserveLocal()
    {
        return TakesLocalWork && TryTakePlace() ? new LocalQueuePlace(this, _options.Lease) : null;
    }

    /// <summary>Most pieces of work the backlog holds; past it <see cref="TryDefer"/> refuses and the sender sends messages.</summary>
    public const int MaxBacklog = 5_000;

    /// <summary>Pieces of work waiting in the backlog.</summary>
    public int Backlog
    {
        get
        {
            lock (_backlog)
            {
                return _backlog.Count;
            }
        }
    }

    /// <summary>
    /// Takes work that would otherwise be a message with no delay, sent by this process, onto the
    /// listener's backlog: it runs on the next free place (as <see cref="TryReserveLocal"/> would
    /// give one), in order, with no message sent, received or deleted. If the listener stops first,
    /// <paramref name="handOver"/> is called instead (it sends the message, for any listener).
    /// Refused (false) under the same conditions as a place, and when <see cref="MaxBacklog"/> is reached.
    /// </summary>
    /// <param name="run">The work; it must not throw (its failures are its own to hand over).</param>
    /// <param name="handOver">Sends the message the work stands for.</param>
    /// <returns>Whether the work was taken.</returns>
    /// <remarks>
    /// Threat: nothing of the backlog is stored, so if the process dies the work is lost; only work
    /// with a recovery of its own (a reconcile check armed before its row) may be deferred.
    /// </remarks>
    public bool TryDefer(Func<CancellationToken, Task> run, Func<Task> handOver)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(handOver);
        if (!TakesLocalWork)
        {
            return false;
        }

        lock (_backlog)
        {
            if (_backlogClosed || _backlog.Count >= MaxBacklog)
            {
                return false;
            }

            _backlog.Enqueue((run, handOver));
        }

        StartDeferred();
        return true;
    }

    /// <summary>Whether work of this process may run here without a receive: local dispatch on, the listener running and not stopping.</summary>
    private bool TakesLocalWork =>
        _options.LocalDispatch && Volatile.Read(ref _started) != 0 && !_stopping.IsCancellationRequested && !_completion.Task.IsCompleted;

    /// <summary>One place of the listener's concurrency (batch size + new-batch threshold), if one is free.</summary>
    private bool TryTakePlace()
    {
        var limit = _options.BatchSize + _threshold;
        var current = Volatile.Read(ref _inFlight);
        while (current < limit)
        {
            var seen = Interlocked.CompareExchange(ref _inFlight, current + 1, current);
            if (seen == current)
            {
                Interlocked.Increment(ref _local);
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>Starts backlog work on free places until one or the other runs out.</summary>
    private void StartDeferred()
    {
        while (Backlog > 0 && TryTakePlace())
        {
            Func<CancellationToken, Task>? run = null;
            lock (_backlog)
            {
                if (!_backlogClosed && _backlog.TryDequeue(out var item))
                {
                    run = item.Run;
                }
            }

            if (run is null)
            {
                GiveBackPlace(); // taken by another starter meanwhile
                return;
            }

            RunLocalWork(run);
        }
    }

    /// <summary>Closes the backlog and hands every piece still in it over (its message is sent).</summary>
    private async Task HandOverBacklogAsync()
    {
        List<(Func<CancellationToken, Task> Run, Func<Task> HandOver)> left;
        lock (_backlog)
        {
            _backlogClosed = true;
            left = [.. _backlog];
            _backlog.Clear();
        }

        foreach (var (_, handOver) in left)
        {
            try
            {
                await handOver().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // One failed send must not keep the others from being sent; the work's reconcile check recovers it.
            catch (Exception error)
#pragma warning restore CA1031
            {
                QueueListenerLog.HandOverFailed(_logger, QueueName, error);
            }
        }
    }

    /// <summary>Runs a message handed over through a <see cref="LocalQueuePlace"/>, off the caller's thread.</summary>
    internal void RunLocal(QueueMessage message) => RunLocalWork(token => _handler.ProcessAsync(message, token)); // never throws

    /// <summary>Runs work handed over through a <see cref="LocalQueuePlace"/> (no message), off the caller's thread.</summary>
    internal void RunLocalWork(Func<CancellationToken, Task> work)
    {
        var token = _invocations.Token;
        _ = Task.Run(
            async () =>
            {
                try
                {
                    await work(token).ConfigureAwait(false);
                }
                catch (Exception error)
                {
                    // The work's own recovery (its reconcile check) takes over; nothing to release here.
                    QueueListenerLog.LocalWorkFailed(_logger, QueueName, error);
                }
                finally
                {
                    ReleaseLocal();
                }
            },
            CancellationToken.None);
    }

    /// <summary>Gives back a reserved place (its message ran, or was never sent).</summary>
    internal void ReleaseLocal()
    {
        GiveBackPlace();
        StartDeferred();
    }

    private void GiveBackPlace()
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Decrement(ref _local);
    }

    /// <summary>Stops without grace: cancels the functions' tokens, then waits for their completions.</summary>
    /// <returns>A task that completes when the listener is idle.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _invocations.CancelAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _started) != 0)
        {
            // The fault, if any, was logged and is still observable through Completion.
            await Completion.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }

        _stopping.Dispose();
        _invocations.Dispose();
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        var inFlight = new List<Task>();
        var foundSinceDelay = false;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                // Re-arm before polling: a Notify from here on wakes the wait below; one before this
                // point was issued after its enqueue, which the coming receive therefore sees.
                if (Volatile.Read(ref _wake).Task.IsCompleted)
                {
                    Volatile.Write(ref _wake, NewWake());
                }

                var batch = await ReceiveAsync(stopping).ConfigureAwait(false);
                if (batch is { Length: > 0 })
                {
                    foundSinceDelay = true;
                    Dispatch(batch, inFlight);
                    inFlight.RemoveAll(static task => task.IsCompleted);
                    while (inFlight.Count > _threshold)
                    {
                        inFlight.Remove(await Task.WhenAny(inFlight).ConfigureAwait(false));
                    }

                    continue;
                }

                if (!stopping.IsCancellationRequested)
                {
                    await WaitAsync(_backoff.Next(foundSinceDelay), stopping).ConfigureAwait(false);
                    foundSinceDelay = false;
                }
            }

            await HandOverBacklogAsync().ConfigureAwait(false);
            await Task.WhenAll(inFlight).ConfigureAwait(false);
            await LocalIdleAsync().ConfigureAwait(false);
            QueueListenerLog.Stopped(_logger, QueueName);
            _completion.TrySetResult();
        }
        catch (Exception error)
        {
            QueueListenerLog.ListenerFailed(_logger, QueueName, QueueStorageErrors.Describe(error), error);

            // Finish what was received before reporting: the messages are leased to us.
            await HandOverBacklogAsync().ConfigureAwait(false);
            await Task.WhenAll(inFlight).ConfigureAwait(false);
            await LocalIdleAsync().ConfigureAwait(false);
            _completion.TrySetException(error);
        }
    }

    /// <summary>One poll; <see langword="null"/> means "back off" (queue missing, transient error, stopping).</summary>
    private async Task<QueueMessage[]?> ReceiveAsync(CancellationToken stopping)
    {
        try
        {
            if (!_queueExists)
            {
                _queueExists = (await _queue.ExistsAsync(stopping).ConfigureAwait(false)).Value;
                if (!_queueExists)
                {
                    QueueListenerLog.QueueMissing(_logger, QueueName);
                    return null;
                }
            }

            // Not cancelled by a stop: the service dequeues before it answers, so an abandoned receive
            // would hide its messages for a whole lease and spend one of their attempts.
            var response = await _queue.ReceiveMessagesAsync(_options.BatchSize, _options.Lease, CancellationToken.None).ConfigureAwait(false);
            return response.Value;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return null;
        }
        catch (RequestFailedException error) when (QueueStorageErrors.IsQueueNotFound(error) || QueueStorageErrors.IsQueueBeingDeletedOrDisabled(error) || QueueStorageErrors.IsTransient(error))
        {
            _queueExists = false;
            QueueListenerLog.PollFailed(_logger, QueueName, QueueStorageErrors.Describe(error));
            return null;
        }
        catch (Exception error) when (QueueStorageErrors.IsTransient(error))
        {
            _queueExists = false;
            QueueListenerLog.PollFailed(_logger, QueueName, QueueStorageErrors.Describe(error));
            return null;
        }
        catch (RequestFailedException)
        {
            _queueExists = false;
            throw;
        }
    }

    private void Dispatch(QueueMessage[] batch, List<Task> inFlight)
    {
        var token = _invocations.Token;
        foreach (var message in batch)
        {
            Interlocked.Increment(ref _inFlight);

            // Off the polling loop: a function that runs synchronously for a while must not delay the others.
            inFlight.Add(Task.Run(
                async () =>
                {
                    try
                    {
                        await _handler.ProcessAsync(message, token).ConfigureAwait(false);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _inFlight);
                        StartDeferred(); // a place is free
                    }
                },
                CancellationToken.None));
        }
    }

    /// <summary>
    /// Waits until no local place is held: no new one is reserved once stopping, and a reserved one
    /// ends with its send (given back) or its run. Only at stop, so a short poll is enough.
    /// </summary>
    private async Task LocalIdleAsync()
    {
        while (Volatile.Read(ref _local) > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10)).ConfigureAwait(false); // real time: a test clock may stand still
        }
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken stopping)
    {
        using var waitEnd = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var timer = Task.Delay(delay, _time, waitEnd.Token);
        await Task.WhenAny(timer, Volatile.Read(ref _wake).Task).ConfigureAwait(false);

        // Woken early: release the timer now rather than when it would have fired.
        await waitEnd.CancelAsync().ConfigureAwait(false);
    }
}
