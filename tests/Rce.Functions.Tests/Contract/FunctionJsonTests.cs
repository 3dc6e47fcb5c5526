using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Rce.Functions.Queues;
using Rce.Testing;

namespace Rce.Functions.Tests.Contract;

/// <summary>
/// Keeps the hosted-mode metadata (<c>functions/&lt;Name&gt;/function.json</c>) and the executable in
/// step: every HTTP function's route and methods are served by the endpoint of the same name, every
/// queue function is dispatched, and nothing is served that the host would not route.
/// </summary>
public sealed class FunctionJsonTests
{
    private static readonly string FunctionsDir = Path.Combine(RepoPaths.Root, "functions");

    private static IEnumerable<(string Name, JsonElement Trigger)> Functions() =>
        Directory.GetDirectories(FunctionsDir)
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .Select(d => (Path.GetFileName(d), JsonDocument.Parse(File.ReadAllText(Path.Combine(d, "function.json"))).RootElement.GetProperty("bindings")[0]));

    private static List<RouteEndpoint> Endpoints()
    {
        var app = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder();
        app.Configuration["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        app.Configuration["Runners:Endpoints:0:BaseUrl"] = "http://127.0.0.1:9";
        app.Configuration["Runners:Endpoints:0:Token"] = "contract-token-0123456789";
        Rce.Functions.Hosting.FunctionsComposition.AddRceFunctions(app);
        var built = app.Build();
        Rce.Functions.Hosting.FunctionsComposition.UseRceFunctions(built);
        return [.. ((IEndpointRouteBuilder)built).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()];
    }

    [Fact]
    public void HttpFunctions_MatchTheEndpointOfTheSameName()
    {
        var endpoints = Endpoints();
        var http = Functions().Where(f => f.Trigger.GetProperty("type").GetString() == "httpTrigger").ToList();
        Assert.True(http.Count >= 13, "expected the API's HTTP functions");
        foreach (var (name, trigger) in http)
        {
            var endpoint = endpoints.SingleOrDefault(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == name);
            Assert.True(endpoint is not null, $"{name}: no endpoint named so");
            Assert.Equal("/api/" + trigger.GetProperty("route").GetString(), "/" + endpoint.RoutePattern.RawText!.TrimStart('/'));
            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods.Select(m => m.ToLowerInvariant()).Order();
            Assert.Equal(trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).Order(), methods);
            Assert.Equal("http", JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsDir, name, "function.json"))).RootElement.GetProperty("bindings")[1].GetProperty("type").GetString());
        }

        // Every /api endpoint has its function folder (else hosted mode would not route it).
        var named = http.Select(h => h.Name).ToHashSet();
        foreach (var endpoint in endpoints.Where(e => e.RoutePattern.RawText!.TrimStart('/').StartsWith("api/", StringComparison.Ordinal)))
        {
            Assert.Contains(endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "(unnamed)", named);
        }
    }

    [Fact]
    public void QueueFunctions_MatchTheirFolders()
    {
        var queues = Functions().Where(f => f.Trigger.GetProperty("type").GetString() == "queueTrigger")
            .Select(f => (f.Name, Queue: f.Trigger.GetProperty("queueName").GetString()!)).OrderBy(f => f.Name).ToList();

        Assert.Equal(QueueFunctions.All.OrderBy(f => f.Name), queues);
        var endpoints = Endpoints();
        foreach (var (name, _) in queues)
        {
            Assert.Contains(endpoints, e => e.RoutePattern.RawText!.TrimStart('/') == name);
        }
    }

    [Fact]
    public void HostJson_ForwardsHttpAndDeclaresTheCustomHandler()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json")));
        var handler = host.RootElement.GetProperty("customHandler");

        Assert.True(handler.GetProperty("enableForwardingHttpRequest").GetBoolean());
        Assert.Equal("Rce.Functions", handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString());
        Assert.Equal("api", host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }
}
