namespace Rce.Core.Grading;

/// <summary>Where a built-in checker found the outputs to differ (a short message, no output data).</summary>
/// <param name="Message">For example "line 3 differs".</param>
internal record Mismatch(string Message);

/// <summary>The checker's parameters are invalid: an internal error, not a wrong answer.</summary>
/// <param name="Message">What is wrong with the parameters.</param>
internal sealed record InvalidSpec(string Message) : Mismatch(Message);
