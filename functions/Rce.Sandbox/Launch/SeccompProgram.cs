namespace Rce.Sandbox.Launch;

/// <summary>The seccomp BPF program, built once at start by <c>rce-setup</c> and reused by every run.</summary>
/// <remarks>
/// Building the filter with libseccomp costs about 2 ms per run on our machines; the program is the
/// same for every box, so it is emitted once into the root-owned state root (written to a unique
/// name, then renamed, so that concurrent starts never expose a half-written file) and each launch
/// opens it before dropping privileges.
/// </remarks>
internal static class SeccompProgram
{
    public static string Emit(string setup, string stateRoot)
    {
        Directory.CreateDirectory(stateRoot);
        var target = Path.Combine(stateRoot, "seccomp.bpf");
        var temp = Path.Combine(stateRoot, $"seccomp.bpf.{Environment.ProcessId}.tmp");
        var error = SetupTool.Run(setup, "--emit-seccomp", temp);
        if (error is not null || !File.Exists(temp) || new FileInfo(temp).Length == 0)
        {
            throw new SandboxUnavailableException("rce-setup could not build the seccomp filter: " + (error ?? "empty output"));
        }

        File.Move(temp, target, overwrite: true);
        return target;
    }
}
