namespace Rce.Runner.Tests;

/// <summary>The compile cache seen through the API.</summary>
public sealed class CacheApiTests(RunnerFixture runner)
{
    [Fact]
    public async Task SameProgramTwice_SecondCompileIsACacheHit()
    {
        var source = "#include <stdio.h>\nint main(void){puts(\"cached\");return 0;}\n// " + Guid.NewGuid() + "\n";
        var (_, first) = await runner.PostAsync(new { language = "c", source, stdin = "" });
        var (_, second) = await runner.PostAsync(new { language = "c", source, stdin = "" });
        Assert.False((bool?)first["compile"]!["cached"]);
        Assert.True((bool?)second["compile"]!["cached"]);
        Assert.Equal("cached\n", (string?)second["tests"]![0]!["stdout"]);
    }

    [Fact]
    public async Task CompileError_IsCachedToo()
    {
        var source = "int main(void) { oops }\n// " + Guid.NewGuid() + "\n";
        var (_, first) = await runner.PostAsync(new { language = "c", source, stdin = "" });
        var (_, second) = await runner.PostAsync(new { language = "c", source, stdin = "" });
        Assert.Equal("CE", (string?)second["verdict"]);
        Assert.False((bool?)first["compile"]!["cached"]);
        Assert.True((bool?)second["compile"]!["cached"]);
        Assert.Equal((string?)first["compile"]!["stderr"], (string?)second["compile"]!["stderr"]);
    }

    [Fact]
    public async Task ConcurrentIdenticalSubmissions_CompileOnce()
    {
        var source = "#include <stdio.h>\nint main(void){puts(\"once\");return 0;}\n// " + Guid.NewGuid() + "\n";
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => runner.PostAsync(new { language = "c", source, stdin = "" })));
        Assert.All(results, r => Assert.Equal("AC", (string?)r.Body["verdict"]));
        Assert.Equal(1, results.Count(r => (bool?)r.Body["compile"]!["cached"] == false));
    }
}
