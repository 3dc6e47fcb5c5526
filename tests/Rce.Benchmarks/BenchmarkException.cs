namespace Rce.Benchmarks;

/// <summary>A run failed or the host cannot run the benchmark: the numbers would be meaningless.</summary>
internal sealed class BenchmarkException : Exception
{
    public BenchmarkException()
    {
    }

    public BenchmarkException(string message)
        : base(message)
    {
    }

    public BenchmarkException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
