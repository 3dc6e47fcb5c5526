using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Rce.Core.Callbacks;

namespace Rce.Infrastructure.Callbacks;

/// <summary>
/// Sends one signed completion callback. One attempt only: retries are scheduled by the caller.
/// The <see cref="HttpClient"/> must use <see cref="CallbackHttpHandler"/> (as registered by
/// <see cref="CallbackServiceCollectionExtensions.AddRceCallbacks"/>).
/// </summary>
public sealed class CallbackSender
{
    private readonly HttpClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger<CallbackSender> _logger;

    /// <summary>Creates the sender.</summary>
    /// <param name="client">A client over <see cref="CallbackHttpHandler"/>.</param>
    /// <param name="time">The clock of the signature timestamp.</param>
    /// <param name="logger">The logger.</param>
    public CallbackSender(HttpClient client, TimeProvider time, ILogger<CallbackSender> logger)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>POSTs <paramref name="body"/> as JSON to <paramref name="url"/>, signed in <see cref="CallbackSignature.HeaderName"/>.</summary>
    /// <param name="url">The receiver's absolute http or https URL.</param>
    /// <param name="body">The JSON body.</param>
    /// <param name="secret">The secret shared with the receiver; not empty.</param>
    /// <param name="cancellationToken">Cancels the attempt; cancellation is thrown, not returned.</param>
    /// <returns>The outcome; refusals, statuses and transport failures are not thrown.</returns>
    public async Task<CallbackResult> SendAsync(Uri url, ReadOnlyMemory<byte> body, ReadOnlyMemory<byte> secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);

        // Threat: file:, ftp: and relative URLs reaching other handlers or the base address.
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            const string reason = "only absolute http and https URLs are allowed";
            CallbackLog.Refused(_logger, url.IsAbsoluteUri ? url.Host : "(relative)", reason);
            return new CallbackResult(CallbackOutcome.Refused, Detail: reason);
        }

        var signature = CallbackSignature.Create(secret.Span, _time.GetUtcNow().ToUnixTimeSeconds(), body.Span);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(CallbackSignature.HeaderName, signature);

        try
        {
            // Headers only: the receiver's body is untrusted and of no use here.
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            CallbackLog.Answered(_logger, url.Host, status);
            return new CallbackResult(response.IsSuccessStatusCode ? CallbackOutcome.Delivered : CallbackOutcome.HttpStatus, status);
        }
        catch (HttpRequestException error) when (FindRefusal(error) is { } refusal)
        {
            CallbackLog.Refused(_logger, url.Host, refusal.Message);
            return new CallbackResult(CallbackOutcome.Refused, Detail: refusal.Message);
        }
        catch (HttpRequestException error)
        {
            CallbackLog.Failed(_logger, url.Host, error.Message);
            return new CallbackResult(CallbackOutcome.TransportError, Detail: error.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout, not the caller: a transport outcome.
            const string reason = "timed out";
            CallbackLog.Failed(_logger, url.Host, reason);
            return new CallbackResult(CallbackOutcome.TransportError, Detail: reason);
        }
    }

    private static CallbackAddressRefusedException? FindRefusal(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is CallbackAddressRefusedException refusal)
            {
                return refusal;
            }
        }

        return null;
    }
}
