using System.Collections.Concurrent;
using System.Text;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Rce.Infrastructure.Queues;
using Rce.Testing;

namespace Rce.Infrastructure.Tests.Queues;

/// <summary>Clients, listeners and polling helpers over one Azurite. Clients are raw (no message encoding), as the listener requires.</summary>
internal sealed class QueueTestKit(AzuriteServer server)
{
    /// <summary>Short intervals so that each test takes seconds; the lease stays long enough to notice a missed delete.</summary>
    public static QueueTriggerOptions Fast { get; } = new()
    {
        MaxPollingInterval = TimeSpan.FromMilliseconds(200),
        Lease = TimeSpan.FromSeconds(5),
        MaxDequeueCount = 3,
    };

    public QueueServiceClient Service { get; } = new(server.ConnectionString);

    public ListLogger Logger { get; } = new();

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string Encode(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public async Task<QueueClient> CreateQueueAsync(string prefix = "q")
    {
        var queue = Service.GetQueueClient(NewName(prefix));
        await queue.CreateAsync(cancellationToken: Ct);
        return queue;
    }

    public static string NewName(string prefix = "q") => prefix + Guid.NewGuid().ToString("N")[..16];

    /// <summary>A stopped listener; <paramref name="time"/> (back-off waits, lease renewals) is the real clock unless given.</summary>
    public QueueListener Listener(QueueClient queue, QueueTriggerOptions options, QueueFunction function, Random? random = null, TimeProvider? time = null) =>
        new(queue, Service, options, function, time ?? TimeProvider.System, Logger, random ?? Random.Shared);

    /// <summary>Every message, visible or not.</summary>
    public static async Task<int> CountAsync(QueueClient queue) =>
        (await queue.GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount;

    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(timeout);
        while (!await condition())
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"not within {timeout}: {what}");
            }

            await Task.Delay(25, Ct);
        }
    }

    public static Task EventuallyAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        EventuallyAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Keeps formatted log lines, to check levels and that no body leaks into logs.</summary>
    internal sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Text)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));

        public bool Contains(string text) => Entries.Any(e => e.Text.Contains(text, StringComparison.Ordinal));
    }
}
