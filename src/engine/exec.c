/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `exec`: a new process in a running container. It is forked from the
 * runtime (so it is the caller's child, as conmon and the shim expect),
 * joins the pid namespace through pid_for_children and every other
 * namespace of init with one setns() on init's pidfd, then goes through the
 * same process stages as init. Its end of the sync socket is close-on-exec:
 * EOF after a successful execve is the parent's "started". */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "engine-int.h"
#include "ocichroot/cgroup.h"
#include "ocichroot/common.h"
#include "ocichroot/fs.h"
#include "ocichroot/json.h"
#include "ocichroot/log.h"
#include "ocichroot/lsm.h"
#include "ocichroot/procattr.h"
#include "ocichroot/seccomp.h"
#include "ocichroot/state.h"
#include "ocichroot/terminal.h"

static const char *const ns_proc_name[OC_NS__MAX] = {
	[OC_NS_PID] = "pid",   [OC_NS_NETWORK] = "net", [OC_NS_IPC] = "ipc",	   [OC_NS_UTS] = "uts",
	[OC_NS_MOUNT] = "mnt", [OC_NS_USER] = "user",	[OC_NS_CGROUP] = "cgroup", [OC_NS_TIME] = "time",
};

/* Namespaces where init differs from us: those are the container's. */
static int container_ns_flags(pid_t pid, int *flags, oc_error_t *err)
{
	*flags = 0;
	for (int i = 0; i < OC_NS__MAX; i++) {
		char a[64], b[64];
		struct stat sa, sb;

		snprintf(a, sizeof a, "/proc/%d/ns/%s", pid, ns_proc_name[i]);
		snprintf(b, sizeof b, "/proc/self/ns/%s", ns_proc_name[i]);
		if (stat(a, &sa) < 0) {
			if (errno == ENOENT)
				continue; /* a kernel without this namespace type */
			return oc_error_sys(err, "stat `%s`", a);
		}
		if (stat(b, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev)
			continue;
		*flags |= oc_ns_clone_flag(i);
	}
	return 0;
}

static void strv_append(char ***v, size_t *n, const char *s)
{
	*v = oc_xrealloc(*v, (*n + 2) * sizeof(char *));
	(*v)[(*n)++] = oc_xstrdup(s);
	(*v)[*n] = NULL;
}

static int parse_id(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v > UINT32_MAX)
		return -1;
	*out = (uint32_t) v;
	return 0;
}

/* The process to run: --process, or the container's own with the CLI's
 * changes, as runc builds it. */
static int build_process(const struct oc_exec_opts *o, struct oc_spec *spec, oc_error_t *err)
{
	struct oc_spec_process *p;

	if (o->process_file != NULL) {
		cleanup_free char *buf = NULL;
		size_t len = 0;
		struct oc_spec_process *np = NULL;

		if (oc_json_read_file(o->process_file, OC_SPEC_MAX_SIZE, &buf, &len, err) < 0)
			return -1;
		if (oc_spec_parse_process(buf, len, o->process_file, &np, err) < 0)
			return -1;
		oc_spec_process_free(spec->process);
		spec->process = np;
		return 0;
	}
	p = spec->process;
	if (o->n_args == 0)
		return oc_error_set(err, 0, "exec: no command given (args cannot be empty)");
	oc_strvfree(p->args);
	p->args = NULL;
	p->n_args = 0;
	for (int i = 0; i < o->n_args; i++)
		strv_append(&p->args, &p->n_args, o->args[i]);
	p->terminal = o->tty;
	for (int i = 0; i < o->n_env; i++)
		strv_append(&p->env, &p->n_env, o->env[i]);
	if (o->cwd != NULL) {
		free(p->cwd);
		p->cwd = oc_xstrdup(o->cwd);
	}
	if (o->user != NULL || o->n_additional_gids > 0) {
		if (p->user == NULL)
			p->user = oc_xcalloc(1, sizeof *p->user);
	}
	if (o->user != NULL) {
		cleanup_free char *u = oc_xstrdup(o->user);
		char *colon = strchr(u, ':');

		if (colon != NULL)
			*colon = '\0';
		if (parse_id(u, &p->user->uid) < 0 || (colon != NULL && parse_id(colon + 1, &p->user->gid) < 0))
			return oc_error_set(err, 0, "--user: invalid UID[:GID] \"%s\"", o->user);
		if (colon == NULL)
			p->user->gid = 0;
	}
	for (int i = 0; i < o->n_additional_gids; i++) {
		uint32_t g;
		if (parse_id(o->additional_gids[i], &g) < 0)
			return oc_error_set(err, 0, "--additional-gids: invalid gid \"%s\"", o->additional_gids[i]);
		p->user->additional_gids =
			oc_xrealloc(p->user->additional_gids, (p->user->n_additional_gids + 1) * sizeof(uint32_t));
		p->user->additional_gids[p->user->n_additional_gids++] = g;
	}
	if (o->n_caps > 0 && p->capabilities == NULL)
		p->capabilities = oc_xcalloc(1, sizeof *p->capabilities);
	for (int i = 0; i < o->n_caps; i++) {
		struct oc_spec_capabilities *c = p->capabilities;
		cap_value_t v;

		if (cap_from_name(o->caps[i], &v) < 0)
			return oc_error_set(err, 0, "--cap: unknown capability \"%s\"", o->caps[i]);
		/* CVE-2022-29162: never into the inheritable set. */
		strv_append(&c->bounding, &c->n_bounding, o->caps[i]);
		strv_append(&c->effective, &c->n_effective, o->caps[i]);
		strv_append(&c->permitted, &c->n_permitted, o->caps[i]);
		strv_append(&c->ambient, &c->n_ambient, o->caps[i]);
	}
	if (o->no_new_privs)
		p->no_new_privileges = true;
	if (o->apparmor != NULL) {
		free(p->apparmor_profile);
		p->apparmor_profile = oc_xstrdup(o->apparmor);
	}
	if (o->process_label != NULL) {
		free(p->selinux_label);
		p->selinux_label = oc_xstrdup(o->process_label);
	}
	return 0;
}

struct exec_child {
	struct oc_ctx *ctx;
	int pidfd;
	int ns_flags;
	/* the runtime could not join the pid namespace for the fork (no
	 * CAP_SYS_ADMIN where it runs): the child joins it after the user
	 * namespace and forks once more */
	bool late_pidns;
};

static int child_setup(struct exec_child *c, char **exe, oc_error_t *err)
{
	struct oc_ctx *ctx = c->ctx;
	const struct oc_spec_process *p = ctx->spec->process;
	int min = 3 + (ctx->opts->preserve_fds > 0 ? ctx->opts->preserve_fds : 0);

	/* CVE-2016-9962: not dumpable while runtime code runs inside the
	 * container's namespaces; execve resets it. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return oc_error_sys(err, "prctl(PR_SET_DUMPABLE)");
	int *fds[] = {&ctx->sync_fd, &ctx->procfd, &ctx->stubfd};

	for (size_t k = 0; k < OC_ARRAY_SIZE(fds); k++) {
		int *fd = fds[k];
		int nfd;

		if (*fd < 0 || *fd >= min)
			continue;
		nfd = fcntl(*fd, F_DUPFD_CLOEXEC, min);
		if (nfd < 0)
			return oc_error_sys(err, "dup internal descriptor");
		close(*fd);
		*fd = nfd;
	}
	/* Wait until the runtime has put us in the container's cgroup. */
	if (oc_sync_expect(ctx->sync_fd, OC_SYNC_GO, err) < 0)
		return -1;
	/* One call, all of them: the kernel joins the user namespace first.
	 * The mount namespace brings init's root and cwd with it. */
	if (c->ns_flags & ~(CLONE_NEWPID | CLONE_NEWTIME)) {
		if (setns(c->pidfd, c->ns_flags & ~(CLONE_NEWPID | CLONE_NEWTIME)) < 0)
			return oc_error_sys(err, "join the container's namespaces");
	}
	if (c->late_pidns) {
		/* inside the container's user namespace we hold the privilege
		 * over its pid namespace; the fork lands in it, as a sibling
		 * (CLONE_PARENT) that the runtime waits for */
		char text[32];
		pid_t pid;

		if (setns(c->pidfd, c->ns_flags & (CLONE_NEWPID | CLONE_NEWTIME)) < 0)
			return oc_error_sys(err, "join the container's pid namespace");
		pid = (pid_t) syscall(SYS_clone, (unsigned long) CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0);
		if (pid < 0)
			return oc_error_sys(err, "fork into the container's pid namespace");
		if (pid > 0) {
			snprintf(text, sizeof text, "%d", pid);
			if (oc_sync_send(ctx->sync_fd, OC_SYNC_PID, 0, text, -1, err) < 0)
				return -1;
			_exit(0);
		}
	}
	close(c->pidfd);
	if ((c->ns_flags & CLONE_NEWUSER) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) && errno != EINVAL)
		return oc_error_sys(err, "become root in the container's user namespace");
	if (chdir("/") < 0)
		return oc_error_sys(err, "chdir /");
	if (p->terminal) {
		cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), devpts = -1, master = -1,
				  slave = -1;

		if (root < 0)
			return oc_error_sys(err, "open `/`");
		if (oc_fs_open_in_root(root, "/dev/pts", O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &devpts, err) < 0 ||
		    oc_term_open_pty_at(devpts, &master, err) < 0 || oc_term_open_peer(master, &slave, err) < 0)
			return oc_error_prefix(err, "open a pty in the container");
		if (p->console_size != NULL &&
		    oc_term_set_size(slave, p->console_size->height, p->console_size->width, err) < 0)
			return -1;
		if (oc_sync_send(ctx->sync_fd, OC_SYNC_PTY, 0, NULL, master, err) < 0)
			return -1;
		if (oc_term_setup_slave(slave, err) < 0)
			return -1;
	}
	if (oc_process_setup_pre_exec(ctx, err) < 0 || oc_process_lookup(p, exe, err) < 0)
		return -1;
	return oc_process_load_seccomp_late(ctx, err);
}

static OC_NORETURN void child_main(struct exec_child *c)
{
	oc_error_t err = OC_ERROR_INIT;
	char *exe = NULL;

	if (child_setup(c, &exe, &err) < 0) {
		oc_sync_send(c->ctx->sync_fd, OC_SYNC_ERROR, err.code, err.msg ? err.msg : "unknown error", -1, NULL);
		_exit(1);
	}
	oc_process_exec(c->ctx->spec->process, exe, c->ctx->opts->preserve_fds, c->ctx->stubfd);
}

/* The container's cgroups, or with --cgroup [CTRL:]PATH a sub-cgroup of
 * them (for the controller CTRL only, when given). */
static int join_cgroup(const struct oc_state *st, const char *sub, pid_t pid, oc_error_t *err)
{
	cleanup_free char *ctrl = NULL;
	const char *rel = sub;
	char **paths;
	int ret;

	if (st->n_cgroup_paths == 0)
		return 0;
	if (sub == NULL)
		return oc_cgroup_enter_paths(st->cgroup_paths, st->n_cgroup_paths, pid, err);
	if (strchr(sub, ':') != NULL) {
		ctrl = oc_xstrndup(sub, (size_t) (strchr(sub, ':') - sub));
		rel = strchr(sub, ':') + 1;
	}
	if (strstr(rel, "..") != NULL)
		return oc_error_set(err, 0, "--cgroup: `%s` must stay below the container's cgroup", sub);
	paths = oc_xcalloc(st->n_cgroup_paths + 1, sizeof(char *));
	for (size_t i = 0; i < st->n_cgroup_paths; i++) {
		const char *p = st->cgroup_paths[i];
		const char *dir = strstr(p, ":/");
		size_t klen = (size_t) (strchr(p, ':') - p);
		bool match = ctrl == NULL || (strlen(ctrl) == klen && strncmp(ctrl, p, klen) == 0);

		paths[i] = match && dir != NULL ? oc_xasprintf("%s/%s", p, rel) : oc_xstrdup(p);
	}
	ret = oc_cgroup_enter_paths(paths, st->n_cgroup_paths, pid, err);
	oc_strvfree(paths);
	return ret;
}

static int check_status(const struct oc_exec_opts *o, int dirfd, const struct oc_state *st, oc_error_t *err)
{
	switch (oc_state_status(dirfd, st)) {
	case OC_STATUS_RUNNING:
	case OC_STATUS_CREATED:
		return 0;
	case OC_STATUS_PAUSED:
		if (o->ignore_paused)
			return 0;
		return oc_error_set(err, 0, "cannot exec in a paused container (use --ignore-paused to override)");
	case OC_STATUS_STOPPED:
		return oc_error_set(err, 0, "cannot exec in a stopped container");
	default:
		return oc_error_set(err, 0, "cannot exec in a container that is being created");
	}
}

int oc_engine_exec(const struct oc_runtime *rt, const struct oc_exec_opts *o, int *exit_status, oc_error_t *err)
{
	cleanup_close int dirfd = -1, pidfd = -1, own_pid = -1, own_time = -1;
	cleanup_state struct oc_state *st = NULL;
	struct oc_create_opts copts = {.id = o->id, .console_socket = o->console_socket, .no_new_keyring = true,
				       .preserve_fds = o->preserve_fds};
	struct oc_ctx ctx = {.rt = rt, .opts = &copts, .state_dirfd = -1, .sync_fd = -1, .procfd = -1, .stubfd = -1,
			     .is_exec = true};
	struct exec_child child = {.ctx = &ctx};
	cleanup_free char *config = NULL;
	int pty_master = -1, sv[2] = {-1, -1}, ret = -1;
	sigset_t all, old;
	pid_t pid = -1;

	for (int i = 0; i < OC_NS__MAX; i++)
		ctx.ns_fds[i] = -1;
	*exit_status = 0;
	oc_runtime_harden();
	if (oc_container_open(rt, o->id, &dirfd, NULL, &st, err) < 0)
		return -1;
	if (check_status(o, dirfd, st, err) < 0)
		return -1;
	config = oc_xasprintf("%s/config.json", st->bundle);
	if (oc_spec_load(config, &ctx.spec, err) < 0)
		return -1;
	if (ctx.spec->process == NULL)
		ctx.spec->process = oc_xcalloc(1, sizeof *ctx.spec->process);
	if (build_process(o, ctx.spec, err) < 0)
		goto out;
	if (oc_procattr_validate_process(ctx.spec->process, "process", err) < 0 ||
	    oc_caps_validate(ctx.spec->process->capabilities, err) < 0 ||
	    oc_lsm_check(ctx.spec->process, NULL, err) < 0 ||
	    oc_seccomp_prepare(ctx.spec->linux ? ctx.spec->linux->seccomp : NULL, &ctx.seccomp, err) < 0)
		goto out;
	ctx.state = st;
	if (oc_execstub_open(&ctx.stubfd, err) < 0)
		goto out;
	ctx.procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ctx.procfd < 0 || oc_fs_proc_fd_check(ctx.procfd, err) < 0) {
		if (ctx.procfd < 0)
			oc_error_sys(err, "open `/proc`");
		goto out;
	}
	if (ctx.spec->process->terminal && o->console_socket == NULL && o->detach) {
		ret = oc_error_set(err, 0, "cannot allocate tty if ocichroot will detach without setting console socket");
		goto out;
	}
	if (!ctx.spec->process->terminal && o->console_socket != NULL) {
		ret = oc_error_set(err, 0, "cannot use console socket if ocichroot will not allocate tty");
		goto out;
	}
	if (oc_pidfd_open_checked(st->pid, st->pid_start, &pidfd, err) < 0 ||
	    container_ns_flags(st->pid, &child.ns_flags, err) < 0)
		goto out;
	child.pidfd = pidfd;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = oc_error_sys(err, "socketpair");
		goto out;
	}
	/* pid and time namespaces apply to children: enter them for the fork
	 * and come back right after. */
	if (child.ns_flags & (CLONE_NEWPID | CLONE_NEWTIME)) {
		own_pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		own_time = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
		if (setns(pidfd, child.ns_flags & (CLONE_NEWPID | CLONE_NEWTIME)) < 0) {
			if (errno != EPERM || !(child.ns_flags & CLONE_NEWUSER)) {
				ret = oc_error_sys(err, "join the container's pid namespace");
				goto out;
			}
			child.late_pidns = true;
			close(own_pid);
			close(own_time);
			own_pid = own_time = -1;
		}
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		ctx.sync_fd = sv[1];
		ctx.in_init = true;
		child_main(&child);
	}
	if (own_pid >= 0 && (child.ns_flags & CLONE_NEWPID))
		setns(own_pid, CLONE_NEWPID);
	if (own_time >= 0 && (child.ns_flags & CLONE_NEWTIME))
		setns(own_time, CLONE_NEWTIME);
	close(sv[1]);
	ctx.sync_fd = sv[0];
	if (pid < 0) {
		ret = oc_error_sys(err, "fork");
		goto out_mask;
	}
	if (join_cgroup(st, o->cgroup, pid, err) < 0 || oc_sync_send(ctx.sync_fd, OC_SYNC_GO, 0, NULL, -1, err) < 0 ||
	    oc_sync_parent_loop(&ctx, &pid, &pty_master, true, err) < 0) {
		oc_kill_and_reap(pid);
		goto out_mask;
	}
	if (o->pid_file != NULL && oc_write_pid_file(o->pid_file, pid, err) < 0) {
		oc_kill_and_reap(pid);
		goto out_mask;
	}
	ret = o->detach ? 0 : oc_wait_foreground(pid, pty_master, exit_status, err);
out_mask:
	if (pty_master >= 0)
		close(pty_master);
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	ctx.state = NULL;
	oc_ctx_release(&ctx);
	return ret;
}
