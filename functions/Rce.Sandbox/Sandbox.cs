using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rce.Core.Execution;
using Rce.Sandbox.Boxes;
using Rce.Sandbox.Cgroups;
using Rce.Sandbox.Execution;
using Rce.Sandbox.Launch;
using Rce.Sandbox.Probe;
using Rce.Sandbox.Slots;

namespace Rce.Sandbox;

/// <summary>
/// The sandbox engine: runs one command per fresh box, under a machine-wide slot, and reports.
/// </summary>
/// <remarks>
/// <para>Theory of operation. For every run:</para>
/// <list type="number">
/// <item>claim a slot (an unprivileged host uid, exclusive on the machine) and journal the
/// resources about to exist;</item>
/// <item>mount the box and scratch tmpfs (size and inode limited, nosuid, nodev) under
/// <c>/run/rce/boxes/&lt;slot&gt;-&lt;run&gt;</c> (itself a tmpfs), and write the files with no-follow opens;</item>
/// <item>create the cgroup (memory without swap, pids, CPU quota and accounting);</item>
/// <item>start <c>rce-launch</c> from the spawner thread: it joins the cgroup, enters the slot's
/// network namespace, sets rlimits, drops to the slot uid, prepares seccomp and execs bwrap with an
/// empty environment; bwrap unshares user, pid, ipc, uts and cgroup namespaces, mounts a read-only system and runs
/// <c>rce-init</c> as the pid namespace's init, which runs the command;</item>
/// <item>the parent feeds stdin, caps outputs, enforces wall and whole-tree CPU time, then kills
/// the tree and waits for its cgroup to empty before measuring;</item>
/// <item>copy <c>/out</c> out if asked, then unmount the box, remove the cgroup and clear the
/// journal.</item>
/// </list>
/// <para>Failures of ours are reported as <see cref="StopReason.SandboxFailure"/>, never thrown
/// at the caller as the program's fault, and never by running anything unsandboxed.</para>
/// </remarks>
public sealed class Sandbox : IDisposable
{
    private readonly SandboxOptions _options;
    private readonly ICgroupBackend _cgroups;
    private readonly SlotPool _slots;
    private readonly Spawner _spawner = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _boxesRoot;
    private readonly Timer _reaper;
    private readonly string _seccompFile;
    private readonly string _initFile;
    private readonly SlotNetworks _networks;
    private readonly string _bwrap;

    private Sandbox(SandboxOptions options, ICgroupBackend cgroups, SandboxCapabilities capabilities, ILogger logger, TimeProvider time)
    {
        _options = options;
        _cgroups = cgroups;
        _logger = logger;
        _time = time;
        Capabilities = capabilities;
        _boxesRoot = Boxes.BoxesRoot.Prepare(options.StateRoot);
        _seccompFile = SeccompProgram.Emit(options.EffectiveSetupPath, options.StateRoot);
        _initFile = InitProgram.Install(options.EffectiveInitPath, options.StateRoot);
        _networks = new SlotNetworks(options.EffectiveSetupPath, options.StateRoot);
        _bwrap = options.EffectiveBwrapPath;
        OrphanReaper.BecomeSubreaper();
        _reaper = new Timer(_ => OrphanReaper.SweepZombies(options.UidBase, options.UidCount, _spawner.IsTracked), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _slots = new SlotPool(Path.Combine(options.StateRoot, "slots"), options.Slots, options.UidBase, Sweep, time);
        _slots.SweepAll(SweepSlot);
    }

    /// <summary>What the host offers, as probed at start.</summary>
    public SandboxCapabilities Capabilities { get; }

    /// <summary>The neutral state root (lock files, boxes, artefacts).</summary>
    public string StateRoot => _options.StateRoot;

    /// <summary>The tmpfs under the state root that holds every box's directory.</summary>
    public string BoxesRoot => _boxesRoot;

    /// <summary>Number of machine-wide slots.</summary>
    public int SlotCount => _slots.Count;

    /// <summary>Slots held by this process right now.</summary>
    public int SlotsBusy => _slots.Busy;

    /// <summary>Probes the host and builds the engine.</summary>
    /// <exception cref="SandboxUnavailableException">The sandbox cannot be built on this host.</exception>
    public static Sandbox Create(SandboxOptions options, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var capabilities = CapabilityProbe.Run(options, out var cgroups);
        if (!capabilities.Usable || cgroups is null)
        {
            throw new SandboxUnavailableException(capabilities.Problems);
        }

        return new Sandbox(options, cgroups, capabilities, logger ?? NullLogger.Instance, time ?? TimeProvider.System);
    }

    /// <summary>Runs <paramref name="spec"/> in a fresh box and reports what happened.</summary>
    public async Task<BoxResult> RunAsync(BoxSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var slot = await _slots.AcquireAsync(cancellationToken).ConfigureAwait(false);
        var name = $"{slot.Index}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        var boxRoot = Path.Combine(_boxesRoot, name);
        slot.Journal(_cgroups.Parents.Select(p => "cg " + Path.Combine(p, name)).Prepend("box " + boxRoot));

        Box? box = null;
        IBoxCgroup? cgroup = null;
        ProcessReport? report = null;
        try
        {
            box = Box.Create(_boxesRoot, name, slot.Uid, slot.Uid, spec.Limits);
            foreach (var file in spec.Files)
            {
                NoFollowFiles.CreateFile(box.WorkDir, file.Name, file.Content.Span, slot.Uid, slot.Uid, file.Executable);
            }

            cgroup = _cgroups.Create(name, spec.Limits.MemoryBytes, spec.Limits.Processes, _options.CpuCoresPerBox);
            var statusFile = box.StatusFile;
            var netns = _networks.Ensure(slot.Index);
            var info = StartInfo(BwrapArguments.Launcher(slot.Uid, cgroup.JoinPaths, netns, spec.Limits, statusFile, _seccompFile, _bwrap)
                .Concat(BwrapArguments.Bwrap(spec, box, _initFile)));
            report = await new BoxRun(spec, cgroup, statusFile, _options.CpuCoresPerBox, _time)
                .RunAsync(_spawner, info, cancellationToken).ConfigureAwait(false);

            long collected = 0;
            if (spec.CollectOutTo is not null && report.StopReason != StopReason.SandboxFailure)
            {
                collected = NoFollowFiles.CopyTree(box.OutDir, spec.CollectOutTo, maxFiles: 4096, maxBytes: spec.Limits.BoxBytes);
            }

            if (report.StopReason == StopReason.SandboxFailure)
            {
                SandboxLog.SetupFailed(_logger, name, report.FailureDetail ?? "unknown");
            }

            return new BoxResult(report, collected);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            SandboxLog.SetupFailed(_logger, name, ex.Message);
            return new BoxResult(new ProcessReport
            {
                Stdout = ReadOnlyMemory<byte>.Empty,
                Stderr = ReadOnlyMemory<byte>.Empty,
                StopReason = StopReason.SandboxFailure,
                FailureDetail = ex.Message,
            }, 0);
        }
        finally
        {
            // A run that ended normally drained its cgroup: only a failed one can have left a process.
            if (report is not { StopReason: not StopReason.SandboxFailure })
            {
                DiscardNetworkIfOccupied(slot.Index, cgroup);
            }

            cgroup?.Dispose();
            box?.Dispose();
            slot.ClearJournal();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _reaper.Dispose();
        _spawner.Dispose();
        _slots.Dispose();
    }

    /// <summary>A box that kept a process we could not kill must not share the slot's loopback with later boxes.</summary>
    private void DiscardNetworkIfOccupied(int slot, IBoxCgroup? cgroup)
    {
        bool empty;
        try
        {
            empty = cgroup is null || cgroup.IsEmpty();
        }
        catch (IOException)
        {
            empty = false;
        }

        if (!empty)
        {
            _networks.Discard(slot);
        }
    }

    private ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(_options.EffectiveLauncherPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        info.Environment.Clear();
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>
    /// With slot <paramref name="index"/> held, nothing named after it can be in use: remove any box
    /// or cgroup of that slot that a journal did not name (an older version, a failed teardown).
    /// </summary>
    private void SweepSlot(int index)
    {
        var prefix = index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-";
        foreach (var parent in _cgroups.Parents)
        {
            foreach (var dir in Directory.Exists(parent) ? Directory.GetDirectories(parent, prefix + "*") : [])
            {
                CgroupSweeper.Destroy(dir);
            }
        }

        foreach (var dir in Directory.GetDirectories(_boxesRoot, prefix + "*"))
        {
            Box.Remove(dir);
        }
    }

    /// <summary>Kills and removes what a dead owner of a slot left, as named by its journal.</summary>
    private void Sweep(IReadOnlyList<string> journal)
    {
        foreach (var line in journal)
        {
            if (line.StartsWith("cg ", StringComparison.Ordinal))
            {
                CgroupSweeper.Destroy(line[3..]);
            }
        }

        foreach (var line in journal)
        {
            if (line.StartsWith("box ", StringComparison.Ordinal))
            {
                Box.Remove(line[4..]);
            }
        }

        SandboxLog.Swept(_logger, journal.Count);
    }
}
