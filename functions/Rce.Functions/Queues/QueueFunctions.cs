using Rce.Core.Submissions;
using Rce.Infrastructure.Queues;

namespace Rce.Functions.Queues;

/// <summary>
/// The queue-triggered functions: name (= folder of its function.json, = route of the custom
/// handler's <c>POST /&lt;name&gt;</c>) → queue → handler. Both hosting modes dispatch through here.
/// </summary>
internal sealed class QueueFunctions(SubmissionWorkflow workflow, CallbackDelivery callbacks)
{
    public static IReadOnlyList<(string Name, string Queue)> All { get; } =
    [
        ("RunSubmission", WorkQueueId.Submissions.Name()),
        ("RunSubmissionHigh", WorkQueueId.SubmissionsHigh.Name()),
        ("Reconcile", WorkQueueId.Reconcile.Name()),
        ("SendCallback", WorkQueueId.Callbacks.Name()),
        ("PoisonSubmission", WorkQueueId.Submissions.Name() + WorkQueues.PoisonSuffix),
        ("PoisonSubmissionHigh", WorkQueueId.SubmissionsHigh.Name() + WorkQueues.PoisonSuffix),
        ("PoisonReconcile", WorkQueueId.Reconcile.Name() + WorkQueues.PoisonSuffix),
    ];

    public QueueFunction? Find(string name) => name switch
    {
        "RunSubmission" or "RunSubmissionHigh" => (m, ct) => workflow.RunAsync(WorkMessage.Parse(m.Text), ct),
        "Reconcile" => (m, ct) => workflow.ReconcileAsync(WorkMessage.Parse(m.Text), ct),
        "SendCallback" => (m, ct) => callbacks.DeliverAsync(WorkMessage.Parse(m.Text), ct),
        "PoisonSubmission" or "PoisonSubmissionHigh" => (m, ct) => workflow.PoisonAsync(WorkMessage.Parse(m.Text), ct),
        "PoisonReconcile" => (m, ct) => workflow.PoisonReconcileAsync(WorkMessage.Parse(m.Text), ct),
        _ => null,
    };
}
