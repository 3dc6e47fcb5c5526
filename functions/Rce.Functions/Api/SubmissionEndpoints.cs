using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Rce.Core.Submissions;
using Rce.Core.Tenancy;
using Rce.Functions.Limits;
using Rce.Functions.Security;

namespace Rce.Functions.Api;

/// <summary><c>/api/submissions</c> and <c>/api/batches</c>.</summary>
internal static class SubmissionEndpoints
{
    private const string IdPattern = "^[0-9a-f]{32}$";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/submissions", SubmitAsync).WithName("SubmitCode").RequireRole(ApiKeyRoles.Submit).LimitedInHandler();
        app.MapGet("/api/submissions/{id}", GetAsync).WithName("GetSubmission").RequireRole(ApiKeyRoles.Read);
        app.MapPost("/api/batches", SubmitBatchAsync).WithName("SubmitBatch").RequireRole(ApiKeyRoles.Submit).LimitedInHandler();
        app.MapGet("/api/batches/{id}", GetBatchAsync).WithName("GetBatch").RequireRole(ApiKeyRoles.Read);
    }

    public static string Tenant(HttpContext context) => Caller.Of(context).Tenant;

    private static async Task<IResult> SubmitAsync(HttpContext context, SubmissionService service, RunnerCatalog catalog, ISubmissionStore store, IIdempotencyStore keys, CompletionSignals signals, IOptions<ApiOptions> options, TimeProvider time, LimitGate gate, LimitPolicies policies, WorkflowOptions workflow, bool? wait, int? timeout)
    {
        var ct = context.RequestAborted;
        var o = options.Value;
        var caller = Caller.Of(context);
        var (bytes, problem) = await RequestBody.ReadAsync(context.Request, o.MaxRequestBytes, ct);

        // Counted before validation: a flood of malformed requests spends the budget like any other.
        if (await gate.AdmitAsync(context, policies.Submit(caller.Tenant, EndUser.Resolve(bytes, context.Request, caller))) is { } limited)
        {
            return limited;
        }

        if (problem is not null)
        {
            return problem;
        }

        var (request, parseProblem) = RequestBody.Parse<SubmissionRequest>(bytes!);
        if (parseProblem is not null)
        {
            return parseProblem;
        }

        var checks = new SubmissionValidator(o).Validate(request!, await catalog.LanguagesAsync(ct));
        if (checks.Errors.Count > 0)
        {
            return Problems.Invalid(checks.Errors, checks.TooLarge);
        }

        if (TimeoutProblem(timeout) is { } badTimeout)
        {
            return badTimeout;
        }

        var tenant = Tenant(context);
        // An asynchronous submission is stored at once, so its check is armed ahead (one message per
        // group of ids); a waited-for one is mostly stored only when it ends, needing none.
        var id = wait == true ? SubmissionService.NewId() : await service.NewArmedIdAsync(ct);
        IdempotencyClaim? claim = null;
        var (key, keyProblem) = IdempotentReplay.KeyOf(context.Request);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        if (key is not null)
        {
            claim = new IdempotencyClaim(tenant, key, SubmissionService.BodyHash("submissions" + (wait == true ? "?wait" : string.Empty), bytes), id, 0, time.GetUtcNow() + IdempotencyClaim.Lifetime);
            if (await keys.ClaimAsync(claim, time.GetUtcNow(), ct) is { } existing)
            {
                if (existing.BodyHash != claim.BodyHash)
                {
                    return IdempotentReplay.BodyDiffers();
                }

                claim = existing;
                id = existing.ResourceId;
                if (await IdempotentReplay.OriginalAsync(existing, store, workflow, time, ct) is { } original)
                {
                    // The first request's answer, once it gave one; while it still waits (no status
                    // recorded), a waited-for replay waits for the end as it does.
                    var waits = wait == true && existing.StatusCode != StatusCodes.Status202Accepted;
                    if (waits && !original.Status.IsTerminal())
                    {
                        var ending = signals.WhenSignalled(id);
                        try
                        {
                            (original, ending) = await WaitAsync(original, store, signals, ending, WaitBound(timeout, o), time, ct);
                        }
                        finally
                        {
                            signals.Forget(id, ending);
                        }
                    }

                    return await RespondAsync(context, original, store, waits && original.Status.IsTerminal());
                }

                // The first request died between its claim and its submission: finish its work under the same id.
            }
        }

        // Quotas after the idempotency check: a replayed request is not a new submission.
        if (await gate.AdmitAsync(context, policies.Quota(tenant, [id], time.GetUtcNow().AddMilliseconds(workflow.DeadlineMs))) is { } overQuota)
        {
            return overQuota;
        }

        var submission = service.NewSubmission(id, tenant, request!, checks);

        // The waiter registers before the submission exists: a worker of this process may run it
        // and end it before AcceptAsync returns, and its signal must not be missed.
        var signal = wait == true ? signals.WhenSignalled(id) : null;
        Submission stored;
        try
        {
            var body = SubmissionService.RunnerBody(request!);
            if (signal is null)
            {
                stored = await service.AcceptAsync(submission, body, ct);
            }
            else
            {
                // Run here and stored once when a worker is free (the row comes back terminal, or
                // Running once stored), else accepted as any; then waited for the rest of the bound.
                var bound = WaitBound(timeout, o);
                var start = time.GetTimestamp();
                stored = await service.AcceptWaitedAsync(submission, body, bound, ct);
                (stored, signal) = await WaitAsync(stored, store, signals, signal, bound - time.GetElapsedTime(start), time, ct);
            }
        }
        finally
        {
            if (signal is not null)
            {
                signals.Forget(id, signal); // releases this waiter only; others on the same id keep theirs
            }
        }

        var terminal = stored.Status.IsTerminal() && wait == true;
        if (claim is not null)
        {
            await keys.CompleteAsync(claim with { StatusCode = terminal ? 200 : 202 }, ct);
        }

        return await RespondAsync(context, stored, store, terminal);
    }

    /// <summary>
    /// Waits for a terminal state: woken in-process by the worker, or by polling the row (another
    /// instance may run it). Returns the last row seen and the signal task now registered (the
    /// caller forgets it).
    /// </summary>
    private static async Task<(Submission Row, Task<Submission?> Signal)> WaitAsync(Submission submission, ISubmissionStore store, CompletionSignals signals, Task<Submission?> signal, TimeSpan bound, TimeProvider time, CancellationToken cancellationToken)
    {
        if (submission.Status.IsTerminal())
        {
            return (submission, signal); // an idempotent replay of an ended submission
        }

        var start = time.GetTimestamp();
        while (time.GetElapsedTime(start) < bound)
        {
            var left = bound - time.GetElapsedTime(start);
            var poll = left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1);
            await Task.WhenAny(signal, Task.Delay(poll, time, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            if (signal.IsCompletedSuccessfully && signal.Result is { } ended && ended.Status.IsTerminal())
            {
                // The worker in this process handed over the terminal row: no read needed.
                return (ended, signal);
            }

            if (await store.GetAsync(submission.Id, cancellationToken) is { } current)
            {
                submission = current;
                if (current.Status.IsTerminal())
                {
                    break;
                }
            }

            if (signal.IsCompleted)
            {
                signal = signals.WhenSignalled(submission.Id); // a completed signal holds no reference to forget
            }
        }

        return (submission, signal);
    }

    /// <summary>A 400 for a <c>?timeout=</c> outside 1 to 200 seconds (under the 230 s HTTP limit of Functions), else null.</summary>
    private static IResult? TimeoutProblem(int? timeout) =>
        timeout is < 1 or > 200 ? Problems.BadRequest("timeout must be between 1 and 200 seconds.") : null;

    /// <summary>How long a <c>wait=true</c> request waits: its <c>?timeout=</c>, else <see cref="ApiOptions.WaitSeconds"/>.</summary>
    private static TimeSpan WaitBound(int? timeout, ApiOptions options) => TimeSpan.FromSeconds(timeout ?? options.WaitSeconds);

    public static async Task<IResult> RespondAsync(HttpContext context, Submission submission, ISubmissionStore store, bool final)
    {
        var location = $"{context.Request.Scheme}://{context.Request.Host}/api/submissions/{submission.Id}";
        if (final)
        {
            return Results.Json(await SubmissionDocument.BuildAsync(submission, store, context.RequestAborted), ApiJson.Output, statusCode: 200);
        }

        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}/api/instances/{submission.Id}";
        context.Response.Headers.Location = location;
        context.Response.Headers.RetryAfter = "1";
        var body = new JsonObject
        {
            ["id"] = submission.Id,
            ["status"] = submission.Status.ToString(),
            ["statusQueryGetUri"] = location,
            ["terminatePostUri"] = baseUrl + "/terminate?reason={text}",
            ["purgeHistoryDeleteUri"] = baseUrl,
            ["restartPostUri"] = baseUrl + "/restart",
        };
        return Results.Json(body, ApiJson.Output, statusCode: 202);
    }

    private static async Task<IResult> GetAsync(HttpContext context, string id, ISubmissionStore store, CompletionSignals signals, IOptions<ApiOptions> options, TimeProvider time, bool? wait, int? timeout)
    {
        var o = options.Value;
        if (TimeoutProblem(timeout) is { } badTimeout)
        {
            return badTimeout;
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(id, IdPattern))
        {
            return Problems.NotFound("submission");
        }

        // Registered before the row is read (a signal raised before the registration is not kept):
        // a poll of a submission that ends meanwhile is answered at once, with the ended row.
        var hold = wait == true ? WaitBound(timeout, o) : TimeSpan.FromMilliseconds(o.StatusHoldMs);
        var signal = hold > TimeSpan.Zero ? signals.WhenSignalled(id) : null;
        try
        {
            // A submission this process runs is answered from its own last write when that is
            // recent enough (ApiOptions.StatusMaxAgeMs): a poll then costs no table read.
            var recent = store.Recent(id, TimeSpan.FromMilliseconds(o.StatusMaxAgeMs));
            if ((recent ?? await store.GetAsync(id, context.RequestAborted)) is not { } submission || submission.Tenant != Tenant(context))
            {
                return Problems.NotFound("submission");
            }

            if (signal is not null && !submission.Status.IsTerminal())
            {
                if (wait == true)
                {
                    // Asked to wait: until it ends or the bound, wherever it runs (the store is read every second).
                    (submission, signal) = await WaitAsync(submission, store, signals, signal, hold, time, context.RequestAborted);
                }
                else if (recent is not null)
                {
                    // Running here: held a little for its end, with no read (ApiOptions.StatusHoldMs).
                    submission = await HoldAsync(submission, store, signal, hold, o, time, context.RequestAborted);
                }
            }

            if (!submission.Status.IsTerminal())
            {
                context.Response.Headers.Location = $"{context.Request.Scheme}://{context.Request.Host}/api/submissions/{id}";
                context.Response.Headers.RetryAfter = "1";
                return Results.Json(await SubmissionDocument.BuildAsync(submission, store, context.RequestAborted), ApiJson.Output, statusCode: 202);
            }

            return Results.Json(await SubmissionDocument.BuildAsync(submission, store, context.RequestAborted), ApiJson.Output);
        }
        finally
        {
            if (signal is not null)
            {
                signals.Forget(id, signal); // this waiter's reference only
            }
        }
    }

    /// <summary>
    /// Waits at most <paramref name="hold"/> for the end of a submission this process runs: the ended
    /// row when it ends, else this process's latest copy (its phase may have moved), else the row as first read.
    /// </summary>
    private static async Task<Submission> HoldAsync(Submission submission, ISubmissionStore store, Task<Submission?> signal, TimeSpan hold, ApiOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        await Task.WhenAny(signal, Task.Delay(hold, time, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        return signal.IsCompletedSuccessfully && signal.Result is { } ended && ended.Status.IsTerminal() ? ended
            : store.Recent(submission.Id, TimeSpan.FromMilliseconds(options.StatusMaxAgeMs) + hold) ?? submission;
    }

    private static async Task<IResult> SubmitBatchAsync(HttpContext context, SubmissionService service, RunnerCatalog catalog, IBatchStore batches, IIdempotencyStore keys, IOptions<ApiOptions> options, TimeProvider time, LimitGate gate, LimitPolicies policies, WorkflowOptions workflow)
    {
        var ct = context.RequestAborted;
        var o = options.Value;
        var caller = Caller.Of(context);
        var (bytes, problem) = await RequestBody.ReadAsync(context.Request, o.MaxRequestBytes, ct);
        if (await gate.AdmitAsync(context, policies.Batch(caller.Tenant, EndUser.Resolve(default, context.Request, caller))) is { } limited)
        {
            return limited;
        }

        if (problem is not null)
        {
            return problem;
        }

        var (request, parseProblem) = RequestBody.Parse<BatchRequest>(bytes!);
        if (parseProblem is not null)
        {
            return parseProblem;
        }

        var items = request!.Submissions;
        if (items is null || items.Count == 0 || items.Count > o.MaxBatchSize)
        {
            return Problems.Invalid(new() { ["submissions"] = [$"give 1 to {o.MaxBatchSize} submissions"] }, false);
        }

        var languages = await catalog.LanguagesAsync(ct);
        var validator = new SubmissionValidator(o);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var tooLarge = false;
        var tenant = Tenant(context);
        var valid = new List<(SubmissionRequest Item, SubmissionValidator.Result Checks)>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { } item)
            {
                errors[$"submissions[{i}]"] = ["must be an object"];
                continue;
            }

            var checks = validator.Validate(item, languages, $"submissions[{i}].");
            foreach (var (field, messages) in checks.Errors)
            {
                errors[field] = messages;
            }

            tooLarge |= checks.TooLarge;
            valid.Add((item, checks));
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors, tooLarge);
        }

        var batchId = SubmissionService.NewId();
        // Whole milliseconds: a replay takes the time back from the stored claim, and the members'
        // listing keys hold it, so it must survive the store's precision unchanged.
        var now = time.GetUtcNow();
        var createdTime = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        Batch? stored = null;
        var (key, keyProblem) = IdempotentReplay.KeyOf(context.Request);
        if (keyProblem is not null)
        {
            return keyProblem;
        }

        if (key is not null)
        {
            var claim = new IdempotencyClaim(tenant, key, SubmissionService.BodyHash("batches", bytes), batchId, StatusCodes.Status202Accepted, createdTime + IdempotencyClaim.Lifetime);
            if (await keys.ClaimAsync(claim, createdTime, ct) is { } existing)
            {
                if (existing.BodyHash != claim.BodyHash)
                {
                    return IdempotentReplay.BodyDiffers();
                }

                // The same batch again: its id, its time and (derived from the id) its members' ids.
                // Stored again below, once each, which finishes it if the first request's process
                // died part way (a member already stored is left as it is).
                (batchId, createdTime) = (existing.ResourceId, existing.Claimed);
                stored = await batches.GetAsync(batchId, ct);
            }
        }

        var members = valid.Select((m, i) => (service.NewSubmission(Submission.MemberId(batchId, i), tenant, m.Item, m.Checks, batchId, i, createdTime: createdTime), SubmissionService.RunnerBody(m.Item))).ToList();

        // A batch counts as its N submissions against the quotas, and is refused whole when it does
        // not fit. A replay of a batch that was stored is not a new batch; one of a request that
        // stored nothing (refused here, or died first) is checked as the first was.
        if (stored is null && await gate.AdmitAsync(context, policies.Quota(tenant, [.. members.Select(m => m.Item1.Id)], createdTime.AddMilliseconds(workflow.DeadlineMs))) is { } overQuota)
        {
            return overQuota;
        }

        await service.AcceptBatchAsync(new Batch(batchId, tenant, createdTime, members.Count), members, batchStored: stored is not null, ct);
        var location = $"{context.Request.Scheme}://{context.Request.Host}/api/batches/{batchId}";
        context.Response.Headers.Location = location;
        return Results.Json(new { id = batchId, statusQueryGetUri = location, submissions = members.Select(m => m.Item1.Id) }, ApiJson.Output, statusCode: 202);
    }

    private static async Task<IResult> GetBatchAsync(HttpContext context, string id, IBatchStore batches)
    {
        var ct = context.RequestAborted;
        if (!System.Text.RegularExpressions.Regex.IsMatch(id, IdPattern) || await batches.GetAsync(id, ct) is not { } batch || batch.Tenant != Tenant(context))
        {
            return Problems.NotFound("batch");
        }

        var items = await batches.GetItemsAsync(id, ct);
        var done = items.Count(i => i.Status.IsTerminal());
        var status = done == batch.Count ? "Completed" : done == 0 ? "Queued" : "Running";
        var body = new
        {
            id,
            status,
            createdTime = batch.CreatedTime,
            total = batch.Count,
            completed = items.Count(i => i.Status == SubmissionStatus.Completed),
            failed = items.Count(i => i.Status == SubmissionStatus.Failed),
            terminated = items.Count(i => i.Status == SubmissionStatus.Terminated),
            pending = batch.Count - done,
            submissions = items.Select(i => new { id = i.SubmissionId, status = i.Status.ToString(), verdict = i.Verdict is { } v ? Rce.Core.Verdicts.VerdictCodes.ToCode(v) : null }),
        };
        if (status != "Completed")
        {
            context.Response.Headers.RetryAfter = "2";
        }

        return Results.Json(body, ApiJson.Output, statusCode: status == "Completed" ? 200 : 202);
    }
}
