using Microsoft.Extensions.Configuration;
using Rce.Core.Limits;
using Rce.Sandbox;

namespace Rce.Cli;

/// <summary>Settings of the CLI, from environment variables in their configuration form (<c>Sandbox__Slots</c>).</summary>
internal static class CliSettings
{
    // Read on each call: settings are environment variables, and tests change them between runs.
    private static IConfiguration Configuration => new ConfigurationBuilder().AddEnvironmentVariables().Build();

    public static SandboxOptions Sandbox()
    {
        var options = new SandboxOptions();
        Configuration.GetSection(SandboxOptions.SectionName).Bind(options);
        return options;
    }

    /// <summary>Limit settings (<c>Limits__Run__CpuTimeMs</c>, …) over the product defaults.</summary>
    public static LimitsOptions Limits()
    {
        var options = new LimitsOptions();
        Configuration.GetSection(LimitsOptions.SectionName).Bind(options);
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
