namespace Rce.Runner.Tests;

/// <summary>Batches are scored all-or-nothing; tests after a failure inside a batch are SK.</summary>
public sealed class BatchApiTests(RunnerFixture runner)
{
    [Fact]
    public async Task Batch_WithAFailure_ScoresZeroAndSkipsTheRestOfTheBatch()
    {
        var (_, body) = await runner.PostAsync(new
        {
            language = "python",
            source = "print(input())\n",
            tests = new object[]
            {
                new { id = "a1", input = "1\n", expectedOutput = "1\n", points = 2, batch = "a" },
                new { id = "a2", input = "2\n", expectedOutput = "X\n", points = 2, batch = "a" },
                new { id = "a3", input = "3\n", expectedOutput = "3\n", points = 2, batch = "a" },
                new { id = "b1", input = "4\n", expectedOutput = "4\n", points = 3, batch = "b" },
                new { id = "c", input = "5\n", expectedOutput = "5\n", points = 1 },
            },
        });
        var tests = body["tests"]!.AsArray();
        Assert.Equal(["AC", "WA", "SK", "AC", "AC"], tests.Select(t => (string?)t!["verdict"]).ToArray());
        Assert.Equal([0.0, 0.0, 0.0, 3.0, 1.0], tests.Select(t => (double)t!["points"]!).ToArray());
        Assert.Equal(4.0, (double?)body["score"]);
        Assert.Equal(10.0, (double?)body["maxScore"]);
        Assert.Equal("WA", (string?)body["verdict"]);
    }
}
