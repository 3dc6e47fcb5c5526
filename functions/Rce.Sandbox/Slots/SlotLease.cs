using System.Text;

namespace Rce.Sandbox.Slots;

/// <summary>
/// One claimed slot: an unprivileged host uid used by no other box on the machine while held.
/// </summary>
/// <remarks>
/// The lock file doubles as a journal: before a box is built its resources are recorded here, and
/// the record is cleared after teardown. A process that dies between the two leaves the record,
/// and the next claimant of the slot sweeps what it names.
/// </remarks>
public sealed class SlotLease : IDisposable
{
    private readonly FileStream _lock;
    private readonly Action _release;
    private bool _disposed;

    internal SlotLease(int index, int uid, FileStream lockFile, Action release)
    {
        Index = index;
        Uid = uid;
        _lock = lockFile;
        _release = release;
    }

    /// <summary>Slot number, 0-based.</summary>
    public int Index { get; }

    /// <summary>Host uid (and gid) of the slot.</summary>
    public int Uid { get; }

    /// <summary>Records the resources about to be created, for the sweep of a dead owner.</summary>
    internal void Journal(IEnumerable<string> lines)
    {
        var bytes = Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
        _lock.SetLength(0);
        _lock.Position = 0;
        _lock.Write(bytes);
        _lock.Flush();
    }

    /// <summary>Clears the journal after a clean teardown.</summary>
    internal void ClearJournal() => _lock.SetLength(0);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _lock.Dispose();
        _release();
    }
}
