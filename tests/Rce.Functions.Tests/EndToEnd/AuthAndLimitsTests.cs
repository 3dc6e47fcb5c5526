using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Rce.Core.Tenancy;
using Rce.Testing;

namespace Rce.Functions.Tests.EndToEnd;

/// <summary>
/// API keys, roles, tenants and the Redis limits end to end: a real redis-server, Azurite, runner and
/// the Functions app as a process. Each test uses tenants of its own, so the shared Redis of the
/// fixture never carries one test's budget into another.
/// </summary>
public sealed class AuthAndLimitsTests(StackFixture stack) : IClassFixture<StackFixture>
{
    private static readonly object Hello = new { language = "python", source = "print(input() + '!')", stdin = "hi" };

    private static string NewTenant() => "t" + Guid.NewGuid().ToString("N")[..10];

    private static HttpRequestMessage Request(HttpMethod method, string path, string? key, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string? key, object? body = null)
    {
        using var request = Request(method, path, key, body);
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>A Functions process whose client carries no key by default: each request says which key it sends.</summary>
    private async Task<(ServiceProcess Process, HttpClient Http)> StartAsync(int port, IReadOnlyDictionary<string, string>? extra = null)
    {
        var (process, http) = await stack.StartFunctionsAsync(port, extra);
        http.DefaultRequestHeaders.Authorization = null;
        return (process, http);
    }

    [Fact]
    public async Task WithoutAValidKey_401WithChallenge_HealthAndOpenApiStayOpen()
    {
        stack.Require();
        var (app, http) = await StartAsync(LoopbackPorts.Free());
        await using (app)
        using (http)
        {
            using var missing = await SendAsync(http, HttpMethod.Post, "/api/submissions", null, Hello);
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
            Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);

            using var forged = await SendAsync(http, HttpMethod.Get, "/api/languages", "rce_aaaaaaaaaaaa_" + new string('A', 43));
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
            Assert.Contains("invalid_token", forged.Headers.WwwAuthenticate.Single().Parameter, StringComparison.Ordinal);

            using var viaHeader = new HttpRequestMessage(HttpMethod.Get, "/api/languages");
            viaHeader.Headers.Add("X-Api-Key", stack.AdminKey);
            using var ok = await http.SendAsync(viaHeader, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

            foreach (var open in new[] { "/api/health/live", "/api/openapi/v1.json" })
            {
                using var answer = await SendAsync(http, HttpMethod.Get, open, null);
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                Assert.False(answer.Headers.Contains("RateLimit-Limit"), open + " must not be limited");
            }

            // The document declares the key, on the guarded operations only.
            using var document = await SendAsync(http, HttpMethod.Get, "/api/openapi/v1.json", null);
            var openApi = await StackFixture.JsonAsync(document);
            var schemes = openApi.GetProperty("components").GetProperty("securitySchemes");
            Assert.Equal("bearer", schemes.GetProperty("bearer").GetProperty("scheme").GetString());
            Assert.Equal("X-Api-Key", schemes.GetProperty("apiKeyHeader").GetProperty("name").GetString());
            var paths = openApi.GetProperty("paths");
            Assert.Equal(2, paths.GetProperty("/api/submissions").GetProperty("post").GetProperty("security").GetArrayLength());
            Assert.False(paths.GetProperty("/api/health").GetProperty("get").TryGetProperty("security", out _));

            // The Idempotency-Key header, where it is honoured only.
            foreach (var path in new[] { "/api/submissions", "/api/batches" })
            {
                var header = Assert.Single(paths.GetProperty(path).GetProperty("post").GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key");
                Assert.Equal("header", header.GetProperty("in").GetString());
                Assert.Equal(255, header.GetProperty("schema").GetProperty("maxLength").GetInt32());
            }

            Assert.DoesNotContain("Idempotency-Key", paths.GetProperty("/api/submissions/{id}").GetRawText(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Roles_403_AndAnotherTenantsResources_404()
    {
        stack.Require();
        var (app, http) = await StartAsync(LoopbackPorts.Free());
        await using (app)
        using (http)
        {
            var tenantA = NewTenant();
            var submitA = await stack.CreateKeyAsync(tenantA, ApiKeyRoles.Submit | ApiKeyRoles.Read);
            var readOnlyA = await stack.CreateKeyAsync(tenantA, ApiKeyRoles.Read);
            var otherTenant = await stack.CreateKeyAsync(NewTenant(), ApiKeyRoles.Submit | ApiKeyRoles.Read | ApiKeyRoles.Admin);

            using var refused = await SendAsync(http, HttpMethod.Post, "/api/submissions", readOnlyA, Hello);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            using var noAdmin = await SendAsync(http, HttpMethod.Get, "/api/keys", submitA);
            Assert.Equal(HttpStatusCode.Forbidden, noAdmin.StatusCode);

            using var accepted = await SendAsync(http, HttpMethod.Post, "/api/submissions?wait=true", submitA, Hello);
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            var id = (await StackFixture.JsonAsync(accepted)).GetProperty("id").GetString()!;

            using var own = await SendAsync(http, HttpMethod.Get, "/api/submissions/" + id, readOnlyA);
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            foreach (var (method, path) in new[]
            {
                (HttpMethod.Get, "/api/submissions/" + id), (HttpMethod.Get, "/api/instances/" + id),
                (HttpMethod.Post, $"/api/instances/{id}/terminate"), (HttpMethod.Delete, "/api/instances/" + id),
            })
            {
                using var foreign = await SendAsync(http, method, path, otherTenant);
                Assert.True(foreign.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{method} {path}: {foreign.StatusCode}");
            }

            using var list = await SendAsync(http, HttpMethod.Get, "/api/instances", otherTenant);
            Assert.Equal(0, (await StackFixture.JsonAsync(list)).GetArrayLength());
            var keyIdA = submitA.Split('_')[1];
            using var revokeForeign = await SendAsync(http, HttpMethod.Delete, "/api/keys/" + keyIdA, otherTenant);
            Assert.Equal(HttpStatusCode.NotFound, revokeForeign.StatusCode);
            using var stillValid = await SendAsync(http, HttpMethod.Get, "/api/submissions/" + id, submitA);
            Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
        }
    }

    [Fact]
    public async Task AdminApi_CreatesKeys_AndARevokedKeyIsRefusedWithin5Seconds()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await StartAsync(LoopbackPorts.Free());
        await using (app)
        using (http)
        {
            var admin = await stack.CreateKeyAsync(NewTenant(), ApiKeyRoles.Admin);
            using var bad = await SendAsync(http, HttpMethod.Post, "/api/keys", admin, new { roles = "submit,root" });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

            using var created = await SendAsync(http, HttpMethod.Post, "/api/keys", admin, new { roles = "read" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var body = await StackFixture.JsonAsync(created);
            var key = body.GetProperty("key").GetString()!;
            var keyId = body.GetProperty("keyId").GetString()!;
            Assert.StartsWith($"rce_{keyId}_", key, StringComparison.Ordinal);

            using var works = await SendAsync(http, HttpMethod.Get, "/api/instances", key);
            Assert.Equal(HttpStatusCode.OK, works.StatusCode);

            using var listed = await SendAsync(http, HttpMethod.Get, "/api/keys", admin);
            var listing = (await StackFixture.JsonAsync(listed)).EnumerateArray().ToList();
            Assert.Contains(listing, k => k.GetProperty("keyId").GetString() == keyId && k.GetProperty("roles").GetString() == "read");
            Assert.DoesNotContain(key, await listed.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

            using var revoked = await SendAsync(http, HttpMethod.Delete, "/api/keys/" + keyId, admin);
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
            var since = System.Diagnostics.Stopwatch.StartNew();
            HttpStatusCode status;
            do
            {
                using var probe = await SendAsync(http, HttpMethod.Get, "/api/instances", key);
                status = probe.StatusCode;
                if (status != HttpStatusCode.Unauthorized)
                {
                    await Task.Delay(100, ct);
                }
            }
            while (status != HttpStatusCode.Unauthorized && since.Elapsed < TimeSpan.FromSeconds(10));

            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.True(since.Elapsed < TimeSpan.FromSeconds(5), $"revocation took {since.Elapsed}");
        }
    }

    [Fact]
    public async Task PerUserSubmissions_ExactAtTheBoundary_WithHeaders_OtherUsersUnaffected()
    {
        stack.Require();
        var (app, http) = await StartAsync(LoopbackPorts.Free(), new Dictionary<string, string>
        {
            ["RateLimits__UserSubmissions__Limit"] = "3",
            ["RateLimits__UserSubmissions__WindowSeconds"] = "60",
        });
        await using (app)
        using (http)
        {
            var key = await stack.CreateKeyAsync(NewTenant(), ApiKeyRoles.Submit);

            // Unknown language: 400 after the limit check, so nothing runs, yet each request counts.
            object Body(string user) => new { language = "cobol-77", source = "x", metadata = new { userId = user } };
            for (var i = 0; i < 3; i++)
            {
                using var counted = await SendAsync(http, HttpMethod.Post, "/api/submissions", key, Body("u1"));
                Assert.Equal(HttpStatusCode.BadRequest, counted.StatusCode);
                Assert.Equal("3", counted.Headers.GetValues("RateLimit-Limit").Single());
                Assert.Equal($"{2 - i}", counted.Headers.GetValues("RateLimit-Remaining").Single());
            }

            using var limited = await SendAsync(http, HttpMethod.Post, "/api/submissions", key, Body("u1"));
            Assert.Equal((HttpStatusCode)429, limited.StatusCode);
            Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
            var retryAfter = limited.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
            Assert.Equal("0", limited.Headers.GetValues("RateLimit-Remaining").Single());
            Assert.Equal("3", limited.Headers.GetValues("RateLimit-Limit").Single());
            Assert.InRange(int.Parse(limited.Headers.GetValues("RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);

            using var otherUser = await SendAsync(http, HttpMethod.Post, "/api/submissions", key, Body("u2"));
            Assert.Equal(HttpStatusCode.BadRequest, otherUser.StatusCode);

            // Without metadata.userId the X-User-Id header names the user.
            using var viaHeader = Request(HttpMethod.Post, "/api/submissions", key, new { language = "cobol-77", source = "x" });
            viaHeader.Headers.Add("X-User-Id", "u1");
            using var headerUser = await http.SendAsync(viaHeader, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.BadRequest, headerUser.StatusCode);
        }
    }

    [Fact]
    public async Task TenantRequests_100Concurrent_AdmitExactlyTheBudget()
    {
        stack.Require();
        var (app, http) = await StartAsync(LoopbackPorts.Free(), new Dictionary<string, string>
        {
            ["RateLimits__TenantRequests__Limit"] = "37",
        });
        await using (app)
        using (http)
        {
            var key = await stack.CreateKeyAsync(NewTenant(), ApiKeyRoles.Read);
            var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ =>
            {
                using var answer = await SendAsync(http, HttpMethod.Get, "/api/submissions/" + new string('0', 32), key);
                return answer.StatusCode;
            }));

            Assert.Equal(37, answers.Count(s => s == HttpStatusCode.NotFound));
            Assert.Equal(63, answers.Count(s => s == (HttpStatusCode)429));
        }
    }

    [Fact]
    public async Task Batch_ThatDoesNotFitTheQuota_IsRefusedWhole()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await StartAsync(LoopbackPorts.Free(), new Dictionary<string, string>
        {
            ["RateLimits__TenantHourlySubmissions__Limit"] = "5",
            ["RateLimits__UserBatches__Limit"] = "10",
        });
        await using (app)
        using (http)
        {
            var key = await stack.CreateKeyAsync(NewTenant(), ApiKeyRoles.Submit | ApiKeyRoles.Read);
            using var tooBig = await SendAsync(http, HttpMethod.Post, "/api/batches", key, new { submissions = Enumerable.Repeat(Hello, 6) });
            Assert.Equal((HttpStatusCode)429, tooBig.StatusCode);

            // An Idempotency-Key does not carry a refused batch past the quota on its retry.
            var idempotency = Guid.NewGuid().ToString();
            for (var attempt = 0; attempt < 2; attempt++)
            {
                using var request = Request(HttpMethod.Post, "/api/batches", key, new { submissions = Enumerable.Repeat(Hello, 6) });
                request.Headers.Add("Idempotency-Key", idempotency);
                using var refused = await http.SendAsync(request, ct);
                Assert.Equal((HttpStatusCode)429, refused.StatusCode);
            }

            using var none = await SendAsync(http, HttpMethod.Get, "/api/instances", key);
            Assert.Equal(0, (await StackFixture.JsonAsync(none)).GetArrayLength());

            using var fits = await SendAsync(http, HttpMethod.Post, "/api/batches", key, new { submissions = Enumerable.Repeat(Hello, 5) });
            Assert.Equal(HttpStatusCode.Accepted, fits.StatusCode);

            using var single = await SendAsync(http, HttpMethod.Post, "/api/submissions", key, Hello);
            Assert.Equal((HttpStatusCode)429, single.StatusCode);
            Assert.Contains("tenant-submissions-hour", await single.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task InFlight_CapsRunningSubmissions_AndTheEndReleasesThePlace()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await StartAsync(LoopbackPorts.Free(), new Dictionary<string, string>
        {
            ["RateLimits__TenantInFlight__Limit"] = "1",
        });
        await using (app)
        using (http)
        {
            var key = await stack.CreateKeyAsync(NewTenant(), ApiKeyRoles.Submit | ApiKeyRoles.Read);
            using var slow = await SendAsync(http, HttpMethod.Post, "/api/submissions", key, new { language = "bash", source = "sleep 2", stdin = "" });
            Assert.Equal(HttpStatusCode.Accepted, slow.StatusCode);
            using var second = await SendAsync(http, HttpMethod.Post, "/api/submissions", key, Hello);
            Assert.Equal((HttpStatusCode)429, second.StatusCode);
            Assert.Contains("tenant-in-flight", await second.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

            var id = (await StackFixture.JsonAsync(slow)).GetProperty("id").GetString()!;
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromSeconds(60))
            {
                using var poll = await SendAsync(http, HttpMethod.Get, "/api/submissions/" + id, key);
                if (poll.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }

                await Task.Delay(200, ct);
            }

            // The place is released by the end's handlers, just after the terminal write a poll can
            // already see: allow that moment, but not more (a refused attempt counts nothing).
            // Timed to the sending of the attempt let through, not to its answer: that one runs its
            // code in a box, which on a loaded machine may itself take seconds.
            var released = System.Diagnostics.Stopwatch.StartNew();
            HttpStatusCode status;
            TimeSpan sentAt;
            do
            {
                sentAt = released.Elapsed;
                using var after = await SendAsync(http, HttpMethod.Post, "/api/submissions?wait=true", key, Hello);
                status = after.StatusCode;
                if (status == (HttpStatusCode)429)
                {
                    await Task.Delay(50, ct);
                }
            }
            while (status == (HttpStatusCode)429 && released.Elapsed < TimeSpan.FromSeconds(10));

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(sentAt < TimeSpan.FromSeconds(3), $"the in-flight place was released after {sentAt}");
        }
    }

    [Fact]
    public async Task FailedAuthentication_LimitedPerAddress_ForgedForwardedForIgnored_TrustedProxyBelieved()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var limits = new Dictionary<string, string> { ["RateLimits__Anonymous__Limit"] = "3" };
        var (app, http) = await StartAsync(LoopbackPorts.Free(), limits);
        await using (app)
        using (http)
        {
            // This process trusts no proxy: the peer (127.0.0.1) is the client whatever the header says.
            await stack.ResetAnonymousBudgetAsync("127.0.0.1");
            for (var i = 0; i < 3; i++)
            {
                using var attempt = Request(HttpMethod.Get, "/api/languages", "rce_bad");
                attempt.Headers.Add("X-Forwarded-For", $"198.51.100.{i}");
                using var answer = await http.SendAsync(attempt, ct);
                Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            }

            using var forged = Request(HttpMethod.Get, "/api/languages", null);
            forged.Headers.Add("X-Forwarded-For", "203.0.113.77");
            using var limited = await http.SendAsync(forged, ct);
            Assert.Equal((HttpStatusCode)429, limited.StatusCode);

            // A valid key is not subject to the per-address budget of failures.
            using var valid = await SendAsync(http, HttpMethod.Get, "/api/languages", stack.AdminKey);
            Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        }

        limits["RateLimits__TrustedProxies__0"] = "127.0.0.1";
        var (proxied, viaProxy) = await StartAsync(LoopbackPorts.Free(), limits);
        await using (proxied)
        using (viaProxy)
        {
            // Behind a trusted proxy each client has its own budget, even though 127.0.0.1's is spent.
            using var first = Request(HttpMethod.Get, "/api/languages", null);
            first.Headers.Add("X-Forwarded-For", $"6.6.6.6, 192.0.2.{Random.Shared.Next(1, 255)}:4711");
            using var answer = await viaProxy.SendAsync(first, ct);
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }
    }

    [Fact]
    public async Task StorageDown_Answers503ProblemWithRetryAfter_NotA500()
    {
        // Storage that never answers (nothing listens on its ports): keys cannot be looked up, nor
        // anything read or written. That is the service's outage, to be retried, not a bug (500).
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var dead = LoopbackPorts.Free();
        var storage = string.Join(';', stack.Azurite.ConnectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2) is [var name, var value] && name.EndsWith("Endpoint", StringComparison.Ordinal)
                ? $"{name}={new UriBuilder(value) { Port = dead }.Uri}"
                : part));
        var (app, http) = await StartAsync(LoopbackPorts.Free(), new Dictionary<string, string> { ["AzureWebJobsStorage"] = storage });
        await using (app)
        using (http)
        {
            foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
            {
                (HttpMethod.Post, "/api/submissions", Hello),
                (HttpMethod.Get, "/api/submissions/0123456789abcdef0123456789abcdef", null),
                (HttpMethod.Get, "/api/instances", null),
            })
            {
                using var response = await SendAsync(http, method, path, stack.AdminKey, body);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var problem = await StackFixture.JsonAsync(response);
                Assert.Equal(503, problem.GetProperty("status").GetInt32());
                Assert.Equal("Storage unavailable.", problem.GetProperty("title").GetString());
            }

            // What needs no storage still answers as before.
            using var live = await SendAsync(http, HttpMethod.Get, "/api/health/live", null);
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            using var anonymous = await SendAsync(http, HttpMethod.Post, "/api/submissions", null, Hello);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            using var health = await SendAsync(http, HttpMethod.Get, "/api/health", null);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("storage did not answer", await health.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RedisDown_SubmissionsFailClosed_ReadsFailOpen_AndTheLimiterRecovers()
    {
        stack.Require();
        var ct = TestContext.Current.CancellationToken;
        var (app, http) = await StartAsync(LoopbackPorts.Free());
        var (open, openHttp) = await StartAsync(LoopbackPorts.Free(), new Dictionary<string, string>
        {
            ["RateLimits__UserSubmissions__FailClosed"] = "false",
            ["RateLimits__UserBatches__FailClosed"] = "false",
            ["RateLimits__TenantHourlySubmissions__FailClosed"] = "false",
            ["RateLimits__TenantDailySubmissions__FailClosed"] = "false",
            ["RateLimits__TenantInFlight__FailClosed"] = "false",
        });
        await using (app)
        await using (open)
        using (http)
        using (openHttp)
        {
            var key = await stack.CreateKeyAsync(NewTenant(), ApiKeyRoles.Submit | ApiKeyRoles.Read);
            using var before = await SendAsync(http, HttpMethod.Post, "/api/submissions?wait=true", key, Hello);
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            var id = (await StackFixture.JsonAsync(before)).GetProperty("id").GetString()!;

            await stack.Redis.KillAsync();
            try
            {
                var timer = System.Diagnostics.Stopwatch.StartNew();
                using var refused = await SendAsync(http, HttpMethod.Post, "/api/submissions", key, Hello);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.NotNull(refused.Headers.RetryAfter);
                Assert.True(timer.Elapsed < TimeSpan.FromSeconds(3), $"a Redis outage must fail fast, took {timer.Elapsed}");

                using var read = await SendAsync(http, HttpMethod.Get, "/api/submissions/" + id, key);
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);

                using var health = await SendAsync(http, HttpMethod.Get, "/api/health", null);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
                Assert.Equal("Unhealthy", (await StackFixture.JsonAsync(health)).GetProperty("redis").GetString());

                using var openHealth = await SendAsync(openHttp, HttpMethod.Get, "/api/health", null);
                Assert.Equal(HttpStatusCode.OK, openHealth.StatusCode);
                Assert.Equal("Degraded", (await StackFixture.JsonAsync(openHealth)).GetProperty("status").GetString());
                using var admitted = await SendAsync(openHttp, HttpMethod.Post, "/api/submissions?wait=true", key, Hello);
                Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
            }
            finally
            {
                await stack.Redis.RestartAsync(ct);
            }

            var recovered = System.Diagnostics.Stopwatch.StartNew();
            HttpStatusCode status;
            do
            {
                using var again = await SendAsync(http, HttpMethod.Post, "/api/submissions", key, Hello);
                status = again.StatusCode;
                if (status != HttpStatusCode.Accepted)
                {
                    await Task.Delay(200, ct);
                }
            }
            while (status != HttpStatusCode.Accepted && recovered.Elapsed < TimeSpan.FromSeconds(20));

            Assert.Equal(HttpStatusCode.Accepted, status);
            using var healthy = await SendAsync(http, HttpMethod.Get, "/api/health", null);
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        }
    }
}
