using System.Globalization;
using System.Text;
using Rce.Core.Grading;

namespace Rce.Benchmarks;

/// <summary>The programs of the grading suite: each reads two integers and prints their sum.</summary>
internal static class GradingPrograms
{
    public const string Cpp = """
        #include <iostream>

        int main()
        {
            long long a, b;
            std::cin >> a >> b;
            std::cout << a + b << '\n';
            return 0;
        }

        """;

    public const string Java = """
        import java.util.Scanner;

        public class Main {
            public static void main(String[] args) {
                Scanner in = new Scanner(System.in);
                long a = in.nextLong(), b = in.nextLong();
                System.out.println(a + b);
            }
        }

        """;

    public const string C = """
        #include <stdio.h>

        int main(void)
        {
            long long a, b;
            if (scanf("%lld %lld", &a, &b) != 2)
                return 1;
            printf("%lld\n", a + b);
            return 0;
        }

        """;

    public const string Python = "a, b = map(int, input().split())\nprint(a + b)\n";

    /// <summary>Test <paramref name="index"/>: its input and expected output.</summary>
    public static (string Input, string Output) Sum(int index)
    {
        var a = index;
        var b = (index * 7919) % 1000;
        return (string.Create(CultureInfo.InvariantCulture, $"{a} {b}\n"), string.Create(CultureInfo.InvariantCulture, $"{a + b}\n"));
    }

    /// <summary><paramref name="count"/> tests of one point each, ids 1…count.</summary>
    public static IReadOnlyList<TestCase> SumTests(int count) => Enumerable.Range(1, count).Select(i =>
    {
        var (input, output) = Sum(i);
        return new TestCase(i.ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetBytes(input), Encoding.UTF8.GetBytes(output));
    }).ToArray();
}
