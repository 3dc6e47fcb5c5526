using System.Text.Json;
using Rce.Functions.Security;

namespace Rce.Functions.Limits;

/// <summary>
/// Who the per-user windows count: <c>metadata.userId</c> of the body, else the <c>X-User-Id</c>
/// header, else the key id. Always scoped to the caller's tenant by the key layout, so one LMS cannot
/// spend another's users' budgets.
/// </summary>
internal static class EndUser
{
    private const int MaxLength = 256;

    public static string Resolve(ReadOnlySpan<byte> body, HttpRequest request, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        if (FromBody(body) is { } fromBody)
        {
            return "m:" + fromBody;
        }

        var header = request.Headers["X-User-Id"].ToString().Trim();
        return header.Length is > 0 and <= MaxLength ? "h:" + header : "k:" + caller.KeyId;
    }

    /// <summary>The top-level <c>metadata.userId</c> string, or null. Tolerates any malformed body:
    /// the request is limited before it is validated, so junk must count too rather than throw here.</summary>
    public static string? FromBody(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMetadata = reader.ValueTextEquals("metadata"u8);
                reader.Read();
                if (isMetadata && reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isUser = reader.ValueTextEquals("userId"u8);
                        reader.Read();
                        if (isUser)
                        {
                            var value = reader.TokenType == JsonTokenType.String ? reader.GetString()?.Trim() : null;
                            return value is { Length: > 0 and <= MaxLength } ? value : null;
                        }

                        reader.Skip();
                    }

                    return null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}
