using System.Globalization;
using System.Text.Json;

namespace Rce.Infrastructure.Queues;

/// <summary>
/// Reads <c>extensions.queues</c> of a <c>host.json</c> the way the Functions host binds it, so that
/// one file drives both modes: keys are case-insensitive, absent keys keep the extension's defaults,
/// numbers may be JSON numbers or numeric strings, unknown keys are ignored.
/// </summary>
public static class HostJsonQueues
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        // The Functions host reads host.json with comments and trailing commas allowed.
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Parses the queue settings of <paramref name="hostJsonText"/>.</summary>
    /// <param name="hostJsonText">The whole <c>host.json</c> text.</param>
    /// <returns>Validated options (self-hosted lease settings at their defaults).</returns>
    /// <exception cref="QueueSettingsException">The text is not JSON, or a setting is malformed or out of bounds; the message names the key.</exception>
    public static QueueTriggerOptions Parse(string hostJsonText)
    {
        ArgumentNullException.ThrowIfNull(hostJsonText);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(hostJsonText, DocumentOptions);
        }
        catch (JsonException error)
        {
            throw new QueueSettingsException("host.json", "is not valid JSON: " + error.Message, error);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new QueueSettingsException("host.json", "must be a JSON object.");
            }

            var options = new QueueTriggerOptions();
            if (Child(document.RootElement, "extensions", "extensions") is not { } extensions
                || Child(extensions, "queues", "extensions.queues") is not { } queues)
            {
                return options.Validate();
            }

            foreach (var property in queues.EnumerateObject())
            {
                var key = QueueTriggerOptions.HostJsonPrefix + property.Name;
                var value = property.Value;
                if (value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                options = property.Name.ToUpperInvariant() switch
                {
                    "BATCHSIZE" => options with { BatchSize = ReadInt(value, key) },
                    "NEWBATCHTHRESHOLD" => options with { NewBatchThreshold = ReadInt(value, key) },
                    "MAXPOLLINGINTERVAL" => options with { MaxPollingInterval = ReadTimeSpan(value, key) },
                    "VISIBILITYTIMEOUT" => options with { VisibilityTimeout = ReadTimeSpan(value, key) },
                    "MAXDEQUEUECOUNT" => options with { MaxDequeueCount = ReadInt(value, key) },
                    "MESSAGEENCODING" => options with { MessageEncoding = ReadEncoding(value, key) },
                    _ => options,
                };
            }

            return options.Validate();
        }
    }

    private static JsonElement? Child(JsonElement parent, string name, string key)
    {
        foreach (var property in parent.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.Object => property.Value,
                    _ => throw new QueueSettingsException(key, "must be a JSON object."),
                };
            }
        }

        return null;
    }

    private static int ReadInt(JsonElement value, string key)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String
            && int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw new QueueSettingsException(key, $"must be an integer, was {value.GetRawText()}.");
    }

    private static TimeSpan ReadTimeSpan(JsonElement value, string key)
    {
        // Strings only: the host's binder would read a bare 60 as 60 *days*, which is never what was meant.
        if (value.ValueKind == JsonValueKind.String
            && TimeSpan.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var span))
        {
            return span;
        }

        throw new QueueSettingsException(key, $"must be a TimeSpan string such as \"00:00:02\", was {value.GetRawText()}.");
    }

    private static QueueTriggerEncoding ReadEncoding(JsonElement value, string key)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (string.Equals(text, "base64", StringComparison.OrdinalIgnoreCase))
        {
            return QueueTriggerEncoding.Base64;
        }

        if (string.Equals(text, "none", StringComparison.OrdinalIgnoreCase))
        {
            return QueueTriggerEncoding.None;
        }

        throw new QueueSettingsException(key, $"must be \"base64\" or \"none\", was {value.GetRawText()}.");
    }
}
