namespace Rce.Infrastructure.Queues;

/// <summary>How message bodies are written on the wire (<c>host.json</c> <c>extensions.queues.messageEncoding</c>).</summary>
public enum QueueTriggerEncoding
{
    /// <summary>Base64 text: the listener decodes it and hands UTF-8 text to the function. The default.</summary>
    Base64 = 0,

    /// <summary>The message text is the payload as is.</summary>
    None = 1,
}
