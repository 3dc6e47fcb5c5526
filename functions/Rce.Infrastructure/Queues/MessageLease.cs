namespace Rce.Infrastructure.Queues;

/// <summary>
/// Our hold on one received message. Each renewal replaces the pop receipt, and only the latest one
/// deletes or releases the message, so the renewer and the completion share this holder.
/// </summary>
internal sealed class MessageLease(string messageId, string popReceipt)
{
    private string _popReceipt = popReceipt;

    public string MessageId { get; } = messageId;

    public string PopReceipt
    {
        get => Volatile.Read(ref _popReceipt);
        set => Volatile.Write(ref _popReceipt, value);
    }
}
