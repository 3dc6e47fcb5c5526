using System.Diagnostics;

namespace Rce.Sandbox.Launch;

/// <summary>Runs one step of <c>rce-setup</c>: the one-time steps (at start, or a slot's first run).</summary>
internal static class SetupTool
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Runs <c>rce-setup STEP FILE</c>.</summary>
    /// <returns>Null when the step succeeded; else why not (its stderr, or that it did not start or finish).</returns>
    public static string? Run(string setup, string step, string file)
    {
        var info = new ProcessStartInfo(setup) { UseShellExecute = false, RedirectStandardError = true };
        info.ArgumentList.Add(step);
        info.ArgumentList.Add(file);
        Process? process;
        try
        {
            process = Process.Start(info);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"{setup} did not start: {ex.Message}";
        }

        using (process)
        {
            if (process is null)
            {
                return $"{setup} did not start";
            }

            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Patience))
            {
                process.Kill();
                return $"{setup} {step} did not finish in {Patience.TotalSeconds:0} s";
            }

            return process.ExitCode == 0 ? null : $"exit {process.ExitCode}: {error.Result.Trim()}";
        }
    }
}
