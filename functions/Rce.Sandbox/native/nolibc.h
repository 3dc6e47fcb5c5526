/*
 * nolibc.h: the little of a C library that rce-launch and rce-init need, as x86_64 Linux system
 * calls. Why no libc: both run on every box start, and on virtual machines glibc's own start-up
 * (CPUID probing of the processor and its caches, each a trap to the hypervisor) costs over 1 ms
 * per exec on our hosts, more than everything else either program does. Built with -nostdlib
 * -ffreestanding; include it exactly once per program, which must define
 *     __attribute__((noreturn, used)) void entry(long *stack);
 * stack[0] is argc, then argv, NULL, envp, NULL, as the kernel lays them out.
 * Conventions: every call returns the kernel's result, a negative errno on failure.
 */
#ifndef RCE_NOLIBC_H
#define RCE_NOLIBC_H

#if !defined(__x86_64__)
#error "rce's native helpers are written for x86_64 Linux"
#endif

#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_dup2 33
#define SYS_fork 57
#define SYS_execve 59
#define SYS_exit 60
#define SYS_wait4 61
#define SYS_getuid 102
#define SYS_geteuid 107
#define SYS_getppid 110
#define SYS_setgroups 116
#define SYS_setresuid 117
#define SYS_setresgid 119
#define SYS_prctl 157
#define SYS_prlimit64 302
#define SYS_setns 308
#define SYS_close_range 436

#define O_RDONLY 00
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define O_NOFOLLOW 0400000
#define O_CLOEXEC 02000000

#define ENOENT 2
#define EINTR 4
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EBUSY 16
#define ENOTDIR 20
#define EINVAL 22
#define ETXTBSY 26
#define ENAMETOOLONG 36
#define ELOOP 40
#define EPERM 1
#define ESRCH 3

__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "  xor %rbp, %rbp\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call entry\n"
        "  hlt\n");

/* Four arguments; the fifth and sixth are always 0 (prctl checks that unused ones are). */
static long sys(long number, long a, long b, long c, long d)
{
    long result;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = 0;
    register long r9 __asm__("r9") = 0;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return result;
}

static __attribute__((noreturn)) void leave(int code)
{
    for (;;)
        sys(SYS_exit, code, 0, 0, 0);
}

static unsigned long length(const char *s)
{
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

static __attribute__((unused)) int same(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static void say(const char *s)
{
    sys(SYS_write, 2, (long)s, (long)length(s), 0);
}

static __attribute__((unused)) const char *reason(long error)
{
    switch (error) {
    case EPERM: return "Operation not permitted";
    case ENOENT: return "No such file or directory";
    case ESRCH: return "No such process";
    case E2BIG: return "Argument list too long";
    case ENOEXEC: return "Exec format error";
    case EBADF: return "Bad file descriptor";
    case ECHILD: return "No child processes";
    case EAGAIN: return "Resource temporarily unavailable";
    case ENOMEM: return "Cannot allocate memory";
    case EACCES: return "Permission denied";
    case EBUSY: return "Device or resource busy";
    case ENOTDIR: return "Not a directory";
    case EINVAL: return "Invalid argument";
    case ETXTBSY: return "Text file busy";
    case ENAMETOOLONG: return "File name too long";
    case ELOOP: return "Too many levels of symbolic links";
    default: return "system error";
    }
}

/* "PROGRAM: WHAT: REASON" on stderr, then exit CODE. */
static __attribute__((noreturn)) void fail(const char *program, const char *what, long error, int code)
{
    say(program);
    say(": ");
    say(what);
    say(": ");
    say(reason(error));
    say("\n");
    leave(code);
}

#endif
