namespace Rce.Infrastructure.Queues;

/// <summary>Queue naming rules: validity (3–63 characters, lowercase letters, digits, single dashes) and the poison queue's name.</summary>
public static class QueueNames
{
    /// <summary>Suffix of a poison queue.</summary>
    public const string PoisonSuffix = "-poison";

    /// <summary>Whether <paramref name="name"/> is a valid queue name.</summary>
    /// <param name="name">The candidate.</param>
    /// <returns><see langword="true"/> when the service would accept it.</returns>
    public static bool IsValid(string? name)
    {
        if (name is null || name.Length is < 3 or > 63 || name[0] == '-' || name[^1] == '-')
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var allowed = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') || (c == '-' && name[i - 1] != '-');
            if (!allowed)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The poison queue of <paramref name="queueName"/>, or <see langword="null"/> when there is none: the
    /// queue is itself a poison queue (no <c>-poison-poison</c> chains), or the name would be invalid (too long).
    /// </summary>
    /// <param name="queueName">The triggering queue.</param>
    /// <returns><c>&lt;queue&gt;-poison</c> or <see langword="null"/>.</returns>
    public static string? PoisonQueueOf(string queueName)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        if (queueName.EndsWith(PoisonSuffix, StringComparison.Ordinal))
        {
            return null;
        }

        var poison = queueName + PoisonSuffix;
        return IsValid(poison) ? poison : null;
    }
}
