namespace Rce.Sandbox.Execution;

/// <summary>Reads one output pipe to its end, keeping at most a cap and signalling when it is exceeded.</summary>
/// <remarks>
/// The cap is enforced from the parent: the program cannot lie about how much it wrote. After the
/// cap the reader keeps draining (and discarding) so that the writer never blocks on a full pipe
/// while the monitor kills the tree.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A MemoryStream holds no unmanaged resource.")]
internal sealed class OutputCollector(Stream stream, long cap)
{
    // A MemoryStream holds no unmanaged resource: nothing to dispose.
    private readonly MemoryStream _kept = new();
    private readonly TaskCompletionSource _exceeded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when more than the cap was written.</summary>
    public Task Exceeded => _exceeded.Task;

    /// <summary>Whether more than the cap was written.</summary>
    public bool Truncated { get; private set; }

    /// <summary>The bytes kept, at most the cap.</summary>
    public ReadOnlyMemory<byte> Bytes => _kept.GetBuffer().AsMemory(0, (int)_kept.Length);

    /// <summary>Reads until end of stream.</summary>
    public async Task ReadToEndAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }

                var room = cap - _kept.Length;
                if (n > room)
                {
                    _kept.Write(buffer, 0, (int)Math.Max(0, room));
                    Truncated = true;
                    _exceeded.TrySetResult();
                }
                else
                {
                    _kept.Write(buffer, 0, n);
                }
            }
        }
        catch (IOException)
        {
            // The pipe broke because the tree was killed: what was read stands.
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
