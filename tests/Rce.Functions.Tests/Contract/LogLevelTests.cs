using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Rce.Functions.Tests.Contract;

/// <summary>
/// The app's default log levels: ASP.NET Core's per-request lines are off unless a setting turns
/// them on; the app's own categories keep the host's default (Information).
/// </summary>
public sealed class LogLevelTests
{
    private const string RequestLines = "Microsoft.AspNetCore.Hosting.Diagnostics";

    [Fact]
    public void PerRequestLines_OffByDefault_AppsOwnOn()
    {
        var loggers = Loggers(null);

        Assert.False(loggers.CreateLogger(RequestLines).IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger(RequestLines).IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("Rce.Core.Submissions.SubmissionWorkflow").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void PerRequestLines_ASettingTurnsThemOn()
    {
        var loggers = Loggers("Information");

        Assert.True(loggers.CreateLogger(RequestLines).IsEnabled(LogLevel.Information));
    }

    private static ILoggerFactory Loggers(string? aspNetCoreLevel)
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder();
        builder.Configuration["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        builder.Configuration["Runners:Endpoints:0:BaseUrl"] = "http://127.0.0.1:9";
        builder.Configuration["Runners:Endpoints:0:Token"] = "contract-token-0123456789";
        if (aspNetCoreLevel is not null)
        {
            builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] = aspNetCoreLevel; // as an environment setting would
        }

        Rce.Functions.Hosting.FunctionsComposition.AddRceFunctions(builder);
        return builder.Build().Services.GetRequiredService<ILoggerFactory>();
    }
}
