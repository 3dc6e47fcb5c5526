using Microsoft.Extensions.Options;
using Rce.Core.Submissions;
using Rce.Functions.Queues;
using Rce.Infrastructure.Queues;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Workflow;

namespace Rce.Functions.Hosting;

/// <summary>
/// Self-hosted mode's queue triggers: one listener per queue function, following host.json's
/// <c>extensions.queues</c> as the Functions host does, woken at once when this process enqueues,
/// and running a message this process sends itself without receiving it when there is room.
/// In hosted mode the Functions host polls instead, and this service starts nothing.
/// </summary>
internal sealed class QueueHost(
    StorageAccount storage,
    QueueFunctions functions,
    WorkQueueNotifier notifier,
    HostingMode mode,
    IConfiguration configuration,
    TimeProvider time,
    ILoggerFactory loggers) : IHostedService
{
    private readonly List<QueueListener> _listeners = [];

    public int InFlight => _listeners.Sum(l => l.InFlight);

    /// <summary>Work in flight per queue (self-hosted listeners; empty in the hosted mode, where the Functions host runs them).</summary>
    public IReadOnlyDictionary<string, int> InFlightByQueue => _listeners.ToDictionary(l => l.QueueName, l => l.InFlight, StringComparer.Ordinal);

    /// <summary>Work waiting on the listeners' backlogs (submissions accepted while every worker was busy, no message sent).</summary>
    public int Backlog => _listeners.Sum(l => l.Backlog);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (mode.Hosted)
        {
            return;
        }

        var hostJson = Path.Combine(AppContext.BaseDirectory, "host.json");
        var options = HostJsonQueues.Parse(await File.ReadAllTextAsync(hostJson, cancellationToken)).ApplyOverrides(configuration);
        foreach (var (name, queue) in QueueFunctions.All)
        {
            // Raw clients (no encoding): the listener decodes base64 itself so that it can poison undecodable messages.
            var client = storage.RawQueues.GetQueueClient(queue);
            var listener = new QueueListener(client, storage.RawQueues, options, functions.Find(name)!, time, loggers.CreateLogger("Rce.Functions.Queue." + name));
            _listeners.Add(listener);
            await listener.StartAsync(cancellationToken);
        }

        // A message this process sends runs here at once when its listener has room (no receive),
        // and one accepted while its workers are busy waits on the listener's backlog (no message).
        notifier.ServeListeners(queue => _listeners.FirstOrDefault(l => l.QueueName == queue.Name()));
        notifier.Enqueued += queue =>
        {
            foreach (var listener in _listeners.Where(l => l.QueueName == queue.Name()))
            {
                listener.Notify();
            }
        };
    }

    public async Task StopAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(_listeners.Select(l => l.StopAsync(cancellationToken)));
}

/// <summary>Which mode this process runs in (design §2): hosted when the Functions host gave us a port.</summary>
internal sealed record HostingMode(bool Hosted, int Port)
{
    public static HostingMode FromEnvironment(IConfiguration configuration)
    {
        var port = configuration["FUNCTIONS_CUSTOMHANDLER_PORT"];
        return int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536
            ? new HostingMode(true, p)
            : new HostingMode(false, configuration.GetValue("Functions:Port", 7071));
    }
}
