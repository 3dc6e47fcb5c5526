using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rce.Runner.Hosting;

namespace Rce.Runner.Tests;

/// <summary>
/// The runner's default log levels: ASP.NET Core's per-request lines are off unless a setting turns
/// them on (an execution costs no log lines); the runner's own categories keep Information.
/// </summary>
public sealed class LogLevelTests
{
    private const string RequestLines = "Microsoft.AspNetCore.Hosting.Diagnostics";

    [Fact]
    public void PerRequestLines_OffByDefault_RunnersOwnOn()
    {
        var loggers = Loggers(null);

        Assert.False(loggers.CreateLogger(RequestLines).IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger(RequestLines).IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("Rce.Runner.RunnerLog").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void PerRequestLines_ASettingTurnsThemOn()
    {
        Assert.True(Loggers("Debug").CreateLogger(RequestLines).IsEnabled(LogLevel.Debug));
    }

    private static ILoggerFactory Loggers(string? aspNetCoreLevel)
    {
        var builder = WebApplication.CreateBuilder();
        if (aspNetCoreLevel is not null)
        {
            builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] = aspNetCoreLevel; // as an environment setting would
        }

        builder.AddRceRunner();
        return builder.Build().Services.GetRequiredService<ILoggerFactory>();
    }
}
