/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parent side of the lifecycle: create, start, run, state, kill,
 * delete, list. The container's init is a direct child of the process that
 * ran `create` (no monitor in between: conmon and containerd's shim wait on
 * it), set up by init.c and held at exec.fifo until `start`. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>

#include "engine-int.h"
#include "ocichroot/cgroup.h"
#include "ocichroot/common.h"
#include "ocichroot/hooks.h"
#include "ocichroot/log.h"
#include "ocichroot/lsm.h"
#include "ocichroot/procattr.h"
#include "ocichroot/seccomp.h"
#include "ocichroot/state.h"
#include "ocichroot/terminal.h"

#define OC_OCI_VERSION "1.2.0"

int oc_pidfd_open_checked(pid_t pid, unsigned long long start, int *out, oc_error_t *err)
{
	int fd = (int) syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0)
		return oc_error_sys(err, "pidfd_open %d", pid);
	/* The pid could have been reused between reading state.json and
	 * pidfd_open: the start time read after opening proves the pidfd
	 * refers to our init. */
	if (!oc_proc_alive(pid, start)) {
		close(fd);
		return oc_error_set(err, ESRCH, "container not running");
	}
	*out = fd;
	return 0;
}

static int pidfd_signal(int pidfd, int sig, oc_error_t *err)
{
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		return oc_error_sys(err, "kill container init");
	return 0;
}

/* Wait until the process behind pidfd has exited (it may not be our child). */
static int pidfd_wait_exit(int pidfd, int timeout_ms, oc_error_t *err)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return oc_error_sys(err, "poll pidfd");
	if (r == 0)
		return oc_error_set(err, ETIMEDOUT, "container init did not exit");
	return 0;
}


char *oc_ctx_hook_state(struct oc_ctx *ctx, int status, pid_t pid)
{
	pid_t saved = ctx->state->pid;
	char *json;

	ctx->state->pid = pid;
	json = oc_state_to_hook_json(ctx->state, (enum oc_status) status);
	ctx->state->pid = saved;
	return json;
}

static int run_runtime_hooks(struct oc_ctx *ctx, pid_t pid, oc_error_t *err)
{
	/* runtime-spec (runtime.md, "State"): the status is "created" once
	 * the environment exists (after lifecycle step 2), which is when
	 * these hooks run. */
	cleanup_free char *json = oc_ctx_hook_state(ctx, OC_STATUS_CREATED, pid);

	if (oc_hooks_run(ctx->spec->hooks, OC_HOOK_PRESTART, json, err) < 0 ||
	    oc_hooks_run(ctx->spec->hooks, OC_HOOK_CREATE_RUNTIME, json, err) < 0)
		return -1;
	return oc_sync_send(ctx->sync_fd, OC_SYNC_GO, 0, NULL, -1, err);
}

static int pass_notify_fd(struct oc_ctx *ctx, pid_t pid, int fd, oc_error_t *err)
{
	const struct oc_spec_seccomp *sc = ctx->spec->linux ? ctx->spec->linux->seccomp : NULL;
	cleanup_free char *json = NULL;

	if (sc == NULL || sc->listener_path == NULL)
		return oc_error_set(err, EPROTO, "seccomp notify fd without a listenerPath");
	json = oc_state_to_oci_json(ctx->state, OC_STATUS_CREATING, false);
	return oc_seccomp_send_notify_fd(sc->listener_path, fd, pid, json, sc->listener_metadata, err);
}

void oc_ctx_release(struct oc_ctx *ctx)
{
	if (ctx->spec != NULL)
		oc_idmap_release(ctx);
	oc_cgroup_free(ctx->cgroup);
	oc_seccomp_free(ctx->seccomp);
	if (ctx->procfd >= 0)
		close(ctx->procfd);
	if (ctx->stubfd >= 0)
		close(ctx->stubfd);
	oc_spec_free(ctx->spec);
	free(ctx->bundle);
	free(ctx->rootfs);
	free(ctx->id);
	if (ctx->state_dirfd >= 0)
		close(ctx->state_dirfd);
	if (ctx->sync_fd >= 0)
		close(ctx->sync_fd);
	oc_ns_close(ctx);
	for (size_t i = 0; i < ctx->n_degraded; i++)
		free(ctx->degraded[i]);
	free(ctx->degraded);
}

/* The classic chroot escape: chroot(2) does not move the root of the
 * mount namespace, so a process with CAP_SYS_CHROOT can chroot into a
 * subdirectory and climb out with "..".  pivot_root (the default) leaves
 * nothing above the new root; --no-pivot does, so say so. */
static void warn_chroot_escape(const struct oc_ctx *ctx)
{
	const struct oc_spec_capabilities *c = ctx->spec->process->capabilities;
	bool has = c == NULL; /* no capabilities object: nothing is dropped */

	if (!ctx->opts->no_pivot)
		return;
	for (size_t i = 0; c != NULL && i < c->n_bounding; i++)
		if (strcmp(c->bounding[i], "CAP_SYS_CHROOT") == 0)
			has = true;
	if (has)
		oc_warn("--no-pivot with CAP_SYS_CHROOT in the bounding set: a process of the container can "
			"escape the chroot; see ocichroot(8)");
}

/* Errors oc_json_error() made already start with "CONFIG:LINE:COL: ":
 * naming the file again would hide the position in the middle. */
static int prefix_config(oc_error_t *err, const char *config, const char *path)
{
	size_t n = strlen(config);

	if (err->msg != NULL && strncmp(err->msg, config, n) == 0 && err->msg[n] == ':')
		return -1;
	if (path != NULL)
		return oc_error_prefix(err, "%s: %s", config, path);
	return oc_error_prefix(err, "%s", config);
}

/* Everything that can be checked is checked here, before the first side
 * effect: a bad config, bundle or option leaves nothing behind. */
static int ctx_load(struct oc_ctx *ctx, const struct oc_runtime *rt, const struct oc_create_opts *o,
		    oc_error_t *err)
{
	cleanup_free char *config = NULL, *root = NULL;
	struct stat st;
	char real[PATH_MAX];

	ctx->rt = rt;
	ctx->opts = o;
	ctx->state_dirfd = -1;
	ctx->sync_fd = -1;
	ctx->procfd = -1;
	ctx->stubfd = -1;
	for (int i = 0; i < OC_NS__MAX; i++)
		ctx->ns_fds[i] = -1;
	if (oc_state_id_validate(o->id, err) < 0)
		return -1;
	ctx->id = oc_xstrdup(o->id);
	if (realpath(o->bundle ? o->bundle : ".", real) == NULL)
		return oc_error_sys(err, "bundle `%s`", o->bundle ? o->bundle : ".");
	ctx->bundle = oc_xstrdup(real);
	config = oc_xasprintf("%s/config.json", ctx->bundle);
	if (oc_spec_load(config, &ctx->spec, err) < 0)
		return -1;
	if (ctx->spec->process == NULL)
		return oc_error_set(err, 0, "%s: process: required by create", config);
	if (oc_policy_resolve(ctx, err) < 0)
		return oc_error_prefix(err, "%s", config);
	if (oc_rootless_userns(ctx, err) < 0)
		return -1;
	root = ctx->spec->root->path[0] == '/' ? oc_xstrdup(ctx->spec->root->path)
					       : oc_xasprintf("%s/%s", ctx->bundle, ctx->spec->root->path);
	if (realpath(root, real) == NULL)
		return oc_error_sys(err, "rootfs `%s`", root);
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
		return oc_error_set(err, ENOTDIR, "rootfs `%s` is not a directory", real);
	ctx->rootfs = oc_xstrdup(real);
	if (ctx->spec->process->terminal && o->console_socket == NULL && !o->foreground)
		return oc_error_set(err, 0, "cannot allocate tty if ocichroot will detach without setting console socket");
	if (!ctx->spec->process->terminal && o->console_socket != NULL)
		return oc_error_set(err, 0, "cannot use console socket if ocichroot will not allocate tty");
	if (o->preserve_fds < 0)
		return oc_error_set(err, 0, "--preserve-fds: must not be negative");
	if (oc_procattr_validate(ctx->spec, err) < 0 || oc_caps_validate(ctx->spec->process->capabilities, err) < 0 ||
	    oc_lsm_check(ctx->spec->process, ctx->spec->linux ? ctx->spec->linux->mount_label : NULL, err) < 0)
		return prefix_config(err, config, NULL);
	if (oc_seccomp_prepare(ctx->spec->linux ? ctx->spec->linux->seccomp : NULL, &ctx->seccomp, err) < 0)
		return prefix_config(err, config, "linux.seccomp");
	warn_chroot_escape(ctx);
	if (oc_execstub_open(&ctx->stubfd, err) < 0)
		return -1;
	return oc_ns_prepare(ctx, err);
}

int oc_write_pid_file(const char *path, pid_t pid, oc_error_t *err)
{
	cleanup_free char *tmp = NULL, *data = oc_xasprintf("%d", pid);
	cleanup_close int fd = -1;
	char *slash;
	cleanup_free char *dir = oc_xstrdup(path);

	/* atomic, like runc: a reader never sees a half-written pid */
	slash = strrchr(dir, '/');
	tmp = slash ? oc_xasprintf("%.*s/.%s.tmp", (int) (slash - dir), dir, slash + 1)
		    : oc_xasprintf(".%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return oc_error_sys(err, "open pid file `%s`", tmp);
	if (write(fd, data, strlen(data)) != (ssize_t) strlen(data))
		return oc_error_sys(err, "write pid file `%s`", tmp);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return oc_error_sys(err, "rename pid file to `%s`", path);
	}
	return 0;
}

static struct oc_state *state_from_ctx(const struct oc_ctx *ctx)
{
	struct oc_state *st = oc_state_new();

	st->oci_version = oc_xstrdup(ctx->spec->oci_version);
	st->id = oc_xstrdup(ctx->id);
	st->bundle = oc_xstrdup(ctx->bundle);
	st->rootfs = oc_xstrdup(ctx->rootfs);
	st->created = oc_rfc3339_now();
	st->owner = oc_xstrdup("");
	st->status_saved = OC_STATUS_CREATING;
	st->creator_pid = getpid();
	oc_proc_start_time(getpid(), &st->creator_start, NULL);
	st->use_terminal = ctx->spec->process->terminal;
	st->cgroup_manager = oc_xstrdup(ctx->rt->cgroup_manager == OC_CGROUP_DISABLED ? "disabled" : "cgroupfs");
	for (size_t i = 0; i < ctx->spec->n_annotations; i++)
		oc_state_set_annotation(st, ctx->spec->annotation_keys[i], ctx->spec->annotation_values[i]);
	return st;
}

/* poststart and poststop run from `start` and `delete`, which do not
 * otherwise read config.json: create notes in the state whether there are
 * any, so the common case costs no parse. */
#define HOOKS_EXTRA "hooks"

static void note_saved_hooks(const struct oc_spec *spec, struct oc_state *st)
{
	const struct oc_spec_hooks *h = spec->hooks;

	if (h != NULL && (h->n_hooks[OC_HOOK_POSTSTART] > 0 || h->n_hooks[OC_HOOK_POSTSTOP] > 0))
		oc_state_set_extra(st, HOOKS_EXTRA, "yes");
}

/* Failures are warnings here, as the runtime-spec says for both. */
static void run_saved_hooks(struct oc_state *st, enum oc_hook_kind k, enum oc_status status)
{
	cleanup_free char *config = NULL, *json = NULL;
	cleanup_spec struct oc_spec *spec = NULL;
	oc_error_t e = OC_ERROR_INIT;
	const char *has = oc_state_get_extra(st, HOOKS_EXTRA);

	if (has == NULL || strcmp(has, "yes") != 0)
		return;
	config = oc_xasprintf("%s/config.json", st->bundle);
	if (oc_spec_load(config, &spec, &e) < 0) {
		oc_warn("cannot run %s hooks: %s", oc_hook_kind_name(k), e.msg);
		oc_error_clear(&e);
		return;
	}
	json = oc_state_to_hook_json(st, status);
	oc_hooks_run_warn(spec->hooks, k, json);
}

static bool rootless(const struct oc_runtime *rt)
{
	return rt->rootless == OC_ROOTLESS_TRUE || (rt->rootless == OC_ROOTLESS_AUTO && geteuid() != 0);
}

/* Created (and limited) before init exists, so a bad resource value fails
 * create with nothing spawned; init joins it before it does any work. */
static int setup_cgroup(struct oc_ctx *ctx, struct oc_state *st, oc_error_t *err)
{
	const struct oc_spec_linux *l = ctx->spec->linux;
	struct oc_cgroup_config cfg = {
		.id = ctx->id,
		.cgroups_path = l ? l->cgroups_path : NULL,
		.systemd = ctx->rt->cgroup_manager == OC_CGROUP_SYSTEMD,
		.disabled = ctx->rt->cgroup_manager == OC_CGROUP_DISABLED,
		.rootless = rootless(ctx->rt),
		.resources = l ? l->resources : NULL,
		.devices = l ? l->devices : NULL,
		.n_devices = l ? l->n_devices : 0,
		.default_devices = true,
	};
	char **paths = NULL;
	size_t n = 0;
	int r = oc_cgroup_create(&cfg, &ctx->cgroup, err);

	if (r < 0) {
		if (err->code != EACCES && err->code != EPERM && err->code != EROFS)
			return -1;
		if (oc_ctx_fallback(ctx, err, "no cgroup (kill --all and delete use the pid namespace)") < 0)
			return -1;
		return 0;
	}
	if (r == 1) {
		/* strict: nothing is dropped silently, a partial cgroup neither */
		oc_error_set(err, EACCES, "cgroup: no permission for some hierarchies");
		if (oc_ctx_fallback(ctx, err, "the container is not limited there") < 0)
			return -1; /* create's failure path removes what was made */
	}
	if (ctx->cgroup == NULL)
		return 0;
	oc_cgroup_to_paths(ctx->cgroup, &paths, &n);
	for (size_t i = 0; i < n; i++)
		oc_state_add_cgroup_path(st, paths[i]);
	oc_strvfree(paths);
	return oc_state_write(ctx->state_dirfd, st, err);
}

int oc_container_cgroup(const struct oc_state *st, struct oc_cgroup **cg, oc_error_t *err)
{
	*cg = NULL;
	if (st->n_cgroup_paths == 0)
		return 0;
	return oc_cgroup_load(st->cgroup_paths, st->n_cgroup_paths, cg, err);
}

#define DEGRADED_ANNOTATION "run.ocichroot.degraded"

/* Every fallback taken, in the state and in the annotation `state` shows. */
static void record_degraded(const struct oc_ctx *ctx, struct oc_state *st)
{
	char *joined = NULL;
	size_t len = 0;
	FILE *f;

	if (ctx->n_degraded == 0)
		return;
	f = open_memstream(&joined, &len);
	if (f == NULL)
		abort();
	for (size_t i = 0; i < ctx->n_degraded; i++) {
		oc_state_add_degraded(st, ctx->degraded[i]);
		fprintf(f, "%s%s", i ? "; " : "", ctx->degraded[i]);
	}
	fclose(f);
	oc_state_set_annotation(st, DEGRADED_ANNOTATION, joined);
	free(joined);
}

struct created {
	pid_t pid;
	int pty_master; /* foreground run with a terminal and no console socket */
};

/* CVE-2019-5736: a container process that can see a runtime process (a
 * container sharing the host's pid namespace sees `ocichroot run` waiting)
 * could open /proc/PID/exe and later write the ocichroot binary through
 * it.  A non-dumpable process's /proc/PID/exe is closed to everyone
 * without CAP_SYS_PTRACE; init and exec'd processes are made so too until
 * their execve.  The runtime never re-executes itself, so there is no
 * other window. */
void oc_runtime_harden(void)
{
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

void oc_kill_and_reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int oc_sync_parent_loop(struct oc_ctx *ctx, pid_t *pid, int *pty_master, bool eof_ok, oc_error_t *err)
{
	for (;;) {
		struct oc_sync_msg m;
		cleanup_close int fd = -1;

		if (oc_sync_recv(ctx->sync_fd, &m, &fd, err) < 0) {
			int status = 0;
			if (err->code != ECONNRESET)
				return -1;
			if (eof_ok) {
				oc_error_clear(err);
				return 1;
			}
			if (waitpid(*pid, &status, 0) == *pid && WIFSIGNALED(status))
				oc_error_prefix(err, "killed by signal %d", WTERMSIG(status));
			return -1;
		}
		switch (m.type) {
		case OC_SYNC_PTY:
			if (fd < 0)
				return oc_error_set(err, EPROTO, "pty message without a descriptor");
			if (ctx->opts->console_socket != NULL) {
				if (oc_term_send_fd(ctx->opts->console_socket, fd, err) < 0)
					return -1;
			} else {
				*pty_master = steal_fd(&fd);
			}
			break;
		case OC_SYNC_NOTE:
			oc_ctx_degrade(ctx, "%s", m.text);
			break;
		case OC_SYNC_HOOKS:
			if (run_runtime_hooks(ctx, *pid, err) < 0)
				return -1;
			break;
		case OC_SYNC_SECCOMP_FD:
			if (fd < 0)
				return oc_error_set(err, EPROTO, "seccomp message without a descriptor");
			if (pass_notify_fd(ctx, *pid, fd, err) < 0)
				return -1;
			break;
		case OC_SYNC_PID: {
			/* init forked itself into the pid namespace it made after
			 * joining a user namespace: the real init, a child of ours
			 * (CLONE_PARENT); the messenger has exited */
			long np = strtol(m.text, NULL, 10);
			if (np <= 0 || np > INT_MAX)
				return oc_error_set(err, EPROTO, "bad pid from the container's init");
			while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
				;
			*pid = (pid_t) np;
			break;
		}
		case OC_SYNC_READY:
			return 0;
		case OC_SYNC_ERROR:
			/* the text already ends in the child's strerror */
			oc_error_set(err, 0, "%s", m.text);
			err->code = m.code;
			return -1;
		default:
			return oc_error_set(err, EPROTO, "unexpected message %u from the container", m.type);
		}
	}
}

/* After clone(): answer init until it is set up and waiting for start. */
static int parent_sync(struct oc_ctx *ctx, pid_t *pid, struct created *out, oc_error_t *err)
{
	/* init waits for GO: it must be in its cgroup before it does any
	 * work that is accounted (mounts, forks), and a new user namespace
	 * needs its maps before init can act as its root. */
	if (ctx->new_userns && oc_ns_write_idmaps(ctx, *pid, err) < 0)
		return -1;
	if (ctx->cgroup != NULL && oc_cgroup_enter(ctx->cgroup, *pid, err) < 0)
		return -1;
	if (oc_sync_send(ctx->sync_fd, OC_SYNC_GO, 0, NULL, -1, err) < 0)
		return -1;
	return oc_sync_parent_loop(ctx, pid, &out->pty_master, false, err);
}

/* The namespaces a restricted host may refuse and that have a fallback:
 * the host's own.  Mount and user namespaces have none. */
#define DROPPABLE_NS (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_NEWTIME)

static int drop_refused_namespaces(struct oc_ctx *ctx, int *flags, int clone_errno, oc_error_t *err)
{
	int refused;

	if (clone_errno != EPERM && clone_errno != EINVAL && clone_errno != ENOSPC && clone_errno != EUSERS &&
	    clone_errno != EACCES)
		return oc_error_set(err, clone_errno, "clone container init");
	refused = oc_probe_refused_ns(*flags & DROPPABLE_NS);
	if (refused == 0)
		return oc_error_set(err, clone_errno, "clone container init");
	for (int t = 0; t < OC_NS__MAX; t++) {
		int bit = oc_ns_clone_flag(t);

		if (!(refused & bit))
			continue;
		oc_error_set(err, clone_errno, "create a %s namespace", oc_ns_type_name(t));
		if (oc_ctx_fallback(ctx, err, "the host's %s namespace", oc_ns_type_name(t)) < 0)
			return -1;
		*flags &= ~bit;
		ctx->clone_flags &= ~bit;
	}
	return 0;
}

static int spawn_init(struct oc_ctx *ctx, pid_t *out, oc_error_t *err)
{
	int sv[2];
	int saved[OC_NS__MAX];
	pid_t pid;
	int flags = ctx->clone_flags;

	/* The mount namespace is the floor of our isolation: a container
	 * always gets its own, even when the config forgets to ask. */
	if (ctx->ns_fds[OC_NS_MOUNT] < 0)
		flags |= CLONE_NEWNS;
	/* The cgroup namespace's root is the cgroup its creator is in: init
	 * makes it once the runtime has moved it into the container's. */
	if (flags & CLONE_NEWCGROUP) {
		flags &= ~CLONE_NEWCGROUP;
		ctx->unshare_cgroupns = true;
	}
	/* Joining a user namespace by path: the new namespaces must be made
	 * after it, by init, so that they are owned by it and init holds
	 * capabilities over them (a new pid namespace then needs one more
	 * fork, see stage_wait_runtime). */
	if (ctx->join_userns) {
		ctx->deferred_flags = flags & ~CLONE_NEWUSER;
		flags = 0;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return oc_error_sys(err, "socketpair");
	if (oc_ns_enter_for_clone(ctx, saved, &flags, err) < 0) {
		oc_error_t e2 = OC_ERROR_INIT;
		oc_ns_restore(saved, &e2);
		oc_error_clear(&e2);
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	/* init inherits our dumpable flag, and /proc/PID of a non-dumpable
	 * process belongs to root: a runtime that is not root could not
	 * write init's id maps.  Dumpable across the clone only; init makes
	 * itself non-dumpable once the maps are written (stage_wait_runtime),
	 * before any process of the container exists. */
	if (ctx->new_userns && geteuid() != 0)
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	pid = (pid_t) syscall(SYS_clone, (unsigned long) flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0 && drop_refused_namespaces(ctx, &flags, errno, err) == 0)
		pid = (pid_t) syscall(SYS_clone, (unsigned long) flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid != 0)
		oc_runtime_harden();
	if (pid == 0) {
		close(sv[0]);
		ctx->sync_fd = sv[1];
		ctx->in_init = true;
		oc_init_main(ctx);
	}
	{
		int e = errno;
		close(sv[1]);
		if (oc_ns_restore(saved, err) < 0) {
			close(sv[0]);
			oc_kill_and_reap(pid);
			return -1;
		}
		if (pid < 0) {
			close(sv[0]);
			if (err->msg != NULL)
				return -1;
			return oc_error_set(err, e, "clone container init");
		}
	}
	ctx->sync_fd = sv[0];
	*out = pid;
	return 0;
}

/* create, and the first half of run. On failure nothing is left: no state
 * directory, no process (and, being in its own mount namespace, no mount). */
static int do_create(struct oc_ctx *ctx, struct created *out, oc_error_t *err)
{
	const struct oc_runtime *rt = ctx->rt;
	const struct oc_create_opts *o = ctx->opts;
	cleanup_close int rootfd = -1;
	cleanup_state struct oc_state *st = NULL;
	pid_t pid = -1;
	bool dir_made = false;

	out->pid = -1;
	out->pty_master = -1;
	if (oc_state_root_open(rt->root, &rootfd, err) < 0)
		return -1;
	if (oc_state_create_dir(rootfd, ctx->id, &ctx->state_dirfd, err) < 0)
		return -1;
	dir_made = true;
	st = state_from_ctx(ctx);
	note_saved_hooks(ctx->spec, st);
	ctx->state = st;
	if (oc_state_write(ctx->state_dirfd, st, err) < 0)
		goto fail;
	/* 0622: init may run as any user when it opens the fifo to wait. */
	if (mkfifoat(ctx->state_dirfd, OC_STATE_EXEC_FIFO, 0622) < 0 ||
	    fchmodat(ctx->state_dirfd, OC_STATE_EXEC_FIFO, 0622, 0) < 0) {
		oc_error_sys(err, "create exec fifo");
		goto fail;
	}
	if (setup_cgroup(ctx, st, err) < 0 || oc_idmap_prepare(ctx, err) < 0)
		goto fail;
	if (spawn_init(ctx, &pid, err) < 0)
		goto fail;
	if (parent_sync(ctx, &pid, out, err) < 0)
		goto fail;
	close(ctx->sync_fd);
	ctx->sync_fd = -1;
	st->pid = pid;
	if (oc_proc_start_time(pid, &st->pid_start, err) < 0)
		goto fail;
	st->status_saved = OC_STATUS_CREATED;
	record_degraded(ctx, st);
	if (oc_state_write(ctx->state_dirfd, st, err) < 0)
		goto fail;
	if (o->pid_file != NULL && oc_write_pid_file(o->pid_file, pid, err) < 0)
		goto fail;
	out->pid = pid;
	ctx->state = NULL;
	return 0;
fail:
	ctx->state = NULL;
	if (out->pty_master >= 0)
		close(out->pty_master);
	out->pty_master = -1;
	oc_kill_and_reap(pid);
	if (ctx->cgroup != NULL) {
		oc_error_t e2 = OC_ERROR_INIT;
		if (oc_cgroup_signal_all(ctx->cgroup, SIGKILL, &e2) < 0 || oc_cgroup_destroy(ctx->cgroup, &e2) < 0)
			oc_warn("%s", e2.msg);
		oc_error_clear(&e2);
	}
	if (dir_made) {
		oc_error_t e2 = OC_ERROR_INIT;
		if (oc_state_remove_dir(rootfd, ctx->id, &e2) < 0)
			oc_warn("%s", e2.msg);
		oc_error_clear(&e2);
	}
	return -1;
}

/* create, and the first half of run.  Signals stay blocked (the caller
 * restores *old): blocked across clone() so that none runs our handlers in
 * the child (init restores a clean mask before execve), and a foreground
 * run reads them from a signalfd. */
static int create_blocked(struct oc_ctx *ctx, const struct oc_runtime *rt, const struct oc_create_opts *o,
			  struct created *c, sigset_t *old, oc_error_t *err)
{
	sigset_t all;

	oc_runtime_harden();
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, old);
	if (ctx_load(ctx, rt, o, err) < 0)
		return -1;
	return do_create(ctx, c, err);
}

int oc_engine_create(const struct oc_runtime *rt, const struct oc_create_opts *o, oc_error_t *err)
{
	struct oc_ctx ctx = {0};
	struct created c;
	sigset_t old;
	int ret;

	ret = create_blocked(&ctx, rt, o, &c, &old, err);
	sigprocmask(SIG_SETMASK, &old, NULL);
	oc_ctx_release(&ctx);
	return ret;
}

/* ---- start ------------------------------------------------------------------ */

static const char *status_verb_error(enum oc_status s)
{
	switch (s) {
	case OC_STATUS_STOPPED:
		return "cannot start a container that has stopped";
	case OC_STATUS_RUNNING:
		return "cannot start an already running container";
	case OC_STATUS_PAUSED:
		return "cannot start a paused container";
	default:
		return "cannot start a container that is being created";
	}
}

/* Open exec.fifo for reading without blocking, then wait for init's byte
 * or for init to die: a plain blocking open would hang forever on a dead
 * init. */
static int release_init(int dirfd, pid_t pid, unsigned long long start, oc_error_t *err)
{
	cleanup_close int fifo = -1, pidfd = -1;
	struct pollfd p[2];
	char c;
	ssize_t r;

	if (oc_pidfd_open_checked(pid, start, &pidfd, err) < 0)
		return -1;
	fifo = openat(dirfd, OC_STATE_EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fifo < 0)
		return oc_error_sys(err, "open exec fifo");
	p[0] = (struct pollfd){.fd = fifo, .events = POLLIN};
	p[1] = (struct pollfd){.fd = pidfd, .events = POLLIN};
	for (;;) {
		int n = poll(p, 2, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return oc_error_sys(err, "poll exec fifo");
		if (p[0].revents & POLLIN)
			break;
		if (p[1].revents & POLLIN)
			return oc_error_set(err, 0, "container init exited before start");
		if (p[0].revents & POLLHUP)
			return oc_error_set(err, 0, "container init closed the exec fifo");
	}
	r = read(fifo, &c, 1);
	if (r != 1)
		return oc_error_set(err, r < 0 ? errno : 0, "read exec fifo");
	if (unlinkat(dirfd, OC_STATE_EXEC_FIFO, 0) < 0 && errno != ENOENT)
		return oc_error_sys(err, "remove exec fifo");
	/* init holds its end until execve: the end of file says the
	 * startContainer hooks are done and the program is running, so the
	 * poststart hooks that follow `start` come after both. */
	p[0] = (struct pollfd){.fd = fifo, .events = POLLIN};
	for (;;) {
		int n = poll(p, 1, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return oc_error_sys(err, "poll exec fifo");
		r = read(fifo, &c, 1);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			break;
	}
	return 0;
}

int oc_container_open(const struct oc_runtime *rt, const char *id, int *dirfd, int *lockfd,
			  struct oc_state **st, oc_error_t *err)
{
	cleanup_close int rootfd = -1, dfd = -1, lfd = -1;
	cleanup_state struct oc_state *s = NULL;

	if (oc_state_id_validate(id, err) < 0)
		return -1;
	rootfd = open(rt->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		if (errno == ENOENT) {
			oc_error_set(err, 0, "container does not exist");
			err->code = ENOENT;
			return -1;
		}
		return oc_error_sys(err, "open state root `%s`", rt->root);
	}
	if (oc_state_open_dir(rootfd, id, &dfd, err) < 0)
		return -1;
	if (lockfd != NULL && oc_state_lock(dfd, true, &lfd, err) < 0)
		return -1;
	if (oc_state_read(dfd, &s, err) < 0)
		return -1;
	*dirfd = steal_fd(&dfd);
	if (lockfd != NULL)
		*lockfd = steal_fd(&lfd);
	*st = steal_pointer(&s);
	return 0;
}

int oc_engine_start(const struct oc_runtime *rt, const char *id, oc_error_t *err)
{
	cleanup_close int dirfd = -1, lockfd = -1;
	cleanup_state struct oc_state *st = NULL;
	enum oc_status s;

	if (oc_container_open(rt, id, &dirfd, &lockfd, &st, err) < 0)
		return -1;
	s = oc_state_status(dirfd, st);
	if (s != OC_STATUS_CREATED)
		return oc_error_set(err, 0, "%s", status_verb_error(s));
	/* Nothing to write: with exec.fifo gone the status reads "running"
	 * (oc_state_status), one state.json rename less on every start. */
	if (release_init(dirfd, st->pid, st->pid_start, err) < 0)
		return -1;
	run_saved_hooks(st, OC_HOOK_POSTSTART, OC_STATUS_RUNNING);
	return 0;
}

/* ---- state, list --------------------------------------------------------------- */

int oc_engine_state(const struct oc_runtime *rt, const char *id, char **json, oc_error_t *err)
{
	cleanup_close int dirfd = -1;
	cleanup_state struct oc_state *st = NULL;

	if (oc_container_open(rt, id, &dirfd, NULL, &st, err) < 0)
		return -1;
	*json = oc_state_to_oci_json(st, oc_state_status(dirfd, st), true);
	return 0;
}

int oc_engine_list(const struct oc_runtime *rt, struct oc_list_entry **out, size_t *n_out, oc_error_t *err)
{
	cleanup_close int rootfd = open(rt->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_strv char **ids = NULL;
	size_t n = 0, k = 0;
	struct oc_list_entry *l;

	if (rootfd < 0) {
		if (errno != ENOENT)
			return oc_error_sys(err, "open state root `%s`", rt->root);
		*out = NULL;
		*n_out = 0;
		return 0;
	}
	if (oc_state_list(rootfd, &ids, &n, err) < 0)
		return -1;
	l = oc_xcalloc(n ? n : 1, sizeof *l);
	for (size_t i = 0; i < n; i++) {
		cleanup_close int dirfd = -1;
		cleanup_state struct oc_state *st = NULL;
		oc_error_t e2 = OC_ERROR_INIT;
		enum oc_status s;

		/* A container deleted while we list is simply not listed. */
		if (oc_state_open_dir(rootfd, ids[i], &dirfd, &e2) < 0 || oc_state_read(dirfd, &st, &e2) < 0) {
			oc_error_clear(&e2);
			continue;
		}
		s = oc_state_status(dirfd, st);
		l[k].id = oc_xstrdup(st->id);
		l[k].pid = s == OC_STATUS_STOPPED ? 0 : st->pid;
		l[k].status = oc_xstrdup(oc_status_name(s));
		l[k].bundle = oc_xstrdup(st->bundle);
		l[k].created = oc_xstrdup(st->created);
		l[k].owner = oc_state_dir_owner(dirfd);
		l[k].json = oc_state_to_oci_json(st, s, false);
		k++;
	}
	*out = l;
	*n_out = k;
	return 0;
}

void oc_engine_list_free(struct oc_list_entry *l, size_t n)
{
	for (size_t i = 0; l != NULL && i < n; i++) {
		free(l[i].id);
		free(l[i].status);
		free(l[i].bundle);
		free(l[i].created);
		free(l[i].owner);
		free(l[i].json);
	}
	free(l);
}

/* ---- kill ---------------------------------------------------------------------- */

static bool same_pid_ns(pid_t a, pid_t b)
{
	char pa[64], pb[64], la[64] = "", lb[64] = "";

	snprintf(pa, sizeof pa, "/proc/%d/ns/pid", a);
	snprintf(pb, sizeof pb, "/proc/%d/ns/pid", b);
	if (readlink(pa, la, sizeof la - 1) < 0 || readlink(pb, lb, sizeof lb - 1) < 0)
		return false;
	return strcmp(la, lb) == 0;
}

/* Without a cgroup, "all processes of the container" are those of its pid
 * namespace, when it has one of its own. */
static int kill_all_in_pidns(pid_t init, int sig, oc_error_t *err)
{
	cleanup_dir DIR *d = opendir("/proc");
	struct dirent *e;

	if (same_pid_ns(init, getpid()))
		return 0; /* shares the host's: only init is known to be ours */
	if (d == NULL)
		return oc_error_sys(err, "open `/proc`");
	while ((e = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end != '\0' || pid <= 0 || pid == init)
			continue;
		if (same_pid_ns((pid_t) pid, init))
			kill((pid_t) pid, sig);
	}
	return 0;
}

/* A v1-frozen task does not act on SIGKILL until thawed (v2 lets fatal
 * signals through, the thaw is harmless there): without this, killing or
 * force-deleting a paused container waits for ever, and runc thaws too. */
static int thaw_after_kill(const struct oc_state *st)
{
	cleanup_cgroup struct oc_cgroup *cg = NULL;
	oc_error_t e = OC_ERROR_INIT;

	if (oc_container_cgroup(st, &cg, &e) == 0 && cg != NULL)
		oc_cgroup_freeze(cg, false, &e);
	oc_error_clear(&e);
	return 0;
}

int oc_engine_kill(const struct oc_runtime *rt, const char *id, int sig, bool all, oc_error_t *err)
{
	cleanup_close int dirfd = -1, lockfd = -1, pidfd = -1;
	cleanup_state struct oc_state *st = NULL;
	enum oc_status s;

	if (oc_container_open(rt, id, &dirfd, &lockfd, &st, err) < 0)
		return -1;
	s = oc_state_status(dirfd, st);
	if (s != OC_STATUS_CREATED && s != OC_STATUS_RUNNING && s != OC_STATUS_PAUSED)
		return oc_error_set(err, 0, "container not running");
	if (oc_pidfd_open_checked(st->pid, st->pid_start, &pidfd, err) < 0)
		return -1;
	if (all) {
		cleanup_cgroup struct oc_cgroup *cg = NULL;

		if (oc_container_cgroup(st, &cg, err) < 0)
			return -1;
		if (cg != NULL) {
			if (oc_cgroup_signal_all(cg, sig, err) < 0)
				return -1;
			return sig == SIGKILL && s == OC_STATUS_PAUSED ? thaw_after_kill(st) : 0;
		}
		if (kill_all_in_pidns(st->pid, sig, err) < 0)
			return -1;
	}
	if (pidfd_signal(pidfd, sig, err) < 0)
		return -1;
	return sig == SIGKILL && s == OC_STATUS_PAUSED ? thaw_after_kill(st) : 0;
}

/* ---- delete -------------------------------------------------------------------- */

static int destroy(int rootfd, const char *id, struct oc_state *st, bool kill_first, oc_error_t *err)
{
	if (kill_first && st->pid > 0) {
		cleanup_close int pidfd = -1;
		oc_error_t e2 = OC_ERROR_INIT;

		if (oc_pidfd_open_checked(st->pid, st->pid_start, &pidfd, &e2) == 0) {
			if (pidfd_signal(pidfd, SIGKILL, err) < 0)
				return -1;
			thaw_after_kill(st);
			if (pidfd_wait_exit(pidfd, 10000, err) < 0)
				return -1;
		}
		oc_error_clear(&e2);
	}
	{
		/* whatever else still runs in the container's cgroup (exec'd
		 * processes when there is no pid namespace) goes too */
		cleanup_cgroup struct oc_cgroup *cg = NULL;

		if (oc_container_cgroup(st, &cg, err) < 0)
			return -1;
		if (cg != NULL && (oc_cgroup_signal_all(cg, SIGKILL, err) < 0 || oc_cgroup_destroy(cg, err) < 0))
			return -1;
	}
	if (oc_state_remove_dir(rootfd, id, err) < 0)
		return -1;
	run_saved_hooks(st, OC_HOOK_POSTSTOP, OC_STATUS_STOPPED);
	return 0;
}

int oc_engine_delete(const struct oc_runtime *rt, const char *id, bool force, oc_error_t *err)
{
	cleanup_close int rootfd = -1, dirfd = -1, lockfd = -1;
	cleanup_state struct oc_state *st = NULL;
	enum oc_status s;

	if (oc_state_id_validate(id, err) < 0)
		return -1;
	rootfd = open(rt->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (oc_container_open(rt, id, &dirfd, &lockfd, &st, err) < 0) {
		/* Like runc: a directory without state.json (an aborted create)
		 * is removed, and with --force a missing container is fine. */
		if (err->code == ENOENT) {
			oc_error_t e2 = OC_ERROR_INIT;
			if (rootfd >= 0)
				oc_state_remove_dir(rootfd, id, &e2);
			oc_error_clear(&e2);
			if (force) {
				oc_error_clear(err);
				return 0;
			}
		}
		return -1;
	}
	s = oc_state_status(dirfd, st);
	switch (s) {
	case OC_STATUS_STOPPED:
		return destroy(rootfd, id, st, false, err);
	case OC_STATUS_CREATED:
		return destroy(rootfd, id, st, true, err);
	case OC_STATUS_CREATING:
		if (!force)
			return oc_error_set(err, 0, "cannot delete container %s that is being created", id);
		return destroy(rootfd, id, st, true, err);
	default:
		if (!force)
			return oc_error_set(err, 0, "cannot delete container %s that is not stopped: %s", id,
					    oc_status_name(s));
		return destroy(rootfd, id, st, true, err);
	}
}

/* ---- run ------------------------------------------------------------------------ */

static struct termios saved_tio;
static bool tio_saved;

static void tty_raw(void)
{
	struct termios t;

	if (!isatty(0) || tcgetattr(0, &saved_tio) < 0)
		return;
	tio_saved = true;
	t = saved_tio;
	/* The container's pty already turns \n into \r\n: our side is raw. */
	cfmakeraw(&t);
	tcsetattr(0, TCSANOW, &t);
}

static void tty_restore(void)
{
	if (tio_saved)
		tcsetattr(0, TCSANOW, &saved_tio);
	tio_saved = false;
}

static void copy_once(int from, int to, bool *eof)
{
	char buf[8192];
	ssize_t r = read(from, buf, sizeof buf);

	if (r <= 0) {
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		*eof = true;
		return;
	}
	for (ssize_t off = 0; off < r;) {
		ssize_t w = write(to, buf + off, (size_t) (r - off));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		off += w;
	}
}

static void resize_from_stdin(int master)
{
	struct winsize ws;

	if (master >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

int oc_wait_foreground(pid_t pid, int master, int *exit_status, oc_error_t *err)
{
	sigset_t all;
	cleanup_close int sfd = -1;
	bool in_eof = master < 0, master_eof = master < 0;
	int status = 0;

	sigfillset(&all);
	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (sfd < 0)
		return oc_error_sys(err, "signalfd");
	if (master >= 0) {
		tty_raw();
		resize_from_stdin(master);
	}
	for (;;) {
		struct pollfd p[3] = {
			{.fd = sfd, .events = POLLIN},
			{.fd = master_eof ? -1 : master, .events = POLLIN},
			{.fd = in_eof ? -1 : 0, .events = POLLIN},
		};
		int n = poll(p, 3, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			tty_restore();
			return oc_error_sys(err, "poll");
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
			copy_once(master, 1, &master_eof);
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
			copy_once(0, master, &in_eof);
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) != sizeof si)
				continue;
			if (si.ssi_signo == SIGWINCH) {
				resize_from_stdin(master);
			} else if (si.ssi_signo == SIGCHLD) {
				pid_t r;
				while ((r = waitpid(-1, &status, WNOHANG)) > 0) {
					if (r != pid)
						continue;
					/* drain what init wrote before it exited */
					while (!master_eof) {
						struct pollfd q = {.fd = master, .events = POLLIN};
						if (poll(&q, 1, 50) <= 0)
							break;
						copy_once(master, 1, &master_eof);
					}
					tty_restore();
					*exit_status = WIFEXITED(status) ? WEXITSTATUS(status)
									 : 128 + WTERMSIG(status);
					return 0;
				}
			} else {
				kill(pid, (int) si.ssi_signo);
			}
		}
	}
}

int oc_engine_run(const struct oc_runtime *rt, const struct oc_create_opts *o, int *exit_status, oc_error_t *err)
{
	struct oc_ctx ctx = {0};
	struct created c = {.pid = -1, .pty_master = -1};
	sigset_t old;
	int ret;

	*exit_status = 0;
	ret = create_blocked(&ctx, rt, o, &c, &old, err);
	if (ret == 0 && (ret = oc_engine_start(rt, o->id, err)) < 0) {
		oc_error_t e2 = OC_ERROR_INIT;
		oc_engine_delete(rt, o->id, true, &e2);
		oc_error_clear(&e2);
	}
	if (ret == 0 && !o->detach) {
		ret = oc_wait_foreground(c.pid, c.pty_master, exit_status, err);
		if (!o->keep) {
			oc_error_t e2 = OC_ERROR_INIT;
			if (oc_engine_delete(rt, o->id, true, &e2) < 0)
				oc_warn("%s", e2.msg);
			oc_error_clear(&e2);
		}
	}
	if (c.pty_master >= 0)
		close(c.pty_master);
	sigprocmask(SIG_SETMASK, &old, NULL);
	oc_ctx_release(&ctx);
	return ret;
}

/* ---- signals -------------------------------------------------------------------- */

int oc_signal_parse(const char *s)
{
	char *end;
	long n;

	if (s == NULL || *s == '\0')
		return -1;
	n = strtol(s, &end, 10);
	if (*end == '\0')
		return n > 0 && n < NSIG ? (int) n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *abbr = sigabbrev_np(i);
		if (abbr != NULL && strcasecmp(abbr, s) == 0)
			return i;
	}
	if (strncasecmp(s, "RTMIN+", 6) == 0 || strncasecmp(s, "RTMAX-", 6) == 0) {
		long k = strtol(s + 6, &end, 10);
		int v = toupper((unsigned char) s[4]) == 'I' ? SIGRTMIN + (int) k : SIGRTMAX - (int) k;
		if (*end == '\0' && v >= SIGRTMIN && v <= SIGRTMAX)
			return v;
	}
	return -1;
}

/* ---- spec ------------------------------------------------------------------------ */

int oc_engine_write_spec(const char *bundle, bool rootless, oc_error_t *err)
{
	cleanup_free char *json = oc_spec_default_json(rootless);
	cleanup_free char *path = bundle ? oc_xasprintf("%s/config.json", bundle) : oc_xstrdup("config.json");
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	size_t len = strlen(json);

	if (fd < 0) {
		if (errno == EEXIST)
			return oc_error_set(err, EEXIST, "File %s exists. Remove it first", path);
		return oc_error_sys(err, "open `%s`", path);
	}
	if (write(fd, json, len) != (ssize_t) len)
		return oc_error_sys(err, "write `%s`", path);
	return 0;
}
