namespace Rce.Runner.Api;

/// <summary>Reads a request body up to a bound, so that an oversized body costs at most bound + 1 bytes of memory.</summary>
internal static class BoundedBody
{
    public static async Task<byte[]> ReadAsync(Stream body, long max, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (buffer.Length <= max)
        {
            var n = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            buffer.Write(chunk, 0, n);
        }

        return buffer.ToArray();
    }
}
