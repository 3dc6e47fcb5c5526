/*
 * rce-init: pid 1 of a box's pid namespace, in place of bwrap's own reaper (bwrap --as-pid-1).
 *
 * Why it exists. bwrap's reaper is a fork of bwrap taken after the namespace setup; on hosts where
 * page-table work is slow (our PVM guests) that fork and its exit cost about 5 ms of CPU per run,
 * a third of the sandbox's whole cost. This program costs about 1 ms: it is built without libc
 * (nolibc.h), so its exec maps a few pages and runs no C library start-up, and its fork copies
 * almost nothing. The command must not simply be pid 1 itself (bwrap --as-pid-1 alone):
 * the kernel drops every default-action signal that a namespace init sends itself, so abort()
 * would end by SIGSEGV instead of SIGABRT, raise()/kill(getpid()) would do nothing, and
 * RLIMIT_FSIZE's SIGXFSZ would be lost (the write fails with EFBIG instead of the run ending as
 * OLE).
 *
 * Theory of operation:
 *   1. make itself non-dumpable (threat: it runs as the program's uid; a dumpable init could be
 *      rewritten through /proc/1/mem to forge the exit status or outlive the program);
 *   2. fork; the child execs argv[1..] with this process's environment (bwrap set it), searching
 *      PATH when the name has no slash, as execvp(3) does;
 *   3. reap every process (orphans are reparented to pid 1) until the command itself ends;
 *   4. exit with the command's status: its exit code, or 128 + the signal that ended it (the
 *      encoding bwrap's reaper uses and the engine decodes). Leaving kills the rest of the
 *      namespace, as with bwrap's reaper.
 *
 * Exit codes of its own: 121 usage, 126 the command could not be started, 127 not found; the
 * reason goes to stderr as "rce-init: NAME: REASON". Signals: as pid 1 it ignores every signal
 * sent from inside the box; SIGKILL from the host (the engine's kill path) ends it and the
 * namespace.
 */
#include "nolibc.h"

#define PR_SET_DUMPABLE 4

static const char *path_of(char **envp)
{
    for (; *envp; envp++) {
        const char *e = *envp;
        if (e[0] == 'P' && e[1] == 'A' && e[2] == 'T' && e[3] == 'H' && e[4] == '=')
            return e + 5;
    }
    return "/usr/local/bin:/usr/bin:/bin";
}

/* The fork's child: becomes the command or reports why it could not. */
static __attribute__((noreturn)) void run(char **argv, char **envp)
{
    const char *name = argv[0];
    for (const char *c = name; *c; c++) {
        if (*c == '/') {
            long error = -sys(SYS_execve, (long)name, (long)argv, (long)envp, 0);
            fail("rce-init", name, error, error == ENOENT ? 127 : 126);
        }
    }

    /* execvp(3): try each PATH entry; a later match wins over an earlier EACCES. */
    static char candidate[4096];
    long error = ENOENT;
    const char *p = path_of(envp);
    unsigned long name_length = length(name);
    for (;;) {
        const char *end = p;
        while (*end && *end != ':')
            end++;
        unsigned long dir_length = (unsigned long)(end - p);
        if (dir_length + 1 + name_length + 1 <= sizeof candidate && name_length > 0) {
            unsigned long n = 0;
            for (unsigned long i = 0; i < dir_length; i++)
                candidate[n++] = p[i];
            if (n == 0)
                candidate[n++] = '.';
            candidate[n++] = '/';
            for (unsigned long i = 0; i <= name_length; i++)
                candidate[n++] = name[i];
            long e = -sys(SYS_execve, (long)candidate, (long)argv, (long)envp, 0);
            if (e == EACCES)
                error = EACCES;
            else if (e != ENOENT && e != ENOTDIR)
                fail("rce-init", name, e, 126);
        }
        if (!*end)
            break;
        p = end + 1;
    }
    fail("rce-init", name, error, error == ENOENT ? 127 : 126);
}

__attribute__((noreturn, used)) void entry(long *stack)
{
    long argc = stack[0];
    char **argv = (char **)(stack + 1);
    char **envp = argv + argc + 1;
    if (argc < 2) {
        say("rce-init: usage: rce-init COMMAND [ARG]...\n");
        leave(121);
    }

    /* 1 */
    long error = -sys(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0);
    if (error)
        fail("rce-init", "PR_SET_DUMPABLE", error, 126);

    /* 2 */
    long command = sys(SYS_fork, 0, 0, 0, 0);
    if (command < 0)
        fail("rce-init", "fork", -command, 126);
    if (command == 0)
        run(argv + 1, envp);

    /* 3 */
    for (;;) {
        int status = 0;
        long pid = sys(SYS_wait4, -1, (long)&status, 0, 0);
        if (pid == -EINTR)
            continue;
        if (pid < 0)
            fail("rce-init", "wait", -pid, 126);

        /* 4: WIFEXITED when the low 7 bits are 0, else the signal is in them. */
        if (pid == command)
            leave((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f));
    }
}
