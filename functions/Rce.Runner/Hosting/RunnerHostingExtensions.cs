using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Rce.Runner.Api;
using Rce.Runner.Execution;
using Rce.Sandbox;

namespace Rce.Runner.Hosting;

/// <summary>Composition of the runner: options, sandbox, services, middleware.</summary>
public static class RunnerHostingExtensions
{
    /// <summary>Registers everything the runner needs; options are validated at start.</summary>
    public static WebApplicationBuilder AddRceRunner(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // ASP.NET Core's own lines for every request (request starting and finished, endpoint and
        // result) are Information: five lines and their CPU per execution. Warning by default; as the
        // lowest-precedence source, any setting (Logging__LogLevel__Microsoft.AspNetCore) overrides it.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>(StringComparer.Ordinal) { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" },
        });
        builder.Services.AddOptions<RunnerOptions>().BindConfiguration(RunnerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<Rce.Core.Limits.LimitsOptions>().BindConfiguration(Rce.Core.Limits.LimitsOptions.SectionName)
            .Validate(o => { _ = o.RunLimits; _ = o.CompileLimits; return true; }, "Limits__* settings must be positive").ValidateOnStart();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new SandboxHost(sp.GetRequiredService<IOptions<SandboxOptions>>().Value, sp.GetRequiredService<ILogger<SandboxHost>>()));
        builder.Services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<RunnerOptions>>().Value;
            return new Rce.Sandbox.Caching.CompileCache(o.CompileCacheRoot, o.CompileCacheBytes, sp.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddSingleton<ExecutionService>();
        builder.Services.AddHostedService<SelfTestService>();

        // Loopback unless configured otherwise; the body limit makes oversized requests 413.
        var urls = builder.Configuration[$"{RunnerOptions.SectionName}:Urls"] ?? new RunnerOptions().Urls;
        builder.WebHost.UseUrls(urls);
        var maxBytes = builder.Configuration.GetValue<long?>($"{RunnerOptions.SectionName}:MaxRequestBytes") ?? new RunnerOptions().MaxRequestBytes;
        builder.Services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = maxBytes);
        return builder;
    }

    /// <summary>Adds the middleware: problem details for errors, then the bearer token.</summary>
    public static WebApplication UseRceRunner(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<BearerTokenMiddleware>();
        return app;
    }
}
