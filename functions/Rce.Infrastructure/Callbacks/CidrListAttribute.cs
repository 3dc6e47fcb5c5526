using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Rce.Infrastructure.Callbacks;

/// <summary>Every item of the list is a network in CIDR notation that <see cref="IPNetwork.Parse(string)"/> accepts.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class CidrListAttribute : ValidationAttribute
{
    /// <inheritdoc />
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        static bool IsExact(string? network) =>
            network is not null && network.Contains('/', StringComparison.Ordinal)
            && IPNetwork.TryParse(network, out var parsed)
            && IPAddress.TryParse(network.AsSpan(0, network.IndexOf('/', StringComparison.Ordinal)), out var written)
            && written.Equals(parsed.BaseAddress);

        if (value is not IEnumerable<string?> networks)
        {
            return ValidationResult.Success;
        }

        // Fail at startup rather than at the first callback; bits set past the prefix ("10.0.0.1/8") are refused too.
        var bad = networks.FirstOrDefault(network => !IsExact(network));
        return networks.All(IsExact)
            ? ValidationResult.Success
            : new ValidationResult($"{validationContext.MemberName} holds '{bad}', which is not a CIDR network.", [validationContext.MemberName ?? string.Empty]);
    }
}
