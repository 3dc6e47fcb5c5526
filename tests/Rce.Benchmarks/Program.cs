using Rce.Benchmarks;

// ./rce bench [--suite sandbox|grading|pipeline|all] [--quick] … (./rce bench --help)
// Prints a markdown report to stdout; progress goes to stderr.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync($"rce bench: {ex.Message}").ConfigureAwait(false);
    await Console.Error.WriteLineAsync(BenchOptions.Usage).ConfigureAwait(false);
    return 2;
}

if (options.Help)
{
    await Console.Out.WriteLineAsync(BenchOptions.Usage).ConfigureAwait(false);
    return 0;
}

try
{
    var report = await Bench.RunAsync(options, Console.Error).ConfigureAwait(false);
    await Console.Out.WriteAsync(report).ConfigureAwait(false);
    return 0;
}
catch (BenchmarkException ex)
{
    await Console.Error.WriteLineAsync($"rce bench: {ex.Message}").ConfigureAwait(false);
    return 1;
}
