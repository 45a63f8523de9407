/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container process's own settings, applied by init after the root
 * switch: rlimits, oom_score_adj, umask, groups, ids, capabilities,
 * no_new_privs, cwd, and the lookup of the program to run. */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/syscall.h>
#include <linux/close_range.h>
#include <linux/keyctl.h>

#include "engine-int.h"
#include "ocichroot/common.h"
#include "ocichroot/fs.h"
#include "ocichroot/log.h"
#include "ocichroot/lsm.h"
#include "ocichroot/procattr.h"
#include "ocichroot/seccomp.h"

static int set_rlimits(const struct oc_spec_process *p, oc_error_t *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct oc_spec_rlimit *r = &p->rlimits[i];
		struct rlimit rl = {.rlim_cur = r->soft, .rlim_max = r->hard};

		if (setrlimit(r->resource, &rl) < 0)
			return oc_error_sys(err, "setrlimit %s (soft %llu, hard %llu)", r->type,
					    (unsigned long long) r->soft, (unsigned long long) r->hard);
	}
	return 0;
}

/* CVE-2019-19921 class: through the /proc we checked before the root
 * switch, not the container's, which the image could have replaced. */
static int set_oom_score_adj(struct oc_ctx *ctx, oc_error_t *err)
{
	const struct oc_spec_process *p = ctx->spec->process;
	cleanup_close int fd = -1;
	char buf[16];
	int len;

	if (!p->has_oom_score_adj)
		return 0;
	fd = openat(ctx->procfd, "self/oom_score_adj", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return oc_error_sys(err, "open `/proc/self/oom_score_adj`");
	len = snprintf(buf, sizeof buf, "%d", p->oom_score_adj);
	if (write(fd, buf, (size_t) len) != len)
		return oc_error_sys(err, "write `/proc/self/oom_score_adj`");
	return 0;
}

int oc_process_setup_user(const struct oc_spec_process *p, oc_error_t *err)
{
	const struct oc_spec_user *u = p->user;
	uid_t uid = u ? u->uid : 0;
	gid_t gid = u ? u->gid : 0;

	if (u != NULL && u->n_additional_gids > 0) {
		if (setgroups(u->n_additional_gids, (const gid_t *) u->additional_gids) < 0)
			return oc_error_sys(err, "setgroups");
	} else if (setgroups(0, NULL) < 0 && errno != EPERM) {
		/* EPERM: a user namespace with setgroups denied */
		return oc_error_sys(err, "setgroups");
	}
	if (setresgid(gid, gid, gid) < 0)
		return oc_error_sys(err, "setresgid %u", gid);
	if (setresuid(uid, uid, uid) < 0)
		return oc_error_sys(err, "setresuid %u", uid);
	return 0;
}

/* A session keyring of the container's own, so it cannot read or link the
 * keys of the runtime's session (runc does the same). */
static int new_keyring(struct oc_ctx *ctx, oc_error_t *err)
{
	cleanup_free char *name = NULL;

	if (ctx->opts->no_new_keyring)
		return 0;
	name = oc_xasprintf("_ses.%s", ctx->id);
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0) {
		/* Kernels or seccomp profiles without keyrings: runc skips too. */
		if (errno == ENOSYS || errno == EPERM || errno == EACCES) {
			oc_debug("no new session keyring: %s", strerror(errno));
			return 0;
		}
		return oc_error_sys(err, "create session keyring");
	}
	return 0;
}

/* seccomp as late as possible: after the uid switch when no_new_privs
 * lets an unprivileged process load it; otherwise while we still hold
 * CAP_SYS_ADMIN, just before the capabilities are dropped.  A filter with
 * a notify listener is loaded before init reports ready, because the
 * runtime that passes the listener fd on is gone after that. */
static bool seccomp_early(const struct oc_ctx *ctx)
{
	return ctx->seccomp != NULL &&
	       (!ctx->spec->process->no_new_privileges || oc_seccomp_has_notify(ctx->seccomp));
}

static int load_seccomp(struct oc_ctx *ctx, oc_error_t *err)
{
	cleanup_close int notify = -1;

	if (oc_seccomp_load(ctx->seccomp, &notify, err) < 0)
		return -1;
	if (notify >= 0 && oc_sync_send(ctx->sync_fd, OC_SYNC_SECCOMP_FD, 0, NULL, notify, err) < 0)
		return -1;
	return 0;
}

int oc_process_load_seccomp_late(struct oc_ctx *ctx, oc_error_t *err)
{
	if (ctx->seccomp == NULL || seccomp_early(ctx))
		return 0;
	return load_seccomp(ctx, err);
}

int oc_process_setup_pre_exec(struct oc_ctx *ctx, oc_error_t *err)
{
	const struct oc_spec_process *p = ctx->spec->process;
	const struct oc_spec_capabilities *c = p->capabilities;

	if (oc_lsm_set_keycreate_label(p, ctx->procfd, err) < 0 || new_keyring(ctx, err) < 0)
		return -1;
	if (set_rlimits(p, err) < 0 || set_oom_score_adj(ctx, err) < 0)
		return -1;
	umask(p->user && p->user->has_umask ? p->user->umask : 022);
	/* Real-time scheduling, negative nice and the RT io class need the
	 * privileges we are about to drop. */
	if ((ctx->is_exec ? oc_procattr_apply_process(p, err) : oc_procattr_apply(ctx->spec, err)) < 0)
		return -1;
	if (oc_lsm_apply_exec_labels(p, ctx->procfd, err) < 0)
		return -1;
	if (oc_caps_prepare(c, err) < 0)
		return -1;
	if (seccomp_early(ctx) && load_seccomp(ctx, err) < 0)
		return -1;
	if (oc_process_setup_user(p, err) < 0 || oc_caps_apply(c, err) < 0)
		return -1;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return oc_error_sys(err, "prctl(PR_SET_NO_NEW_PRIVS)");
	/* After the root switch, so cwd is resolved inside the container
	 * (CVE-2024-21626: never relative to a descriptor of ours). */
	if (p->cwd != NULL) {
		cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), cwd = -1;

		/* resolved inside / and refusing magic links: "/proc/self/fd/N"
		 * would otherwise reach a descriptor of the runtime's */
		if (root < 0 || oc_fs_open_in_root(root, p->cwd, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &cwd, err) < 0)
			return err->msg ? oc_error_prefix(err, "cwd `%s`", p->cwd) : oc_error_sys(err, "open `/`");
		if (fchdir(cwd) < 0)
			return oc_error_sys(err, "chdir to cwd `%s`", p->cwd);
	}
	return 0;
}

static const char *env_get(const struct oc_spec_process *p, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = p->n_env; i-- > 0;)
		if (strncmp(p->env[i], name, n) == 0 && p->env[i][n] == '=')
			return p->env[i] + n + 1;
	return NULL;
}

static int check_exec(const char *path, const char *arg0, char **out, oc_error_t *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return oc_error_sys(err, "exec: \"%s\"", arg0);
	if (S_ISDIR(st.st_mode))
		return oc_error_set(err, EACCES, "exec: \"%s\": is a directory", arg0);
	if (access(path, X_OK) < 0)
		return oc_error_sys(err, "exec: \"%s\"", arg0);
	*out = oc_xstrdup(path);
	return 0;
}

int oc_process_lookup(const struct oc_spec_process *p, char **out, oc_error_t *err)
{
	const char *arg0 = p->args[0];
	const char *path;
	cleanup_free char *copy = NULL;
	bool denied = false;

	if (strchr(arg0, '/') != NULL)
		return check_exec(arg0, arg0, out, err);
	path = env_get(p, "PATH");
	if (path == NULL)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	copy = oc_xstrdup(path);
	for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		cleanup_free char *cand = oc_xasprintf("%s/%s", *dir ? dir : ".", arg0);
		struct stat st;

		if (stat(cand, &st) < 0 || S_ISDIR(st.st_mode))
			continue;
		if (access(cand, X_OK) == 0) {
			*out = steal_pointer(&cand);
			return 0;
		}
		denied = true;
	}
	if (denied)
		return oc_error_set(err, EACCES, "exec: \"%s\"", arg0);
	/* The words podman and containerd match to report 127. */
	return oc_error_set(err, 0, "exec: \"%s\": executable file not found in $PATH", arg0);
}

void oc_process_exec(const struct oc_spec_process *p, const char *exe, int preserve_fds, int stubfd)
{
	int first = 3 + (preserve_fds > 0 ? preserve_fds : 0);
	static char *empty_env[] = {NULL};
	char *const *env = p->n_env ? p->env : empty_env;
	sigset_t none;
	char *msg = NULL;
	int e;

	/* Signals were blocked across clone() so none could run the runtime's
	 * handlers in the child; the user's program starts with a clean mask
	 * and default dispositions. */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Nothing of the runtime crosses execve (CVE-2024-21626). */
	syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC);
	/* CVE-2019-5736: through the sealed stub, so that a "#!/proc/self/exe"
	 * program reaches the stub, never the runtime's binary. */
	oc_execstub_exec(stubfd, exe, p->args, env);
	execve(exe, p->args, env);
	e = errno;
	if (asprintf(&msg, "ocichroot: exec `%s`: %s\n", exe, strerror(e)) > 0) {
		ssize_t r = write(2, msg, strlen(msg));
		(void) r;
	}
	_exit(e == ENOENT ? 127 : 126);
}
