using System.Text.Json;

namespace Rce.Functions.Api;

/// <summary>Reads a bounded JSON body; every failure is a 4xx problem, never a 500.</summary>
internal static class RequestBody
{
    public static async Task<(byte[]? Bytes, IResult? Problem)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, Results.Problem(detail: $"The body is larger than {maxBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request is too large."));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return (null, Results.Problem(detail: $"The body is larger than {maxBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request is too large."));
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // A body without Content-Length (chunked) meets Kestrel's MaxRequestBodySize while being read.
            return (null, Results.Problem(detail: $"The body is larger than {maxBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request is too large."));
        }

        return (buffer.ToArray(), null);
    }

    public static (T? Value, IResult? Problem) Parse<T>(byte[] bytes)
        where T : class
    {
        try
        {
            var value = JsonSerializer.Deserialize<T>(bytes, ApiJson.Options);
            return value is null ? (null, Problems.BadRequest("The body must be a JSON object.")) : (value, null);
        }
        catch (JsonException error)
        {
            // The message names the path and the expected type; it never echoes the body.
            return (null, Problems.BadRequest("The body is not valid: " + (error.Path is null ? "malformed JSON" : $"{error.Path}: wrong type or unknown field")));
        }
    }
}
