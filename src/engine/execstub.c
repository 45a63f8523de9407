/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runtime's side of the exec stub (execstub/stub.c, CVE-2019-5736):
 * a sealed memfd holding the stub, made before clone, and the final
 * execveat() of it with the container's program as its argument. */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "engine-int.h"
#include "ocichroot/common.h"
#include "ocichroot/log.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

extern const unsigned char oc_execstub_image[];
extern const size_t oc_execstub_size;

int oc_execstub_open(int *out, oc_error_t *err)
{
	cleanup_close int fd = -1;

	*out = -1;
	if (oc_execstub_size == 0)
		return 0; /* not built for this architecture */
	/* MFD_EXEC: hosts with vm.memfd_noexec=1 make memfds noexec unless
	 * asked; kernels before 6.3 do not know the flag. */
	fd = memfd_create("ocichroot-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("ocichroot-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return oc_error_sys(err, "memfd_create for the exec stub");
	if (write(fd, oc_execstub_image, oc_execstub_size) != (ssize_t) oc_execstub_size)
		return oc_error_sys(err, "write the exec stub");
	/* Sealed: nobody, not even a process holding this memfd through
	 * /proc/PID/exe, can change a byte of it. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return oc_error_sys(err, "seal the exec stub");
	*out = steal_fd(&fd);
	return 0;
}

void oc_execstub_exec(int stubfd, const char *exe, char *const *args, char *const *env)
{
	size_t n = 0;
	char **argv;

	if (stubfd < 0)
		return;
	while (args[n] != NULL)
		n++;
	argv = oc_xcalloc(n + 3, sizeof(char *));
	argv[0] = (char *) "ocichroot-exec-stub";
	argv[1] = (char *) exe;
	memcpy(argv + 2, args, n * sizeof(char *));
	syscall(SYS_execveat, stubfd, "", argv, env, AT_EMPTY_PATH);
	/* Refused (a seccomp profile without execveat, a noexec memfd
	 * policy): the caller execs the program directly. */
	free(argv);
}
