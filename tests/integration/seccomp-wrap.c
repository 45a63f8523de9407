/* SPDX-License-Identifier: GPL-2.0-or-later */
/* seccomp-wrap CMD [ARG...]: run CMD under a seccomp filter that refuses
 * new pid and network namespaces, the way the default profiles of Docker
 * and podman refuse them to a nested runtime: clone() and unshare() with
 * CLONE_NEWPID or CLONE_NEWNET fail with EPERM.  clone3() passes its flags
 * in memory, where a filter cannot look: it fails with ENOSYS, so that
 * glibc and the runtime fall back to clone().  With --uts first, new UTS
 * namespaces are refused too (where a hostname cannot be set). */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int refuse_flag(scmp_filter_ctx f, int nr, unsigned int arg, unsigned long flag)
{
	return seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), nr, 1, SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, flag, flag));
}

int main(int argc, char **argv)
{
	scmp_filter_ctx f;
	bool uts = argc > 1 && strcmp(argv[1], "--uts") == 0;
	int rc = 0;

	if (uts) {
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: %s [--uts] CMD [ARG...]\n", argv[0]);
		return 2;
	}
	f = seccomp_init(SCMP_ACT_ALLOW);
	if (f == NULL) {
		fprintf(stderr, "seccomp_init failed\n");
		return 1;
	}
	/* on x86-64 and most others clone's first argument holds the flags;
	 * unshare's only argument does */
	rc |= refuse_flag(f, SCMP_SYS(clone), 0, CLONE_NEWPID);
	rc |= refuse_flag(f, SCMP_SYS(clone), 0, CLONE_NEWNET);
	rc |= refuse_flag(f, SCMP_SYS(unshare), 0, CLONE_NEWPID);
	rc |= refuse_flag(f, SCMP_SYS(unshare), 0, CLONE_NEWNET);
	if (uts) {
		rc |= refuse_flag(f, SCMP_SYS(clone), 0, CLONE_NEWUTS);
		rc |= refuse_flag(f, SCMP_SYS(unshare), 0, CLONE_NEWUTS);
	}
	rc |= seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (rc == 0)
		rc = seccomp_load(f);
	seccomp_release(f);
	if (rc != 0) {
		fprintf(stderr, "load the seccomp filter: %s\n", strerror(-rc));
		return 1;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "exec `%s`: %s\n", argv[1], strerror(errno));
	return 127;
}
