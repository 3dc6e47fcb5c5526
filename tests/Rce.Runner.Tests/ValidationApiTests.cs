using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Rce.Runner.Tests;

/// <summary>Bad requests get 400/413 problem details naming the field; the bearer token guards every route but /health.</summary>
public sealed class ValidationApiTests(RunnerFixture runner)
{
    public static TheoryData<string, string> BadRequests() => new()
    {
        { "{\"language\": \"python\", \"source\": 5}", "source" },
        { "{\"language\": \"python\", \"source\": \"x\", \"tests\": \"no\"}", "tests" },
        { "{\"language\": \"cobol\", \"source\": \"x\"}", "language" },
        { "{\"source\": \"x\"}", "language" },
        { "{\"language\": \"python\"}", "files" },
        { "{\"language\": \"python\", \"files\": [{\"name\": \"../x.py\", \"content\": \"\"}]}", "files[0].name" },
        { "{\"language\": \"python\", \"files\": [{\"name\": \"/etc/x.py\", \"content\": \"\"}]}", "files[0].name" },
        { "{\"language\": \"python\", \"files\": [{\"name\": \"a\\u0001.py\", \"content\": \"\"}]}", "files[0].name" },
        { "{\"language\": \"python\", \"files\": [{\"name\": \"a.py\", \"content\": \"!!\", \"encoding\": \"base64\"}]}", "files[0].content" },
        { "{\"language\": \"python\", \"files\": [{\"name\": \"a.py\", \"content\": \"\"}, {\"name\": \"a.py\", \"content\": \"\"}]}", "files[1].name" },
        { "{\"language\": \"python\", \"source\": \"x\", \"limits\": {\"cpuTimeMs\": 999999}}", "limits.cpuTimeMs" },
        { "{\"language\": \"python\", \"source\": \"x\", \"limits\": {\"memoryBytes\": 1}}", "limits.memoryBytes" },
        { "{\"language\": \"python\", \"source\": \"x\", \"stdin\": \"\", \"tests\": []}", "stdin" },
        { "{\"language\": \"python\", \"source\": \"x\", \"tests\": [{\"id\": \"1\"}, {\"id\": \"1\"}]}", "tests[1].id" },
        { "{\"language\": \"python\", \"source\": \"x\", \"checker\": {\"type\": \"magic\"}}", "checker.type" },
        { "{\"language\": \"python\", \"source\": \"x\", \"checker\": {\"type\": \"custom\", \"language\": \"python\"}}", "checker.source" },
        { "{\"language\": \"python\", \"source\": \"x\", \"mainFile\": \"other.py\"}", "mainFile" },
        { "not json", "body" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadRequest_IsProblemDetailsNamingTheField(string json, string field)
    {
        runner.Require();
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await runner.Client.PostAsync("/v1/executions", content, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal(400, (int?)body["status"]);
        Assert.True(body["errors"]!.AsObject().ContainsKey(field), body.ToJsonString());
    }

    [Fact]
    public async Task TooManyFiles_IsRejected()
    {
        var files = Enumerable.Range(0, 65).Select(i => new { name = $"f{i}.py", content = "" }).ToArray();
        var (status, body) = await runner.PostAsync(new { language = "python", files, mainFile = "f0.py" });
        Assert.Equal(400, status);
        Assert.True(body["errors"]!.AsObject().ContainsKey("files"));
    }

    [Fact]
    public async Task OversizedBody_Is413()
    {
        var (status, body) = await runner.PostAsync(new { language = "python", source = new string('#', 3 << 20) });
        Assert.Equal(413, status);
        Assert.Equal(413, (int?)body["status"]);
    }

    [Fact]
    public async Task MissingOrWrongToken_Is401WithChallenge()
    {
        runner.Require();
        using var anonymous = await runner.Anonymous.PostAsJsonAsync("/v1/executions", new { language = "python", source = "print(1)" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Bearer", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/languages");
        request.Headers.Authorization = new("Bearer", "wrong-token-wrong-token");
        using var wrong = await runner.Anonymous.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task Health_NeedsNoToken_AndReportsSelfTests()
    {
        runner.Require();
        using var response = await runner.Anonymous.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("Healthy", (string?)body["status"]);
        Assert.Contains(body["languages"]!.AsArray(), l => (string?)l!["id"] == "python" && (bool?)l["passed"] == true);
        Assert.NotNull(body["sandbox"]!["bwrapVersion"]);
    }

    [Fact]
    public async Task Languages_ListsVersionsAndSelfTests()
    {
        runner.Require();
        var languages = await runner.Client.GetFromJsonAsync<JsonArray>("/v1/languages", TestContext.Current.CancellationToken);
        var python = languages!.First(l => (string?)l!["id"] == "python")!;
        Assert.False((bool?)python["compiled"]);
        Assert.True((bool?)python["selfTestPassed"]);
        Assert.StartsWith("Python 3", (string?)python["version"], StringComparison.Ordinal);
        Assert.Contains(languages!, l => (string?)l!["id"] == "c" && (bool?)l["compiled"] == true);
    }
}
