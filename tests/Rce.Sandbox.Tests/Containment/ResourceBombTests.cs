using Rce.Core.Verdicts;
using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Containment;

/// <summary>Programs that try to exhaust processes, memory, CPU, time, disk and output.</summary>
public sealed class ResourceBombTests(SandboxFixture fixture) : ContainmentHarness(fixture)
{
    [Fact]
    public async Task ForkBomb_IsContainedAsTimeLimit()
    {
        var result = await ContainAsync("c", "#include <unistd.h>\nint main(void){for(;;) fork();}\n", Tight, Verdict.TimeLimitExceeded);
        Assert.True(result.Run!.Report.ProcessLimitHit, result.ToString());
    }

    [Fact]
    public async Task MemoryBomb_C_IsMemoryLimitExceeded()
    {
        var result = await ContainAsync("c", "#include <stdlib.h>\n#include <string.h>\nint main(void){for(;;){char*p=malloc(1<<20);if(p)memset(p,1,1<<20);}}\n", Tight, Verdict.MemoryLimitExceeded);
        Assert.True(result.Run!.Report.OomKilled, result.ToString());
    }

    [Fact]
    public async Task MemoryBomb_Python_IsMemoryLimitExceeded() =>
        await ContainAsync("python", "a = []\nwhile True:\n    a.append(bytearray(1 << 20))\n", Tight, Verdict.MemoryLimitExceeded);

    [Fact]
    public async Task CpuSpin_OneThread_IsTimeLimitExceeded()
    {
        var result = await ContainAsync("c", "int main(void){volatile unsigned long x=0;for(;;)x++;}\n", Tight, Verdict.TimeLimitExceeded);
        Assert.True(result.Run!.Report.CpuTime >= Tight.CpuTime * 0.9, result.ToString());
    }

    [Fact]
    public async Task CpuSpin_ManyThreads_IsTimeLimitExceededOnTheWholeTree()
    {
        const string source = "#include <pthread.h>\nstatic void*spin(void*a){volatile unsigned long x=0;for(;;)x++;return a;}\n" +
            "int main(void){pthread_t t[8];for(int i=0;i<8;i++)pthread_create(&t[i],0,spin,0);spin(0);}\n";
        var result = await ContainAsync("c", source, Tight, Verdict.TimeLimitExceeded);
        Assert.True(result.Run!.Report.CpuTime < Tight.CpuTime * 2.5, "CPU quota should hold the tree near one core: " + result);
    }

    [Fact]
    public async Task SleepForever_WithDaemonisedChildren_IsTimeLimitExceededAndNothingSurvives() =>
        await ContainAsync("bash", "sleep 1000 &\nsleep 1001 &\nsetsid sh -c 'sleep 1002 &' &\nsleep 1003\n", Tight, Verdict.TimeLimitExceeded);

    [Fact]
    public async Task HugeFile_StopsAtTheBoxLimit_NotOnTheHostDisk()
    {
        var before = new DriveInfo("/").AvailableFreeSpace;
        var result = await ContainAsync("bash", "dd if=/dev/zero of=/box/big bs=1M count=2048 2>&1\nls -l /box/big\n", Tight with { MemoryBytes = 256L << 20 }, Verdict.RuntimeError, Verdict.OutputLimitExceeded, Verdict.Accepted);
        var after = new DriveInfo("/").AvailableFreeSpace;
        Assert.True(before - after < 100L << 20, $"host disk shrank by {(before - after) >> 20} MiB");
        Assert.DoesNotContain("2147483648", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FillTmpAndBox_WithData_HitsTheirSizeLimits()
    {
        const string source = "import os\nfor d in ('/tmp', '/box', '/dev/shm'):\n    n = 0\n    try:\n        with open(d + '/fill', 'wb') as f:\n            while True:\n                f.write(b'x' * (1 << 20)); f.flush(); n += 1\n    except OSError as e:\n        print(d, 'full after', n, 'MiB', e.errno)\n    os.remove(d + '/fill')\n";
        var result = await ContainAsync("python", source, Tight with { MemoryBytes = 256L << 20 }, Verdict.Accepted);
        Assert.Contains("/tmp full after", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("/box full after", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("/dev/shm full after", result.Stdout, StringComparison.Ordinal);
        foreach (var line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var mib = int.Parse(line.Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(mib <= 64, line);
        }
    }

    [Fact]
    public async Task FillTmpAndBox_WithInodes_HitsTheInodeLimit()
    {
        const string source = "import os\nfor d in ('/tmp', '/box'):\n    n = 0\n    try:\n        while True:\n            open(f'{d}/f{n}', 'w').close(); n += 1\n    except OSError as e:\n        print(d, n, e.errno)\n";
        var result = await ContainAsync("python", source, Tight with { CpuTime = TimeSpan.FromSeconds(3), WallTime = TimeSpan.FromSeconds(6) }, Verdict.Accepted);
        foreach (var line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var count = int.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(count < Tight.Inodes, line);
        }

        Assert.Equal(2, result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task HundredMegabytesOfStdout_IsOutputLimitExceededQuickly()
    {
        var result = await ContainAsync("c", "#include <stdio.h>\n#include <string.h>\nint main(void){static char b[65536];memset(b,'x',sizeof b);for(int i=0;i<1600;i++)fwrite(b,1,sizeof b,stdout);return 0;}\n", Tight, Verdict.OutputLimitExceeded);
        Assert.True(result.Run!.Report.Stdout.Length <= Tight.StdoutBytes, result.ToString());
        Assert.True(result.Run.Report.StdoutTruncated);
    }

    [Fact]
    public async Task Zombies_LeftBehind_AreReaped() =>
        await ContainAsync("c", "#include <unistd.h>\n#include <stdio.h>\nint main(void){for(int i=0;i<20;i++) if(fork()==0) _exit(0); sleep(1); puts(\"done\"); return 0;}\n", Tight, Verdict.Accepted);
}
