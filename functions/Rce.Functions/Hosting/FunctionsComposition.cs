using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Rce.Core.Submissions;
using Rce.Functions.Api;
using Rce.Functions.Limits;
using Rce.Functions.Security;
using Rce.Functions.Queues;
using Rce.Infrastructure.Callbacks;
using Rce.Infrastructure.Redis;
using Rce.Infrastructure.Runners;
using Rce.Infrastructure.Storage;
using Rce.Infrastructure.Tenancy;
using Rce.Infrastructure.Workflow;

namespace Rce.Functions.Hosting;

/// <summary>Composition of the Functions app: both hosting modes share everything but the listener and the port.</summary>
public static class FunctionsComposition
{
    public static WebApplicationBuilder AddRceFunctions(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        DefaultLogLevels(configuration);
        var mode = HostingMode.FromEnvironment(configuration);
        services.AddSingleton(mode);
        services.AddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.AddExceptionHandler<StorageOutageHandler>(); // 503, not 500, when storage does not answer
        services.AddOpenApi("v1", o =>
        {
            OpenApiSecurity.Configure(o);
            OpenApiIdempotency.Configure(o);
        });
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WorkflowOptions>().BindConfiguration(WorkflowOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CallbackDeliveryOptions>().BindConfiguration("Callbacks");
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();

        services.AddRceStorage(configuration);
        services.AddRceWorkflowStorage();
        services.AddRceRunnerClient(configuration);
        services.AddRceCallbacks(configuration);
        services.AddRceRedis(configuration);
        services.AddRceTenancy();
        services.AddSingleton<LimitPolicies>();
        services.AddSingleton<LimitGate>();
        services.AddSingleton<ClientAddressResolver>();
        services.AddSingleton<InFlightRelease>();

        services.AddSingleton(sp => new PriorityGate(sp.GetRequiredService<IOptions<WorkflowOptions>>().Value.MaxConcurrentRuns));
        services.AddSingleton<CompletionSignals>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<WorkflowOptions>>().Value);
        services.AddSingleton(sp =>
        {
            var workflow = ActivatorUtilities.CreateInstance<SubmissionWorkflow>(sp);
            var callbacks = sp.GetRequiredService<CallbackDelivery>();
            workflow.Ended += callbacks.OnEndedAsync;
            workflow.Ended += sp.GetRequiredService<InFlightRelease>().OnEndedAsync;
            return workflow;
        });
        services.AddSingleton<CallbackDelivery>();
        services.AddSingleton<SubmissionService>();
        services.AddSingleton<RunnerCatalog>();
        services.AddSingleton<QueueFunctions>();
        services.AddSingleton<QueueHost>();
        services.AddHostedService(sp => sp.GetRequiredService<QueueHost>());

        // Hosted: the Functions host talks to us on loopback only. Self-hosted: the API on port 7071.
        builder.WebHost.UseUrls(mode.Hosted ? $"http://127.0.0.1:{mode.Port}" : configuration["Functions:Urls"] ?? $"http://localhost:{mode.Port}");
        var maxBytes = configuration.GetValue<long?>($"{ApiOptions.SectionName}:MaxRequestBytes") ?? new ApiOptions().MaxRequestBytes;
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = maxBytes);
        return builder;
    }

    /// <summary>
    /// ASP.NET Core's own lines for every request (request starting and finished, endpoint executing
    /// and executed) are Information: four lines per status poll on the host's log stream, and their
    /// formatting and writes on the request's CPU. Warning by default; as the lowest-precedence
    /// source, any setting (<c>Logging__LogLevel__Microsoft.AspNetCore</c>) overrides it.
    /// </summary>
    private static void DefaultLogLevels(ConfigurationManager configuration) =>
        configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>(StringComparer.Ordinal) { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" },
        });

    public static WebApplication UseRceFunctions(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler(); // RFC 9457 for unexpected errors: 503 when storage does not answer, else 500; never 4xx in disguise
        app.UseStatusCodePages();
        app.UseRouting(); // the key middleware reads the matched endpoint's role
        app.UseMiddleware<ApiKeyMiddleware>();
        app.MapOpenApi("/api/openapi/{documentName}.json").WithName("OpenApi");
        SubmissionEndpoints.Map(app);
        InstanceEndpoints.Map(app);
        ServiceEndpoints.Map(app);
        KeyEndpoints.Map(app);
        CustomHandlerEndpoints.Map(app);
        return app;
    }
}
