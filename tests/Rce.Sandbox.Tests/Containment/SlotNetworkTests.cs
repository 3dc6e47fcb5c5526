using Rce.Core.Limits;
using Rce.Core.Verdicts;
using Rce.Sandbox.Tests.Support;

namespace Rce.Sandbox.Tests.Containment;

/// <summary>
/// Each slot's network namespace, reused by that slot's boxes one after another: a box gets a
/// working loopback of its own, cannot change the namespace, and cannot reach a box running at the
/// same time.
/// </summary>
public sealed class SlotNetworkTests(SandboxFixture fixture) : ContainmentHarness(fixture)
{
    [Fact]
    public async Task Loopback_WorksInsideOneBox()
    {
        const string source = "import socket\nserver = socket.socket(); server.bind(('127.0.0.1', 0)); server.listen()\n" +
            "client = socket.create_connection(server.getsockname(), timeout=2)\nconn, _ = server.accept()\n" +
            "client.sendall(b'ping'); print('loopback', conn.recv(4).decode())\n";
        var result = await ContainAsync("python", source, Tight, Verdict.Accepted);
        Assert.Contains("loopback ping", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheNamespace_CannotBeChangedFromInside()
    {
        // SIOCSIFFLAGS with no flags would take lo down for the slot's later boxes; raw sockets and
        // sysctls need capabilities the box does not hold over a namespace the host owns.
        const string source = "import socket, fcntl, struct\n" +
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
            "try:\n    fcntl.ioctl(s, 0x8914, struct.pack('16sH14s', b'lo', 0, bytes(14))); print('lo DOWN')\nexcept OSError as e:\n    print('lo kept', e.errno)\n" +
            "try:\n    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); print('raw OPEN')\nexcept OSError as e:\n    print('raw refused', e.errno)\n" +
            "try:\n    open('/proc/sys/net/ipv4/ip_forward', 'w').write('1'); print('sysctl WRITTEN')\nexcept OSError as e:\n    print('sysctl refused', e.errno)\n";
        var result = await ContainAsync("python", source, Tight, Verdict.Accepted);
        Assert.Contains("lo kept", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("raw refused", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("sysctl refused", result.Stdout, StringComparison.Ordinal);

        // And the slot's next boxes still have their loopback.
        await Loopback_WorksInsideOneBox();
    }

    [Fact]
    public async Task BoxesRunningAtTheSameTime_CannotReachEachOtherOverLoopback()
    {
        var ct = TestContext.Current.CancellationToken;
        var limits = ResourceLimits.RunDefaults with { CpuTime = TimeSpan.FromSeconds(5), WallTime = TimeSpan.FromSeconds(10) };
        const string listener = "import socket, time\nserver = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n" +
            "server.bind(('127.0.0.1', 47123)); server.listen(); server.settimeout(5)\nprint('listening', flush=True)\n" +
            "try:\n    server.accept(); print('ACCEPTED')\nexcept socket.timeout:\n    print('nobody came')\n";
        const string dialer = "import socket, time\nend = time.time() + 2\nresult = 'refused'\n" +
            "while time.time() < end:\n    try:\n        socket.create_connection(('127.0.0.1', 47123), timeout=0.2); result = 'CONNECTED'; break\n" +
            "    except OSError:\n        time.sleep(0.05)\nprint(result)\n";

        Assert.True(Fixture.Sandbox.SlotCount >= 2, "needs two slots to run two boxes at once");
        var first = Fixture.RunAsync("python", listener, limits: limits, cancellationToken: ct);
        await Task.Delay(300, ct);
        var second = await Fixture.RunAsync("python", dialer, limits: limits, cancellationToken: ct);
        Assert.False(first.IsCompleted, "the two boxes did not run at the same time");
        var firstResult = await first;

        Assert.Equal(Verdict.Accepted, firstResult.Verdict);
        Assert.Equal(Verdict.Accepted, second.Verdict);
        Assert.Contains("nobody came", firstResult.Stdout, StringComparison.Ordinal);
        Assert.Equal("refused\n", second.Stdout);
        var left = await Leftovers.SettleAsync(Fixture.Sandbox);
        Assert.True(left.Count == 0, "left behind: " + string.Join("; ", left));
    }
}
