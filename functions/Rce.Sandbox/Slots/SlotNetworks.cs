using System.Globalization;
using Rce.Sandbox.Launch;
using Rce.Sandbox.Native;

namespace Rce.Sandbox.Slots;

/// <summary>
/// Each slot's network namespace: made on the slot's first run by <c>rce-setup --make-netns</c>,
/// pinned by a bind mount at <c>&lt;state root&gt;/netns/&lt;slot&gt;</c>, and entered by the
/// launcher of every later box of that slot.
/// </summary>
/// <remarks>
/// Why one per slot rather than one per run, and why that is as tight, is explained at
/// <c>make_netns</c> in <c>rce-setup.c</c>. Invariant: only the holder of a slot makes or uses
/// its namespace, so two boxes never share one at the same time. A pin lost to a reboot leaves a
/// plain file behind, which is told apart by its file system type and pinned again.
/// </remarks>
internal sealed class SlotNetworks(string setup, string stateRoot)
{
    private const long NsfsMagic = 0x6e736673;
    private readonly string _dir = Path.Combine(stateRoot, "netns");

    /// <summary>Path of the slot's pinned namespace, made first if need be. Call with the slot held.</summary>
    /// <exception cref="IOException">The namespace could not be made.</exception>
    public string Ensure(int slot)
    {
        var path = Path.Combine(_dir, slot.ToString(CultureInfo.InvariantCulture));
        if (Libc.FileSystemType(path) == NsfsMagic)
        {
            return path;
        }

        Directory.CreateDirectory(_dir);
        var error = SetupTool.Run(setup, "--make-netns", path);
        if (error is not null || Libc.FileSystemType(path) != NsfsMagic)
        {
            throw new IOException($"could not make the network namespace of slot {slot}: {error ?? "not pinned"}");
        }

        return path;
    }

    /// <summary>
    /// Drops the slot's namespace, so that the slot's next box gets a fresh one. For a box whose
    /// processes could not all be killed: a survivor must not share a loopback with later boxes.
    /// </summary>
    public void Discard(int slot)
    {
        var path = Path.Combine(_dir, slot.ToString(CultureInfo.InvariantCulture));
        _ = Libc.umount2(path, Libc.MntDetach);
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Unpinned already: Ensure tells a plain file from a namespace and pins a new one.
        }
    }
}
