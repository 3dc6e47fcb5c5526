using Microsoft.Extensions.Options;

namespace Rce.Infrastructure.Callbacks;

/// <summary>Source-generated data-annotation validation of <see cref="CallbackOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class CallbackOptionsValidator : IValidateOptions<CallbackOptions>;
