/*
 * rce-launch: the few steps between fork and exec that .NET cannot do.
 *
 * Theory of operation. The runner (root) has already created the box's cgroups and tmpfs mounts.
 * It starts this helper with stdin/stdout/stderr as pipes; the helper, still root:
 *   1. closes every inherited descriptor but 0, 1, 2   (threat: a leaked runner fd, e.g. a socket
 *      or the slot lock, would be usable by the program);
 *   2. joins the given cgroups by writing 0 to each cgroup.procs, so that every later fork is
 *      charged and limited from its first instruction (moving a pid in after start races forks),
 *      and enters the slot's network namespace (--netns, see make_netns below);
 *   3. sets rlimits as backstops: CPU, FSIZE, NOFILE, STACK, CORE=0 (never AS: memory is the
 *      memory cgroup's job; RLIMIT_AS breaks JVM and node);
 *   4. places the seccomp filter on fd 10, for bwrap --seccomp: the BPF program the runner had this
 *      helper emit once at start (--seccomp-file; building it with libseccomp costs ~2 ms per run),
 *      else built now with libseccomp into a memfd;
 *   5. opens the status file on fd 11, for bwrap --json-status-fd (tells "sandbox never started"
 *      apart from "program exited 1");
 *   6. drops to the slot's unprivileged uid/gid with no supplementary groups (threat: a root-run
 *      bwrap maps the sandbox uid to host root and can read bound host files);
 *   7. sets PR_SET_PDEATHSIG after the uid change (a credential change clears it) and checks the
 *      parent is still the runner, then PR_SET_NO_NEW_PRIVS;
 *   8. execs /usr/bin/bwrap with an EMPTY environment (bwrap's own environment is readable inside
 *      as /proc/1/environ; --clearenv covers only the child).
 *
 * Usage:
 *   rce-launch --uid U --gid G --ppid P [--cgroup DIR]... [--netns FILE] [--cpu SEC] [--fsize BYTES]
 *              [--nofile N] [--stack BYTES] [--status FILE] [--seccomp-file FILE] -- BWRAP ARGS...
 *   rce-launch --emit-seccomp FILE      write the BPF program (for inspection and tests)
 *   rce-launch --make-netns FILE        create a network namespace holding only lo (up), pinned
 *                                       by a bind mount on FILE
 *   rce-launch --version                print "rce-launch 1 libseccomp X.Y.Z"
 *
 * Exit codes of the helper itself (before exec): 121 usage, 122 setup failure. bwrap then
 * reports the program's status as its own (128+signal when killed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <sys/mount.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <grp.h>

#define SECCOMP_FD 10
#define STATUS_FD 11
#define MAX_CGROUPS 8

static void die(const char *step)
{
    /* stderr is the box's stderr pipe: the runner sees "rce-launch:" and reports IE. */
    fprintf(stderr, "rce-launch: %s: %s\n", step, strerror(errno));
    _exit(122);
}

static void usage(const char *why)
{
    fprintf(stderr, "rce-launch: usage: %s\n", why);
    _exit(121);
}

static unsigned long long parse_num(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *s == '\0' || *end != '\0')
        usage("bad number");
    return v;
}

/* Deny with EPERM unless stated otherwise; the filter is an allow-list's complement by design:
 * programs need the ordinary syscalls of their runtime, and the namespace, cgroup and rlimit
 * layers do the containing. This list closes kernel attack surface and escapes. */
static const char *const denied[] = {
    "ptrace", "process_vm_readv", "process_vm_writev",
    "mount", "umount2", "pivot_root", "chroot", "open_by_handle_at", "name_to_handle_at",
    "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "keyctl", "add_key", "request_key",
    "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "personality", "acct", "swapon", "swapoff", "reboot", "syslog",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "stime",
    "iopl", "ioperm", "setns", "lookup_dcookie", "quotactl", "quotactl_fd",
    "vhci", "nfsservctl", "uselib", "sysfs", "ustat", "_sysctl",
    "fanotify_init", "pidfd_getfd", "kcmp", "setdomainname", "sethostname",
    NULL,
};

static const unsigned long long ns_flags[] = {
    CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
    CLONE_NEWCGROUP,
};

static scmp_filter_ctx build_filter(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        die("seccomp_init");
    /* Other ABIs (i386 via int 0x80, x32) are killed: a filter written for x86_64 numbers would
     * not match them. libseccomp also kills x32-numbered calls on the native arch. */
    if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0)
        die("seccomp badarch");
    if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0) /* bwrap sets no_new_privs itself */
        die("seccomp nnp");

    for (const char *const *name = denied; *name; name++) {
        int nr = seccomp_syscall_resolve_name(*name);
        if (nr == __NR_SCMP_ERROR)
            continue; /* not on this architecture */
        if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0) < 0)
            die(*name);
    }

    /* clone3 passes its flags in memory that seccomp cannot read: answer ENOSYS so that libc
     * falls back to clone, whose flags we can check. */
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) < 0)
        die("clone3");
    for (size_t i = 0; i < sizeof ns_flags / sizeof ns_flags[0]; i++) {
        /* threat: new namespaces are kernel attack surface and could undo our view of the system */
        if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i])) < 0)
            die("clone flags");
        if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i])) < 0)
            die("unshare flags");
    }
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWTIME, CLONE_NEWTIME)) < 0)
        die("unshare time");

    /* Only AF_UNIX, AF_INET and AF_INET6 sockets (the network namespace has only lo anyway);
     * threat: netlink, packet and exotic families are frequent kernel bug sources. */
    int allowed_families[] = {AF_UNIX, AF_INET, AF_INET6};
    for (int family = 0; family < AF_MAX; family++) {
        int ok = 0;
        for (size_t i = 0; i < 3; i++)
            ok |= family == allowed_families[i];
        if (!ok && seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                                    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)family)) < 0)
            die("socket");
    }
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                         SCMP_A0(SCMP_CMP_GE, (scmp_datum_t)AF_MAX)) < 0)
        die("socket max");

    /* threat: TIOCSTI injects input into a terminal; TIOCLINUX reads and pastes console buffers. */
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                         SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI)) < 0)
        die("ioctl TIOCSTI");
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                         SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX)) < 0)
        die("ioctl TIOCLINUX");
    return ctx;
}

static int emit_filter_fd(void)
{
    scmp_filter_ctx ctx = build_filter();
    int fd = memfd_create("rce-seccomp", 0);
    if (fd < 0)
        die("memfd_create");
    if (seccomp_export_bpf(ctx, fd) < 0)
        die("seccomp_export_bpf");
    seccomp_release(ctx);
    if (lseek(fd, 0, SEEK_SET) < 0)
        die("lseek");
    return fd;
}

static void set_limit(int resource, unsigned long long value, const char *name)
{
    struct rlimit rl = {.rlim_cur = value, .rlim_max = value};
    if (setrlimit(resource, &rl) < 0)
        die(name);
}

static void join_cgroup(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/cgroup.procs", dir) >= (int)sizeof path)
        usage("cgroup path too long");
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        die("open cgroup.procs");
    if (write(fd, "0", 1) != 1)
        die("join cgroup");
    close(fd);
}

/*
 * A network namespace per slot, made once and reused by that slot's boxes one after another,
 * instead of bwrap --unshare-net per run: creating a namespace and the kernel's deferred teardown
 * of it cost about 1.5 ms of CPU per run. What a box could leave in it is nothing: it is created
 * here by root, so it belongs to the host's user namespace and a box (in a user namespace of its
 * own) holds no capability over it: no interface, address, route, sysctl or firewall change; and
 * every socket dies with the box's processes, which the runner kills to the last before the slot
 * is released. It is never shared by two boxes at once (slots are exclusive), so concurrent boxes
 * cannot reach each other over loopback. Only lo exists, up, as with bwrap --unshare-net.
 */
static int make_netns(const char *path)
{
    if (unshare(CLONE_NEWNET) < 0)
        die("unshare CLONE_NEWNET");
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        die("socket");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
        die("SIOCGIFFLAGS lo");
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
        die("SIOCSIFFLAGS lo");
    close(sock);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        die("open netns file");
    close(fd);
    if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
        die("bind netns");
    return 0;
}

static void enter_netns(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        die("open netns");
    if (setns(fd, CLONE_NEWNET) < 0)
        die("setns netns");
    close(fd);
}

int main(int argc, char **argv)
{
    const char *cgroups[MAX_CGROUPS];
    int ncgroups = 0;
    const char *status = NULL;
    const char *seccomp_file = NULL;
    const char *netns = NULL;
    long long uid = -1, gid = -1, ppid = -1;
    unsigned long long cpu = 0, fsize = 0, nofile = 0, stack = 0;
    int i = 1;

    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        const struct scmp_version *v = seccomp_version();
        printf("rce-launch 1 libseccomp %u.%u.%u\n", v->major, v->minor, v->micro);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--make-netns") == 0)
        return make_netns(argv[2]);
    if (argc == 3 && strcmp(argv[1], "--emit-seccomp") == 0) {
        int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (out < 0)
            die("open output");
        scmp_filter_ctx ctx = build_filter();
        if (seccomp_export_bpf(ctx, out) < 0)
            die("seccomp_export_bpf");
        return 0;
    }

    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (i + 1 >= argc)
            usage("option without value");
        const char *v = argv[++i];
        if (strcmp(a, "--uid") == 0) uid = (long long)parse_num(v);
        else if (strcmp(a, "--gid") == 0) gid = (long long)parse_num(v);
        else if (strcmp(a, "--ppid") == 0) ppid = (long long)parse_num(v);
        else if (strcmp(a, "--cpu") == 0) cpu = parse_num(v);
        else if (strcmp(a, "--fsize") == 0) fsize = parse_num(v);
        else if (strcmp(a, "--nofile") == 0) nofile = parse_num(v);
        else if (strcmp(a, "--stack") == 0) stack = parse_num(v);
        else if (strcmp(a, "--status") == 0) status = v;
        else if (strcmp(a, "--seccomp-file") == 0) seccomp_file = v;
        else if (strcmp(a, "--netns") == 0) netns = v;
        else if (strcmp(a, "--cgroup") == 0) {
            if (ncgroups == MAX_CGROUPS)
                usage("too many cgroups");
            cgroups[ncgroups++] = v;
        } else
            usage("unknown option");
    }
    /* threat: uid 0 or an unset uid would run bwrap, and so the program, as host root. */
    if (uid <= 0 || gid <= 0 || ppid <= 1 || i >= argc)
        usage("--uid, --gid and --ppid are required, then -- BWRAP ARGS");

    /* 1 */
    if (syscall(SYS_close_range, 3U, ~0U, 0) < 0)
        die("close_range");
    /* 2 */
    for (int c = 0; c < ncgroups; c++)
        join_cgroup(cgroups[c]);
    if (netns)
        enter_netns(netns);
    /* 3 */
    set_limit(RLIMIT_CORE, 0, "RLIMIT_CORE");
    if (cpu) set_limit(RLIMIT_CPU, cpu, "RLIMIT_CPU");
    if (fsize) set_limit(RLIMIT_FSIZE, fsize, "RLIMIT_FSIZE");
    if (nofile) set_limit(RLIMIT_NOFILE, nofile, "RLIMIT_NOFILE");
    if (stack) set_limit(RLIMIT_STACK, stack, "RLIMIT_STACK");
    /* 4: a root-owned file written by the runner at start; opened before the uid drop. */
    int filter = seccomp_file ? open(seccomp_file, O_RDONLY | O_NOFOLLOW) : emit_filter_fd();
    if (filter < 0)
        die("open seccomp file");
    if (filter != SECCOMP_FD) {
        if (dup2(filter, SECCOMP_FD) < 0)
            die("dup2 seccomp");
        close(filter);
    }
    /* 5 */
    if (status) {
        int fd = open(status, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
        if (fd < 0)
            die("open status");
        if (fd != STATUS_FD) {
            if (dup2(fd, STATUS_FD) < 0)
                die("dup2 status");
            close(fd);
        }
    }
    /* 6 */
    if (setgroups(0, NULL) < 0)
        die("setgroups");
    if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) < 0)
        die("setresgid");
    if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0)
        die("setresuid");
    if (getuid() == 0 || geteuid() == 0)
        _exit(122);
    /* 7: if the runner died before this point, nobody will ever kill us: leave now. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        die("PR_SET_PDEATHSIG");
    if (getppid() != (pid_t)ppid)
        _exit(122);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        die("PR_SET_NO_NEW_PRIVS");
    /* 8 */
    char *const empty_env[] = {NULL};
    execve(argv[i], &argv[i], empty_env);
    die("execve bwrap");
    return 122;
}
