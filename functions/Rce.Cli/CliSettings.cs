using Microsoft.Extensions.Configuration;
using Rce.Sandbox;

namespace Rce.Cli;

/// <summary>Settings of the CLI, from environment variables in their configuration form (<c>Sandbox__Slots</c>).</summary>
internal static class CliSettings
{
    public static SandboxOptions Sandbox()
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var options = new SandboxOptions();
        configuration.GetSection(SandboxOptions.SectionName).Bind(options);
        return options;
    }
}
