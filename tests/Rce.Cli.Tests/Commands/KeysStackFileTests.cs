using Rce.Cli.Commands;

namespace Rce.Cli.Tests.Commands;

public sealed class KeysStackFileTests : IDisposable
{
    private static readonly StackPorts Ports = new(7071, 5080, 10000, 10001, 10002, 6379);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rce-stack-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Write_OwnerOnly_AndReadBack()
    {
        var path = Path.Combine(_dir.FullName, ".rce", "stack.json");
        var state = new KeysStackFile(42, "/data", "AccountKey=secret", Ports);

        KeysStackFile.Write(path, state);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(state, KeysStackFile.TryRead(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary left behind
    }

    [Fact]
    public void Write_Replaces_AndTheJsonHasTheDocumentedNames()
    {
        var path = Path.Combine(_dir.FullName, "stack.json");
        KeysStackFile.Write(path, new KeysStackFile(1, "/a", "x", Ports));

        KeysStackFile.Write(path, new KeysStackFile(2, "/b", "y", Ports));

        var json = File.ReadAllText(path);
        foreach (var name in new[] { "\"pid\": 2", "\"dataFolder\"", "\"storageConnectionString\"", "\"ports\"", "\"functions\": 7071", "\"runner\": 5080", "\"blob\": 10000", "\"queue\": 10001", "\"table\": 10002", "\"redis\": 6379" })
        {
            Assert.Contains(name, json, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("isAlive", json, StringComparison.Ordinal);
    }

    [Fact]
    public void DeleteIfOwned_OnlyTheWritersFile()
    {
        var path = Path.Combine(_dir.FullName, "stack.json");
        KeysStackFile.Write(path, new KeysStackFile(7, "/a", "x", Ports));

        KeysStackFile.DeleteIfOwned(path, 8);
        Assert.True(File.Exists(path));
        KeysStackFile.DeleteIfOwned(path, 7);
        Assert.False(File.Exists(path));
        KeysStackFile.DeleteIfOwned(path, 7); // already gone: no error
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{not json")]
    public void TryRead_MissingOrUnreadable_Null(string? content)
    {
        var path = Path.Combine(_dir.FullName, "stack.json");
        if (content is not null)
        {
            File.WriteAllText(path, content);
        }

        Assert.Null(KeysStackFile.TryRead(path));
    }

    [Fact]
    public void IsAlive_ThisProcess_True_ImpossiblePid_False()
    {
        Assert.True(new KeysStackFile(Environment.ProcessId, "/a", "x", Ports).IsAlive);
        Assert.False(new KeysStackFile(int.MaxValue, "/a", "x", Ports).IsAlive);
    }

    [Fact]
    public void TryLockData_Exclusive_UntilReleased()
    {
        var data = Path.Combine(_dir.FullName, "data");

        var first = KeysStackFile.TryLockData(data);
        Assert.NotNull(first);
        Assert.Null(KeysStackFile.TryLockData(data));
        first.Dispose();
        using var second = KeysStackFile.TryLockData(data);
        Assert.NotNull(second);
    }
}
