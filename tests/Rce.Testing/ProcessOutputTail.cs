namespace Rce.Testing;

/// <summary>The last lines a child process wrote, for error messages.</summary>
internal sealed class ProcessOutputTail
{
    private const int MaxLines = 40;
    private readonly Queue<string> _lines = new();
    private readonly Lock _lock = new();

    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _lines.Enqueue(line);
            if (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
            }
        }
    }

    public string Text()
    {
        lock (_lock)
        {
            return string.Join('\n', _lines);
        }
    }
}
