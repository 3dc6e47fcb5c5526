using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Rce.Core.Submissions;

namespace Rce.Functions.Api;

/// <summary>Turns validated requests into stored, queued submissions (single, batch member, restart).</summary>
internal sealed class SubmissionService(SubmissionWorkflow workflow, IBatchStore batches, ISubmissionStore store, IWorkQueues queues, IOptions<ApiOptions> options, IOptions<WorkflowOptions> workflowOptions, TimeProvider time)
{
    public static string NewId() => Submission.NewId();

    /// <summary>A new id whose reconcile check is armed already (see <see cref="SubmissionWorkflow.NewIdAsync"/>): for submissions that will be stored at once.</summary>
    public Task<string> NewArmedIdAsync(CancellationToken cancellationToken) => workflow.NewIdAsync(cancellationToken);

    public Submission NewSubmission(string id, string tenant, SubmissionRequest request, SubmissionValidator.Result checks, string? batchId = null, int batchIndex = -1, string? restartOf = null, DateTimeOffset? createdTime = null)
    {
        var now = createdTime ?? time.GetUtcNow();
        var o = options.Value;
        return new Submission
        {
            Id = id,
            Tenant = tenant,
            Status = SubmissionStatus.Queued,
            Language = request.Language!,
            Priority = checks.Priority,
            CallbackUrl = request.CallbackUrl,
            Metadata = new SubmissionMetadata(request.Metadata?.UserId, request.Metadata?.CourseId, request.Metadata?.AssignmentId, request.Metadata?.Tags),
            TestCount = checks.TestCount,
            TestWallMs = checks.TestWallMs,
            CompileWallMs = o.CompileWallTimeMs,
            CreatedTime = now,
            LastUpdatedTime = now,
            BatchId = batchId,
            BatchIndex = batchIndex,
            RestartOf = restartOf,
            SingleRun = request.Tests is null,
        };
    }

    public static byte[] RunnerBody(SubmissionRequest request) => JsonSerializer.SerializeToUtf8Bytes(request.ToExecution(), ApiJson.Runner);

    public Task<Submission> AcceptAsync(Submission submission, byte[] body, CancellationToken cancellationToken) =>
        workflow.AcceptAsync(submission, body, cancellationToken);

    /// <summary>A waited-for submission: run here before it is stored when a worker is free (see <see cref="SubmissionWorkflow.TryRunNowAsync"/>), else accepted as any.</summary>
    public async Task<Submission> AcceptWaitedAsync(Submission submission, byte[] body, TimeSpan waitBound, CancellationToken cancellationToken) =>
        await workflow.TryRunNowAsync(submission, body, waitBound, cancellationToken).ConfigureAwait(false)
        ?? await workflow.AcceptAsync(submission, body, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Stores a batch: one reconcile check for all, then the batch and its members' listing entries
    /// (in bulk, side by side), then the members (rows, run messages or local runs). Stored again
    /// under the same id (an idempotent replay), it stores what is missing: a member stored already
    /// is left as it is, and a batch row found already (<paramref name="batchStored"/>) means its
    /// check and items are there.
    /// </summary>
    public async Task AcceptBatchAsync(Batch batch, IReadOnlyList<(Submission Submission, byte[] Body)> members, bool batchStored, CancellationToken cancellationToken)
    {
        if (!batchStored)
        {
            await queues.EnqueueAsync(WorkQueueId.Reconcile, new WorkMessage(batch.Id, Batch: true), TimeSpan.FromMilliseconds(workflowOptions.Value.ReconcileDelayMs), cancellationToken).ConfigureAwait(false);
        }

        await Task.WhenAll(
            batchStored ? Task.CompletedTask : batches.CreateAsync(batch, [.. members.Select(m => m.Submission.Id)], cancellationToken),
            store.ListAheadAsync([.. members.Select(m => m.Submission)], cancellationToken)).ConfigureAwait(false);
        await Parallel.ForEachAsync(members, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (member, ct) =>
            await workflow.AcceptAsync(member.Submission, member.Body, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    public static string BodyHash(string route, ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(route + "\n"));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
