/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container's init: the cloned child runs these stages in this order
 * (DESIGN.md, "Engine stages"), reports each failure to the parent over the
 * sync socket and exits; on success it ends in execve() of process.args[0].
 * Nothing here prints: the parent turns an error message into its own. */
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <termios.h>
#include <linux/close_range.h>

#include "engine-int.h"
#include "ocichroot/common.h"
#include "ocichroot/fs.h"
#include "ocichroot/hooks.h"
#include "ocichroot/state.h"
#include "ocichroot/log.h"
#include "ocichroot/terminal.h"

struct init_state {
	struct oc_ctx *ctx;
	char *exe; /* the resolved executable, inside the container */
	int rootfd;
	int fifo_fd; /* exec.fifo, held (CLOEXEC) until execve: see stage_wait_start */
};

/* Descriptors the runtime keeps open in init are moved above the range the
 * caller asked to preserve, so --preserve-fds N hands the container exactly
 * fds 3 .. 3+N-1 and nothing of ours (CVE-2024-21626 class). */
static int move_fd_high(int *fd, int min, oc_error_t *err)
{
	int nfd;

	if (*fd < 0 || *fd >= min)
		return 0;
	nfd = fcntl(*fd, F_DUPFD_CLOEXEC, min);
	if (nfd < 0)
		return oc_error_sys(err, "dup internal descriptor");
	close(*fd);
	*fd = nfd;
	return 0;
}

static int stage_hygiene(struct init_state *s, oc_error_t *err)
{
	struct oc_ctx *ctx = s->ctx;
	int min = 3 + (ctx->opts->preserve_fds > 0 ? ctx->opts->preserve_fds : 0);

	/* If the runtime dies while we set up, die with it rather than linger
	 * half-configured; cleared again before we report readiness. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return oc_error_sys(err, "prctl(PR_SET_PDEATHSIG)");
	/* CVE-2016-9962: while init runs runtime code inside the container's
	 * namespaces, no process of the container may ptrace it or open its
	 * /proc/PID/{fd,exe,mem}. execve() resets this for the user's
	 * program.  In a new user namespace a runtime that is not root must
	 * still open our /proc/PID/{setgroups,uid_map,gid_map}, which a
	 * non-dumpable process hands to root: then this waits for GO (no
	 * process of the container exists before it). */
	if (!ctx->new_userns && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return oc_error_sys(err, "prctl(PR_SET_DUMPABLE)");
	/* The host's /proc, for the writes that must not land in whatever
	 * the image mounts or links at the container's /proc. */
	ctx->procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ctx->procfd < 0)
		return oc_error_sys(err, "open `/proc`");
	if (oc_fs_proc_fd_check(ctx->procfd, err) < 0)
		return -1;
	if (move_fd_high(&ctx->sync_fd, min, err) < 0 || move_fd_high(&ctx->state_dirfd, min, err) < 0 ||
	    move_fd_high(&ctx->procfd, min, err) < 0 || move_fd_high(&ctx->stubfd, min, err) < 0)
		return -1;
	for (int i = 0; i < OC_NS__MAX; i++)
		if (move_fd_high(&ctx->ns_fds[i], min, err) < 0)
			return -1;
	return 0;
}

/* After joining a user namespace by path: the namespaces the config asks
 * to be new are made now, owned by it.  A new pid namespace applies to
 * children only, so init forks once more, as a sibling (CLONE_PARENT): the
 * runtime's child, pid 1 of the new namespace.  The messenger reports its
 * pid and exits. */
static int make_deferred_namespaces(struct oc_ctx *ctx, oc_error_t *err)
{
	int flags = ctx->deferred_flags;
	pid_t pid;
	char text[32];

	if (unshare(flags & ~CLONE_NEWPID) < 0)
		return oc_error_sys(err, "create the container's namespaces in the joined user namespace");
	if (!(flags & CLONE_NEWPID))
		return 0;
	if (unshare(CLONE_NEWPID) < 0)
		return oc_error_sys(err, "create a pid namespace in the joined user namespace");
	pid = (pid_t) syscall(SYS_clone, (unsigned long) CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0)
		return oc_error_sys(err, "fork into the new pid namespace");
	if (pid == 0) /* the real init goes on; death signals are not inherited */
		return prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ? oc_error_sys(err, "prctl(PR_SET_PDEATHSIG)") : 0;
	snprintf(text, sizeof text, "%d", pid);
	if (oc_sync_send(ctx->sync_fd, OC_SYNC_PID, 0, text, -1, err) < 0)
		return -1;
	_exit(0);
}

static int stage_wait_runtime(struct init_state *s, oc_error_t *err)
{
	struct oc_ctx *ctx = s->ctx;

	if (oc_sync_expect(ctx->sync_fd, OC_SYNC_GO, err) < 0)
		return -1;
	/* the id maps are written: see stage_hygiene */
	if (ctx->new_userns && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return oc_error_sys(err, "prctl(PR_SET_DUMPABLE)");
	if (oc_ns_join_in_child(ctx, err) < 0)
		return -1;
	if (ctx->new_userns || ctx->join_userns) {
		/* Become the namespace's root where it is mapped; the user's
		 * ids are set later, with everything else about the process. */
		if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
			return oc_error_sys(err, "setresgid(0)");
		if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
			return oc_error_sys(err, "setresuid(0)");
	}
	if (ctx->deferred_flags != 0 && make_deferred_namespaces(ctx, err) < 0)
		return -1;
	/* now in the container's cgroup, and in the user namespace that is
	 * to own the new cgroup namespace */
	if (ctx->unshare_cgroupns && unshare(CLONE_NEWCGROUP) < 0) {
		oc_error_sys(err, "create a cgroup namespace");
		if (oc_ctx_fallback(ctx, err, "the host's cgroup namespace") < 0)
			return -1;
		ctx->unshare_cgroupns = false;
	}
	return 0;
}

static int stage_mount_namespace(struct init_state *s, oc_error_t *err)
{
	struct oc_ctx *ctx = s->ctx;

	/* Relative mount sources are relative to the bundle, as in runc. */
	if (chdir(ctx->bundle) < 0)
		return oc_error_sys(err, "chdir `%s`", ctx->bundle);
	return oc_mounts_setup(ctx, &s->rootfd, err);
}

static int stage_console(struct init_state *s, oc_error_t *err)
{
	struct oc_ctx *ctx = s->ctx;
	const struct oc_spec_process *p = ctx->spec->process;
	cleanup_close int devpts = -1, master = -1, slave = -1, console = -1;
	char from[32], to[32];

	if (!p->terminal)
		return 0;
	/* The pty comes from the container's own devpts instance, found
	 * through the rootfs descriptor, never by a path the image controls. */
	if (oc_fs_open_in_root(s->rootfd, "/dev/pts", O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &devpts, err) < 0 ||
	    oc_term_open_pty_at(devpts, &master, err) < 0)
		return oc_error_prefix(err, "open the container's pty");
	/* CVE-2025-52565 class: the slave is opened from the master, not by
	 * its /dev/pts/N name, which a racing process could replace. */
	if (oc_term_open_peer(master, &slave, err) < 0)
		return -1;
	if (p->console_size != NULL &&
	    oc_term_set_size(slave, p->console_size->height, p->console_size->width, err) < 0)
		return -1;
	/* /dev/console is the pty, bound onto a file created in our own /dev
	 * (a symlink planted there is resolved inside the rootfs). */
	if (oc_fs_create_file_in_root(s->rootfd, "/dev/console", 0600, &console, err) < 0)
		return oc_error_prefix(err, "create `/dev/console`");
	oc_fs_fd_path(slave, from, sizeof from);
	oc_fs_fd_path(console, to, sizeof to);
	if (mount(from, to, NULL, MS_BIND, NULL) < 0)
		return oc_error_sys(err, "bind the pty onto `/dev/console`");
	if (oc_sync_send(ctx->sync_fd, OC_SYNC_PTY, 0, NULL, master, err) < 0)
		return -1;
	return oc_term_setup_slave(slave, err);
}

static bool has_hooks(const struct oc_spec *spec, enum oc_hook_kind k)
{
	return spec->hooks != NULL && spec->hooks->n_hooks[k] > 0;
}

/* prestart and createRuntime run in the runtime's namespaces, by the
 * runtime, once the container's environment exists: ask and wait. */
static int stage_runtime_hooks(struct init_state *s, oc_error_t *err)
{
	struct oc_ctx *ctx = s->ctx;

	if (!has_hooks(ctx->spec, OC_HOOK_PRESTART) && !has_hooks(ctx->spec, OC_HOOK_CREATE_RUNTIME))
		return 0;
	if (oc_sync_send(ctx->sync_fd, OC_SYNC_HOOKS, 0, NULL, -1, err) < 0)
		return -1;
	return oc_sync_expect(ctx->sync_fd, OC_SYNC_GO, err);
}

static int run_hooks_here(struct oc_ctx *ctx, enum oc_hook_kind k, int status, oc_error_t *err)
{
	cleanup_free char *json = NULL;

	if (!has_hooks(ctx->spec, k))
		return 0;
	json = oc_ctx_hook_state(ctx, status, getpid());
	return oc_hooks_run(ctx->spec->hooks, k, json, err);
}

/* In the container's namespaces, before the root switch, so the path
 * resolves in the runtime's filesystem view (runtime-spec). */
static int stage_create_container_hooks(struct init_state *s, oc_error_t *err)
{
	if (!has_hooks(s->ctx->spec, OC_HOOK_CREATE_CONTAINER))
		return 0;
	if (fchdir(s->rootfd) < 0)
		return oc_error_sys(err, "chdir to the rootfs");
	return run_hooks_here(s->ctx, OC_HOOK_CREATE_CONTAINER, OC_STATUS_CREATED, err);
}

static int stage_start_container_hooks(struct init_state *s, oc_error_t *err)
{
	return run_hooks_here(s->ctx, OC_HOOK_START_CONTAINER, OC_STATUS_CREATED, err);
}

static int stage_seccomp_late(struct init_state *s, oc_error_t *err)
{
	return oc_process_load_seccomp_late(s->ctx, err);
}

/* pivot_root cannot move the initial rootfs (ramfs/tmpfs) away. */
static bool host_root_is_initramfs(void)
{
	struct statfs sfs;

	return statfs("/", &sfs) == 0 && (sfs.f_type == RAMFS_MAGIC || sfs.f_type == TMPFS_MAGIC);
}

static int stage_root_switch(struct init_state *s, oc_error_t *err)
{
	struct oc_ctx *ctx = s->ctx;
	bool chroot_only = ctx->opts->no_pivot;

	if (fchdir(s->rootfd) < 0)
		return oc_error_sys(err, "chdir to the rootfs");
	if (!chroot_only) {
		if (syscall(SYS_pivot_root, ".", ".") == 0) {
			/* The old root is stacked under the new one: detach it
			 * so no host path stays reachable from the container. */
			if (umount2(".", MNT_DETACH) < 0)
				return oc_error_sys(err, "unmount the old root");
			if (chdir("/") < 0)
				return oc_error_sys(err, "chdir /");
			return 0;
		}
		/* pivot_root cannot work on a rootfs in ramfs/initramfs
		 * (EINVAL): chroot is then the only root switch there is, as
		 * in runc.  A sandbox that refuses it (EPERM) is the policy's
		 * call. */
		oc_error_sys(err, "pivot_root `%s`", ctx->rootfs);
		if (err->code == EINVAL && host_root_is_initramfs()) {
			oc_ctx_degrade(ctx, "%s: chroot (the rootfs is on initramfs)", err->msg);
			oc_error_clear(err);
		} else if (err->code != EPERM || oc_ctx_fallback(ctx, err, "chroot") < 0) {
			return -1;
		}
	}
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return oc_error_sys(err, "move the rootfs to /");
	if (chroot(".") < 0)
		return oc_error_sys(err, "chroot");
	if (chdir("/") < 0)
		return oc_error_sys(err, "chdir /");
	return 0;
}

static int stage_finalize(struct init_state *s, oc_error_t *err)
{
	struct oc_ctx *ctx = s->ctx;
	const struct oc_spec *spec = ctx->spec;

	if (oc_mounts_finalize(ctx, err) < 0)
		return -1;
	if (spec->hostname == NULL && spec->domainname == NULL)
		return 0;
	/* Without a UTS namespace of its own (dropped by the policy), setting
	 * them would rename the host. */
	if (!(ctx->clone_flags & CLONE_NEWUTS) && ctx->ns_fds[OC_NS_UTS] < 0) {
		oc_error_set(err, 0, "hostname and domainname: no UTS namespace of the container's own");
		return oc_ctx_fallback(ctx, err, "the host's names left as they are");
	}
	/* A seccomp profile may refuse these without CAP_SYS_ADMIN in the
	 * initial namespace (podman's default does), even in a UTS namespace
	 * of our own: the container then keeps the name it was born with,
	 * and nothing outside it changes. */
	if (spec->hostname != NULL && sethostname(spec->hostname, strlen(spec->hostname)) < 0) {
		oc_error_sys(err, "sethostname");
		if (err->code != EPERM ||
		    oc_ctx_fallback(ctx, err, "the outer hostname, in a UTS namespace of the container's own") < 0)
			return -1;
	}
	if (spec->domainname != NULL && setdomainname(spec->domainname, strlen(spec->domainname)) < 0) {
		oc_error_sys(err, "setdomainname");
		if (err->code != EPERM ||
		    oc_ctx_fallback(ctx, err, "the outer domainname, in a UTS namespace of the container's own") < 0)
			return -1;
	}
	return 0;
}

static int stage_process(struct init_state *s, oc_error_t *err)
{
	if (oc_process_setup_pre_exec(s->ctx, err) < 0)
		return -1;
	/* Resolved as the container's user, after the switch, so a missing or
	 * non-executable program fails `create` with the text engines map to
	 * 127 and 126. */
	return oc_process_lookup(s->ctx->spec->process, &s->exe, err);
}

static int stage_ready(struct init_state *s, oc_error_t *err)
{
	struct oc_ctx *ctx = s->ctx;

	if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0)
		return oc_error_sys(err, "prctl(PR_SET_PDEATHSIG)");
	if (oc_sync_send(ctx->sync_fd, OC_SYNC_READY, 0, NULL, -1, err) < 0)
		return -1;
	close(ctx->sync_fd);
	ctx->sync_fd = -1;
	return 0;
}

/* Blocks until `start` opens exec.fifo for reading. The fifo is reached
 * through the state directory's descriptor, opened before the root switch,
 * so no /proc and no host path is needed inside the container. */
static int stage_wait_start(struct init_state *s, oc_error_t *err)
{
	struct oc_ctx *ctx = s->ctx;
	cleanup_close int fd = -1;

	do
		fd = openat(ctx->state_dirfd, "exec.fifo", O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return oc_error_sys(err, "open exec fifo");
	if (write(fd, "0", 1) != 1)
		return oc_error_sys(err, "write exec fifo");
	/* Kept open: it closes at execve (CLOEXEC), and `start` waits for that
	 * end of file, so startContainer hooks are done and the program runs
	 * before `start` runs the poststart hooks (runtime.md, lifecycle). */
	s->fifo_fd = steal_fd(&fd);
	close(ctx->state_dirfd);
	ctx->state_dirfd = -1;
	return 0;
}

typedef int (*init_stage_fn)(struct init_state *, oc_error_t *);

/* The order matters: each stage relies on what the ones before it did. */
static const struct {
	const char *name;
	init_stage_fn fn;
} stages[] = {
	{"hygiene", stage_hygiene},
	{"wait for the runtime", stage_wait_runtime},
	{"mounts", stage_mount_namespace},
	{"console", stage_console},
	{"prestart and createRuntime hooks", stage_runtime_hooks},
	{"createContainer hooks", stage_create_container_hooks},
	{"root switch", stage_root_switch},
	{"finalize", stage_finalize},
	{"process", stage_process},
	{"ready", stage_ready},
	{"wait for start", stage_wait_start},
	/* from here on errors go to the container's stderr: the runtime
	 * that could report them has returned */
	{"startContainer hooks", stage_start_container_hooks},
	{"seccomp", stage_seccomp_late},
};

void oc_init_main(struct oc_ctx *ctx)
{
	struct init_state s = {.ctx = ctx, .rootfd = -1, .fifo_fd = -1};
	oc_error_t err = OC_ERROR_INIT;

	for (size_t i = 0; i < OC_ARRAY_SIZE(stages); i++) {
		if (stages[i].fn(&s, &err) < 0)
			goto fail;
	}
	oc_process_exec(ctx->spec->process, s.exe, ctx->opts->preserve_fds, ctx->stubfd);
fail:
	if (ctx->sync_fd >= 0) {
		oc_sync_send(ctx->sync_fd, OC_SYNC_ERROR, err.code, err.msg ? err.msg : "unknown error", -1, NULL);
	} else {
		char *msg = NULL;
		if (asprintf(&msg, "ocichroot: %s\n", err.msg ? err.msg : "unknown error") > 0) {
			ssize_t r = write(2, msg, strlen(msg));
			(void) r;
		}
	}
	_exit(1);
}
