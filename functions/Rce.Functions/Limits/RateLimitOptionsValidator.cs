using Microsoft.Extensions.Options;
using Rce.Functions.Security;

namespace Rce.Functions.Limits;

/// <summary>Validates every policy (data annotations do not recurse into them) and the proxy list, at start.</summary>
internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        foreach (var (policy, value) in new[]
        {
            (nameof(options.Anonymous), options.Anonymous), (nameof(options.UserSubmissions), options.UserSubmissions),
            (nameof(options.UserBatches), options.UserBatches), (nameof(options.TenantRequests), options.TenantRequests),
            (nameof(options.TenantHourlySubmissions), options.TenantHourlySubmissions), (nameof(options.TenantDailySubmissions), options.TenantDailySubmissions),
            (nameof(options.TenantInFlight), options.TenantInFlight),
        })
        {
            if (value is null)
            {
                errors.Add($"{RateLimitOptions.SectionName}:{policy} is missing.");
                continue;
            }

            if (value.Limit is < 1 or > 100_000_000)
            {
                errors.Add($"{RateLimitOptions.SectionName}:{policy}:Limit must be between 1 and 100000000.");
            }

            if (value.WindowSeconds is < 1 or > 31 * 86_400)
            {
                errors.Add($"{RateLimitOptions.SectionName}:{policy}:WindowSeconds must be between 1 and 2678400.");
            }
        }

        try
        {
            _ = new TrustedProxies(options.TrustedProxies);
        }
        catch (FormatException error)
        {
            errors.Add($"{RateLimitOptions.SectionName}:TrustedProxies: {error.Message}");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
