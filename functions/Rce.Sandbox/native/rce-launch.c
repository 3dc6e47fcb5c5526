/*
 * rce-launch: the few steps between fork and exec that .NET cannot do.
 *
 * Theory of operation. The runner (root) has already created the box's cgroups and tmpfs mounts.
 * It starts this helper with stdin/stdout/stderr as pipes; the helper, still root:
 *   1. closes every inherited descriptor but 0, 1, 2   (threat: a leaked runner fd, e.g. a socket
 *      or the slot lock, would be usable by the program);
 *   2. joins the given cgroups by writing 0 to each cgroup.procs, so that every later fork is
 *      charged and limited from its first instruction (moving a pid in after start races forks),
 *      and enters the slot's network namespace (--netns; see make_netns in rce-setup.c);
 *   3. sets rlimits as backstops: CPU, FSIZE, NOFILE, STACK, CORE=0 (never AS: memory is the
 *      memory cgroup's job; RLIMIT_AS breaks JVM and node);
 *   4. opens the seccomp filter on fd 10, for bwrap --seccomp: the BPF program that rce-setup
 *      emitted once into a root-owned file when the runner started;
 *   5. opens the status file on fd 11, for bwrap --json-status-fd (tells "sandbox never started"
 *      apart from "program exited 1");
 *   6. drops to the slot's unprivileged uid/gid with no supplementary groups (threat: a root-run
 *      bwrap maps the sandbox uid to host root and can read bound host files);
 *   7. sets PR_SET_PDEATHSIG after the uid change (a credential change clears it) and checks the
 *      parent is still the runner, then PR_SET_NO_NEW_PRIVS;
 *   8. execs bwrap with an EMPTY environment (bwrap's own environment would be readable by the
 *      box's processes of its uid; --clearenv covers only the child).
 *
 * Built without libc (nolibc.h): it runs once per box, and glibc's start-up alone cost more than
 * all of the above.
 *
 * Usage:
 *   rce-launch --uid U --gid G --ppid P [--cgroup DIR]... [--netns FILE] [--cpu SEC]
 *              [--fsize BYTES] [--nofile N] [--stack BYTES] [--status FILE]
 *              --seccomp-file FILE -- BWRAP ARGS...
 *   rce-launch --version                print "rce-launch 2"
 *
 * Exit codes of the helper itself (before exec): 121 usage, 122 setup failure, with the reason on
 * stderr (the box's stderr pipe: the runner sees "rce-launch:" and reports IE). bwrap then reports
 * the program's status as its own (128+signal when killed).
 */
#include "nolibc.h"

#define SECCOMP_FD 10
#define STATUS_FD 11
#define MAX_CGROUPS 8
#define CLONE_NEWNET 0x40000000
#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_NOFILE 7
#define PR_SET_PDEATHSIG 1
#define PR_SET_NO_NEW_PRIVS 38
#define SIGKILL 9

static __attribute__((noreturn)) void die(const char *step, long result)
{
    fail("rce-launch", step, -result, 122);
}

static __attribute__((noreturn)) void usage(const char *why)
{
    say("rce-launch: usage: ");
    say(why);
    say("\n");
    leave(121);
}

static unsigned long long parse_num(const char *s)
{
    if (*s == '\0')
        usage("bad number");
    unsigned long long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            usage("bad number");
        unsigned long long digit = (unsigned long long)(*s - '0');
        if (v > (~0ULL - digit) / 10)
            usage("bad number");
        v = v * 10 + digit;
    }
    return v;
}

static void set_limit(int resource, unsigned long long value, const char *name)
{
    unsigned long long limit[2] = {value, value};
    long result = sys(SYS_prlimit64, 0, resource, (long)limit, 0);
    if (result < 0)
        die(name, result);
}

static void join_cgroup(const char *dir)
{
    static const char leaf[] = "/cgroup.procs";
    char path[4096];
    unsigned long n = length(dir);
    if (n + sizeof leaf > sizeof path)
        usage("cgroup path too long");
    for (unsigned long i = 0; i < n; i++)
        path[i] = dir[i];
    for (unsigned long i = 0; i < sizeof leaf; i++)
        path[n + i] = leaf[i];
    long fd = sys(SYS_open, (long)path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0, 0);
    if (fd < 0)
        die("open cgroup.procs", fd);
    long written = sys(SYS_write, fd, (long)"0", 1, 0);
    if (written != 1)
        die("join cgroup", written < 0 ? written : -EINVAL);
    sys(SYS_close, fd, 0, 0, 0);
}

/* Opens PATH and moves it to descriptor TARGET. */
static void open_as(const char *path, long flags, long mode, int target, const char *what)
{
    long fd = sys(SYS_open, (long)path, flags, mode, 0);
    if (fd < 0)
        die(what, fd);
    if (fd != target) {
        long result = sys(SYS_dup2, fd, target, 0, 0);
        if (result < 0)
            die(what, result);
        sys(SYS_close, fd, 0, 0, 0);
    }
}

__attribute__((noreturn, used)) void entry(long *stack)
{
    long argc = stack[0];
    char **argv = (char **)(stack + 1);
    const char *cgroups[MAX_CGROUPS];
    int ncgroups = 0;
    const char *status = 0, *seccomp_file = 0, *netns = 0;
    long long uid = -1, gid = -1, ppid = -1;
    unsigned long long cpu = 0, fsize = 0, nofile = 0, stack_size = 0;
    long i = 1;

    if (argc == 2 && same(argv[1], "--version")) {
        static const char version[] = "rce-launch 2\n";
        sys(SYS_write, 1, (long)version, sizeof version - 1, 0);
        leave(0);
    }

    for (; i < argc; i++) {
        const char *a = argv[i];
        if (same(a, "--")) {
            i++;
            break;
        }
        if (i + 1 >= argc)
            usage("option without value");
        const char *v = argv[++i];
        if (same(a, "--uid")) uid = (long long)parse_num(v);
        else if (same(a, "--gid")) gid = (long long)parse_num(v);
        else if (same(a, "--ppid")) ppid = (long long)parse_num(v);
        else if (same(a, "--cpu")) cpu = parse_num(v);
        else if (same(a, "--fsize")) fsize = parse_num(v);
        else if (same(a, "--nofile")) nofile = parse_num(v);
        else if (same(a, "--stack")) stack_size = parse_num(v);
        else if (same(a, "--status")) status = v;
        else if (same(a, "--seccomp-file")) seccomp_file = v;
        else if (same(a, "--netns")) netns = v;
        else if (same(a, "--cgroup")) {
            if (ncgroups == MAX_CGROUPS)
                usage("too many cgroups");
            cgroups[ncgroups++] = v;
        } else
            usage("unknown option");
    }
    /* threat: uid 0 or an unset uid would run bwrap, and so the program, as host root. */
    if (uid <= 0 || uid > 0xfffffffeLL || gid <= 0 || gid > 0xfffffffeLL || ppid <= 1 || !seccomp_file || i >= argc)
        usage("--uid, --gid, --ppid and --seccomp-file are required, then -- BWRAP ARGS");

    /* 1 */
    long result = sys(SYS_close_range, 3, ~0U, 0, 0);
    if (result < 0)
        die("close_range", result);
    /* 2 */
    for (int c = 0; c < ncgroups; c++)
        join_cgroup(cgroups[c]);
    if (netns) {
        long fd = sys(SYS_open, (long)netns, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0, 0);
        if (fd < 0)
            die("open netns", fd);
        result = sys(SYS_setns, fd, CLONE_NEWNET, 0, 0);
        if (result < 0)
            die("setns netns", result);
        sys(SYS_close, fd, 0, 0, 0);
    }
    /* 3 */
    set_limit(RLIMIT_CORE, 0, "RLIMIT_CORE");
    if (cpu) set_limit(RLIMIT_CPU, cpu, "RLIMIT_CPU");
    if (fsize) set_limit(RLIMIT_FSIZE, fsize, "RLIMIT_FSIZE");
    if (nofile) set_limit(RLIMIT_NOFILE, nofile, "RLIMIT_NOFILE");
    if (stack_size) set_limit(RLIMIT_STACK, stack_size, "RLIMIT_STACK");
    /* 4: a root-owned file written by the runner at start; opened before the uid drop. */
    open_as(seccomp_file, O_RDONLY | O_NOFOLLOW, 0, SECCOMP_FD, "open seccomp file");
    /* 5 */
    if (status)
        open_as(status, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600, STATUS_FD, "open status");
    /* 6 */
    if ((result = sys(SYS_setgroups, 0, 0, 0, 0)) < 0)
        die("setgroups", result);
    if ((result = sys(SYS_setresgid, gid, gid, gid, 0)) < 0)
        die("setresgid", result);
    if ((result = sys(SYS_setresuid, uid, uid, uid, 0)) < 0)
        die("setresuid", result);
    if (sys(SYS_getuid, 0, 0, 0, 0) == 0 || sys(SYS_geteuid, 0, 0, 0, 0) == 0)
        leave(122);
    /* 7: if the runner died before this point, nobody will ever kill us: leave now. */
    if ((result = sys(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0)) < 0)
        die("PR_SET_PDEATHSIG", result);
    if (sys(SYS_getppid, 0, 0, 0, 0) != ppid)
        leave(122);
    if ((result = sys(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0)) < 0)
        die("PR_SET_NO_NEW_PRIVS", result);
    /* 8 */
    static char *const empty_env[] = {0};
    result = sys(SYS_execve, (long)argv[i], (long)&argv[i], (long)empty_env, 0);
    die("execve bwrap", result);
}
