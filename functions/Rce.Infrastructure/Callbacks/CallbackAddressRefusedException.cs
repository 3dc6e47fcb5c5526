using System.Net;

namespace Rce.Infrastructure.Callbacks;

/// <summary>A callback host resolved to an address <see cref="CallbackAddressPolicy"/> refuses (or to none).</summary>
public sealed class CallbackAddressRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CallbackAddressRefusedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public CallbackAddressRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CallbackAddressRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="host"/>.</summary>
    /// <param name="host">The host name of the URL.</param>
    /// <param name="address">The refused address, or <see langword="null"/> when the host resolved to nothing.</param>
    public CallbackAddressRefusedException(string host, IPAddress? address)
        : base(address is null
            ? $"Callback host '{host}' resolved to no address."
            : $"Callback host '{host}' resolved to {address}, which callbacks may not reach.")
    {
        Host = host;
        Address = address;
    }

    /// <summary>The host name of the URL.</summary>
    public string? Host { get; }

    /// <summary>The refused address.</summary>
    public IPAddress? Address { get; }
}
