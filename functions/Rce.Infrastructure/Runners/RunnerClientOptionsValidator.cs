using Microsoft.Extensions.Options;

namespace Rce.Infrastructure.Runners;

/// <summary>Source-generated data-annotation validation of <see cref="RunnerClientOptions"/>, endpoints included.</summary>
[OptionsValidator]
internal sealed partial class RunnerClientOptionsValidator : IValidateOptions<RunnerClientOptions>;
