using Microsoft.Extensions.Options;

namespace Rce.Infrastructure.Redis;

/// <summary>Source-generated data-annotation validation of <see cref="RedisOptions"/> (ranges, key prefix).</summary>
[OptionsValidator]
internal sealed partial class RedisOptionsValidator : IValidateOptions<RedisOptions>;
