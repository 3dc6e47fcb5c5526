using System.Text.Json;

namespace Rce.Functions.Hosting;

/// <summary>
/// Reads a custom-handler invocation (<c>{"Data":{"item":…},"Metadata":{"DequeueCount":…}}</c>) tolerantly
/// (azure-functions-custom-handler.md §5.1): <c>Data.item</c> may be an object, a string, or a string
/// JSON-quoted a second time; <c>DequeueCount</c> a number or a numeric string.
/// </summary>
internal static class InvocationPayload
{
    public static bool TryRead(JsonElement root, out string message, out long dequeueCount, out string? error)
    {
        message = string.Empty;
        dequeueCount = 1;
        error = null;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            error = "Data is missing";
            return false;
        }

        if (!data.TryGetProperty("item", out var item))
        {
            error = "Data.item is missing";
            return false;
        }

        switch (item.ValueKind)
        {
            case JsonValueKind.Object or JsonValueKind.Array:
                message = item.GetRawText();
                break;
            case JsonValueKind.String:
                var text = item.GetString()!;
                message = text;
                try
                {
                    using var inner = JsonDocument.Parse(text);
                    if (inner.RootElement.ValueKind == JsonValueKind.String)
                    {
                        message = inner.RootElement.GetString()!; // quoted once more by the host
                    }
                }
                catch (JsonException)
                {
                    // Not JSON at all: the message is the text itself.
                }

                break;
            default:
                error = "Data.item must be a string or an object";
                return false;
        }

        if (root.TryGetProperty("Metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("DequeueCount", out var count))
        {
            if (count.ValueKind == JsonValueKind.Number && count.TryGetInt64(out var n))
            {
                dequeueCount = n;
            }
            else if (count.ValueKind == JsonValueKind.String && long.TryParse(count.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                dequeueCount = parsed;
            }
        }

        return true;
    }
}
