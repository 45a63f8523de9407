/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The last step before the container's program (CVE-2019-5736).
 *
 * A container's program may be a script starting "#!/proc/self/exe": the
 * kernel then runs whatever the process calling execve() was running, and
 * a process of the container can open /proc/PID/exe of it and, once it
 * exits, write through that handle.  If the caller were the runtime, that
 * would be the ocichroot binary on the host.  So the runtime's last act is
 * to execute this stub from a sealed memfd, and the stub's only act is to
 * execve() the container's program: "#!/proc/self/exe" then reaches a
 * sealed, unwritable copy of the stub, which refuses to run as an
 * interpreter.  Copying a few hundred bytes replaces copying the whole
 * runtime into a memfd and re-executing it on every start, which is what
 * runc and crun pay.
 *
 * Freestanding: no libc, one page, x86_64 and aarch64. */
#include <stddef.h>
#include <sys/syscall.h>

#define MAGIC "ocichroot-exec-stub"

__attribute__((noreturn)) void stub_main(long *sp);

#if defined(__x86_64__)
static long sys3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}
__asm__(".text\n.globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall stub_main\n\thlt\n");
#elif defined(__aarch64__)
static long sys3(long n, long a, long b, long c)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}
__asm__(".text\n.globl _start\n_start:\n\tmov x0, sp\n\tbl stub_main\n\tbrk #0\n");
#else
#error "the exec stub supports x86_64 and aarch64"
#endif

static size_t len(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static __attribute__((noreturn)) void die(const char *msg, const char *what, long code)
{
	sys3(SYS_write, 2, (long) "ocichroot: ", 11);
	sys3(SYS_write, 2, (long) msg, (long) len(msg));
	if (what != NULL) {
		sys3(SYS_write, 2, (long) what, (long) len(what));
	}
	sys3(SYS_write, 2, (long) "\n", 1);
	for (;;)
		sys3(SYS_exit, code, 0, 0);
}

void stub_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **) (sp + 1);
	char **envp = argv + argc + 1;
	long r;

	/* Run by the kernel as a script's interpreter, argv[0] is the
	 * interpreter's path: refuse, rather than exec the script again. */
	if (argc < 2 || !same(argv[0], MAGIC))
		die("refusing to run as an interpreter: ", argc > 0 ? argv[0] : NULL, 126);
	r = sys3(SYS_execve, (long) argv[1], (long) (argv + 2), (long) envp);
	die(r == -2 ? "exec: no such file or directory: " : "exec: permission denied: ", argv[1], r == -2 ? 127 : 126);
}
