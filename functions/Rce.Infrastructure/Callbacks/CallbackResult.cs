namespace Rce.Infrastructure.Callbacks;

/// <summary>How a callback attempt ended.</summary>
public enum CallbackOutcome
{
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,

    /// <summary>Not sent: the URL is not http(s), or its host resolved to an address the policy refuses.</summary>
    Refused,

    /// <summary>The receiver answered with a status other than 2xx (redirects included; they are not followed).</summary>
    HttpStatus,

    /// <summary>No answer: connection failure, TLS failure or timeout.</summary>
    TransportError,
}

/// <summary>The result of one callback attempt.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="StatusCode">The HTTP status for <see cref="CallbackOutcome.Delivered"/> and <see cref="CallbackOutcome.HttpStatus"/>.</param>
/// <param name="Detail">Why, for <see cref="CallbackOutcome.Refused"/> and <see cref="CallbackOutcome.TransportError"/>.</param>
public sealed record CallbackResult(CallbackOutcome Outcome, int? StatusCode = null, string? Detail = null);
