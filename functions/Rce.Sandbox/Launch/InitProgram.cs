namespace Rce.Sandbox.Launch;

/// <summary>Puts <c>rce-init</c>, the box's pid 1, where every box can bind it from.</summary>
/// <remarks>
/// The bind's source path shows inside the box in <c>/proc/self/mountinfo</c>, so the init is
/// copied into the neutral, root-owned state root rather than bound from beside the assembly (a
/// checkout or an install path). Written to a unique name and renamed, so that concurrent starts
/// never expose a half-written file; mode 0755, so that bwrap, running as a slot uid, can bind it
/// and the box can execute it, but nobody but root can change it.
/// </remarks>
internal static class InitProgram
{
    /// <summary>Path of the init inside the box.</summary>
    public const string InsidePath = "/rce-init";

    public static string Install(string init, string stateRoot)
    {
        if (!File.Exists(init))
        {
            throw new SandboxUnavailableException($"rce-init not found at {init}");
        }

        Directory.CreateDirectory(stateRoot);
        var target = Path.Combine(stateRoot, "rce-init");
        var temp = Path.Combine(stateRoot, $"rce-init.{Environment.ProcessId}.tmp");
        File.Copy(init, temp, overwrite: true);
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.Move(temp, target, overwrite: true);
        return target;
    }
}
