/*
 * rce-setup: the sandbox's one-time steps, kept apart from the per-run launcher (rce-launch), which
 * is built without libc and so cannot link libseccomp.
 *
 *   rce-setup --emit-seccomp FILE   write the seccomp BPF program every box runs under: built here
 *                                   once with libseccomp (about 2 ms), loaded by bwrap per run
 *   rce-setup --make-netns FILE     create a slot's network namespace, pinned on FILE
 *   rce-setup --version             print "rce-setup 2 libseccomp X.Y.Z"
 *
 * Exit codes: 0 done, 121 usage, 122 failure (the reason on stderr, prefixed "rce-setup:").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *step)
{
    fprintf(stderr, "rce-setup: %s: %s\n", step, strerror(errno));
    _exit(122);
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

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        const struct scmp_version *v = seccomp_version();
        printf("rce-setup 2 libseccomp %u.%u.%u\n", v->major, v->minor, v->micro);
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
        if (close(out) < 0)
            die("close output");
        return 0;
    }
    fprintf(stderr, "rce-setup: usage: rce-setup --emit-seccomp FILE | --make-netns FILE | --version\n");
    return 121;
}
