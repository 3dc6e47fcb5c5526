using System.Net;
using System.Net.Sockets;
using Rce.Core.Execution;
using Rce.Core.Verdicts;
using Rce.Sandbox.Tests.Support;
using Rce.Testing;

namespace Rce.Sandbox.Tests.Containment;

/// <summary>Programs that try to reach the network, read host secrets, write outside, or escape the namespaces.</summary>
public sealed class EscapeAttemptTests(SandboxFixture fixture) : ContainmentHarness(fixture)
{
    [Fact]
    public async Task Network_OutsideAndHostLoopback_AreUnreachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var source = "import socket\nfor host, port in (('1.1.1.1', 80), ('10.0.0.1', 80), ('127.0.0.1', " + port + ")):\n" +
            "    s = socket.socket(); s.settimeout(2)\n    try:\n        s.connect((host, port)); print(host, 'CONNECTED')\n" +
            "    except OSError as e:\n        print(host, 'blocked', e.errno)\n" +
            "try:\n    socket.getaddrinfo('example.com', 80); print('dns CONNECTED')\nexcept OSError:\n    print('dns blocked')\n" +
            "try:\n    socket.socket(socket.AF_NETLINK, socket.SOCK_RAW); print('netlink OPEN')\nexcept OSError:\n    print('netlink blocked')\n";
        var result = await ContainAsync("python", source, Tight, Verdict.Accepted);
        Assert.DoesNotContain("CONNECTED", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("OPEN", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(5, result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("blocked", StringComparison.Ordinal)));
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task HostSecretsAndPaths_AreNotReadable()
    {
        Environment.SetEnvironmentVariable("RCE_TEST_RUNNER_SECRET", "s3cr3t-runner-value");
        var checkout = RepoPaths.Root;
        var source = "import os\n" +
            $"for p in ('/etc/shadow', '/etc/passwd', '/root', '/home', '{checkout}', '/run/rce', '/sys/fs/cgroup', '/var/lib'):\n" +
            "    print(p, 'VISIBLE' if os.path.exists(p) else 'absent')\n" +
            "def peek(path):\n    try:\n        return 'READ ' + str(open(path, 'rb').read(64))\n    except OSError as e:\n        return 'unreadable'\n" +
            "print('init-environ', peek('/proc/1/environ'))\n" +
            "print('init-mem', peek('/proc/1/mem'))\n" +
            "print('own-environ', sorted(os.environ.keys()))\n" +
            "print('cmdline', 'RCE_TEST' in open('/proc/1/cmdline').read())\n" +
            "print('uid', os.getuid())\n";
        var result = await ContainAsync("python", source, Tight, Verdict.Accepted);
        Assert.DoesNotContain("VISIBLE", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", result.Stdout, StringComparison.Ordinal);
        // The box's pid 1 (rce-init) runs as the program's uid but is not dumpable: its memory and
        // environment are out of the program's reach (it could otherwise forge the exit status).
        Assert.Contains("init-environ unreadable", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("init-mem unreadable", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("cmdline False", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("uid 0", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KillAll_InsideTheBox_KillsOnlyTheBox() =>
        await ContainAsync("bash", "sleep 100 &\nsleep 100 &\nkill -9 -1\necho survived\n", Tight, Verdict.RuntimeError, Verdict.Accepted);

    [Fact]
    public async Task WritesOutsideTheBox_AreRefused()
    {
        var source = "for p in /x /usr/x /etc/x /proc/x /dev/x /out/x; do (echo data > $p) 2>/dev/null && echo \"$p WRITTEN\" || echo \"$p refused\"; done\n";
        var result = await ContainAsync("bash", source, Tight, Verdict.Accepted);
        Assert.DoesNotContain("WRITTEN", result.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists("/x") || File.Exists("/usr/x"));
    }

    [Fact]
    public async Task NamespacesPtraceAndKernelInterfaces_AreDenied()
    {
        const string source = "#define _GNU_SOURCE\n#include <sched.h>\n#include <stdio.h>\n#include <errno.h>\n#include <unistd.h>\n#include <sys/syscall.h>\n#include <sys/ptrace.h>\n#include <sys/mount.h>\n" +
            "static void r(const char*n,long v){printf(\"%s %s %d\\n\",n,v==-1?\"denied\":\"ALLOWED\",errno);errno=0;}\n" +
            "int main(void){r(\"unshare-user\",unshare(CLONE_NEWUSER));r(\"unshare-net\",unshare(CLONE_NEWNET));r(\"unshare-mnt\",unshare(CLONE_NEWNS));" +
            "r(\"clone3\",syscall(435,0,0));r(\"ptrace\",ptrace(PTRACE_TRACEME,0,0,0));r(\"ptrace-attach\",ptrace(PTRACE_ATTACH,1,0,0));" +
            "r(\"mount\",mount(\"none\",\"/tmp\",\"tmpfs\",0,0));r(\"bpf\",syscall(SYS_bpf,0,0,0));r(\"perf\",syscall(SYS_perf_event_open,0,0,-1,-1,0));" +
            "r(\"keyctl\",syscall(SYS_keyctl,0,0,0,0,0));r(\"userfaultfd\",syscall(SYS_userfaultfd,0));r(\"setns\",syscall(SYS_setns,0,0));return 0;}\n";
        var result = await ContainAsync("c", source, Tight, Verdict.Accepted);
        Assert.DoesNotContain("ALLOWED", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(12, result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("clone3 denied 38", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForeignAbi_X32SyscallNumber_IsKilledBySeccomp()
    {
        // An x32-numbered call (bit 30 set) from an x86_64 process: the filter's ABI check kills it.
        const string source = "#include <stdio.h>\n#include <unistd.h>\nint main(void){long r = syscall(0x40000000L + 39); printf(\"x32 getpid %ld\\n\", r); return 0;}\n";
        var result = await ContainAsync("c", source, Tight, Verdict.RuntimeError);
        Assert.Equal(31, result.Run!.Report.Signal);
        Assert.Equal(StopReason.DeniedSyscall, result.Run.Report.StopReason);
        Assert.DoesNotContain("x32 getpid", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForeignAbi_Int80Syscall_NeverRuns()
    {
        // A 32-bit call: SIGSYS from the filter, or SIGSEGV where the kernel has no 32-bit ABI at all.
        const string source = "#include <stdio.h>\nint main(void){long r; __asm__ volatile(\"int $0x80\" : \"=a\"(r) : \"a\"(20)); printf(\"getpid via int80 %ld\\n\", r); return 0;}\n";
        var result = await ContainAsync("c", source, Tight, Verdict.RuntimeError);
        Assert.Contains(result.Run!.Report.Signal, new int?[] { 31, 11 });
        Assert.DoesNotContain("int80", result.Stdout, StringComparison.Ordinal);
    }
}
