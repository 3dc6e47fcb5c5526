using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rce.Core.Submissions;

/// <summary>
/// The body of every workflow queue message. Small on purpose (ids, never payloads: a message is
/// at most 64 KiB of base64). <see cref="Attempt"/> is the workflow's own attempt counter, distinct
/// from the queue's DequeueCount, which counts redeliveries of one message.
/// </summary>
/// <param name="Id">Submission (or batch, for a batch reconcile) id.</param>
/// <param name="Attempt">Which attempt this message asks for (1-based); 0 for reconcile messages.</param>
/// <param name="Batch">A reconcile message for a whole batch (<see cref="Id"/> is the batch id).</param>
/// <param name="Ids">
/// A reconcile message for a group of submissions armed ahead of their rows (see
/// <see cref="ReconcileAhead"/>): the ids it checks; <see cref="Id"/> is the group's own id then.
/// With <see cref="Batch"/>, a part of the batch's check (split off a poisoned one): the members it checks.
/// </param>
public sealed record WorkMessage(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("attempt")] int Attempt = 0,
    [property: JsonPropertyName("batch")] bool Batch = false,
    [property: JsonPropertyName("ids"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Ids = null)
{
    /// <summary>Most ids of one group message (well inside the 64 KiB of a queue message).</summary>
    public const int MaxGroup = 256;

    private static readonly JsonSerializerOptions Options = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };

    /// <summary>Serialises to the message text.</summary>
    /// <returns>JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Parses a message text.</summary>
    /// <param name="text">The decoded message text.</param>
    /// <returns>The message.</returns>
    /// <exception cref="FormatException">Not a work message: a bug or a foreign producer; the queue's poison path takes it.</exception>
    public static WorkMessage Parse(string text)
    {
        try
        {
            var message = JsonSerializer.Deserialize<WorkMessage>(text, Options);
            if (message is null || string.IsNullOrEmpty(message.Id) || message.Id.Length > 64)
            {
                throw new FormatException("not a work message: id missing or too long");
            }

            if (message.Ids is { } ids && (ids.Count is 0 or > MaxGroup || ids.Any(id => string.IsNullOrEmpty(id) || id.Length > 64)))
            {
                throw new FormatException($"not a work message: a group needs 1 to {MaxGroup} ids of at most 64 characters");
            }

            return message;
        }
        catch (JsonException error)
        {
            throw new FormatException("not a work message: " + error.Message, error);
        }
    }
}
