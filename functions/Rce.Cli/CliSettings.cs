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

    /// <summary>Builds the sandbox, or prints why it cannot be built (the caller exits 3).</summary>
    public static async Task<Sandbox.Sandbox?> CreateSandboxAsync(TextWriter stderr)
    {
        try
        {
            return Rce.Sandbox.Sandbox.Create(Sandbox());
        }
        catch (SandboxUnavailableException ex)
        {
            await stderr.WriteLineAsync("rce: " + ex.Message).ConfigureAwait(false);
            return null;
        }
    }
}
