/*
 * rce-init: pid 1 of a box's pid namespace, in place of bwrap's own reaper (bwrap --as-pid-1).
 *
 * Why it exists. bwrap's reaper is a fork of bwrap taken after the namespace setup; on hosts where
 * page-table work is slow (our PVM guests) that fork and its exit cost about 5 ms of CPU per run,
 * a third of the sandbox's whole cost. Exec'ing this small static program and spawning the command
 * with a vfork-style clone costs less than half of that. The command must not simply be pid 1
 * itself (bwrap --as-pid-1 alone): the kernel drops every default-action signal that a namespace
 * init sends itself, so abort() would end by SIGSEGV instead of SIGABRT, raise()/kill(getpid())
 * would do nothing, and RLIMIT_FSIZE's SIGXFSZ would be lost (the write fails with EFBIG instead of
 * the run ending as OLE).
 *
 * Theory of operation:
 *   1. make itself non-dumpable (threat: it runs as the program's uid; a dumpable init could be
 *      rewritten through /proc/1/mem to forge the exit status or outlive the program);
 *   2. spawn argv[1..] with PATH search and this process's environment (bwrap set it);
 *   3. reap every process (orphans are reparented to pid 1) until the command itself ends;
 *   4. exit with the command's status: its exit code, or 128 + the signal that ended it (the
 *      encoding bwrap's reaper uses and the engine decodes). Leaving kills the rest of the
 *      namespace, as with bwrap's reaper.
 *
 * Exit codes of its own: 121 usage, 126 the command could not be started, 127 not found; the
 * reason goes to stderr prefixed "rce-init:". Signals: as pid 1 it ignores every signal sent from
 * inside the box; SIGKILL from the host (the engine's kill path) ends it and the namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("rce-init: usage: rce-init COMMAND [ARG]...\n", stderr);
        return 121;
    }

    /* 1 */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        perror("rce-init: PR_SET_DUMPABLE");
        return 126;
    }

    /* 2: posix_spawn uses CLONE_VM|CLONE_VFORK: no copy of this process's page tables. */
    pid_t command;
    int error = posix_spawnp(&command, argv[1], NULL, NULL, &argv[1], environ);
    if (error != 0) {
        fprintf(stderr, "rce-init: %s: %s\n", argv[1], strerror(error));
        return error == ENOENT ? 127 : 126;
    }

    /* 3 */
    for (;;) {
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            perror("rce-init: wait");
            return 126;
        }

        /* 4 */
        if (pid == command)
            return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    }
}
