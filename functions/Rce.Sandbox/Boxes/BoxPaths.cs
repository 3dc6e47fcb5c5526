using System.Text;

namespace Rce.Sandbox.Boxes;

/// <summary>Validation of file names that come from outside (API requests, CLI arguments).</summary>
/// <remarks>
/// Threat: a name such as <c>../../etc/cron.d/x</c>, an absolute path, or one with control bytes
/// would let a request write outside the box or confuse logs and terminals.
/// </remarks>
public static class BoxPaths
{
    /// <summary>Largest accepted name, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 255;

    /// <summary>Checks a relative file name; returns null when valid, else the reason.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "must not be empty";
        }

        if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
        {
            return $"must be at most {MaxNameBytes} bytes";
        }

        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                return "must not contain NUL or control characters";
            }
        }

        if (name.StartsWith('/') || name.Contains('\\', StringComparison.Ordinal))
        {
            return "must be a relative path with '/' separators";
        }

        foreach (var part in name.Split('/'))
        {
            if (part.Length == 0 || part == "." || part == "..")
            {
                return "must not contain empty, '.' or '..' segments";
            }
        }

        return null;
    }
}
