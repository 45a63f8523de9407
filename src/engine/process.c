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
#include "ocichroot/log.h"

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

static int set_oom_score_adj(const struct oc_spec_process *p, oc_error_t *err)
{
	cleanup_close int fd = -1;
	char buf[16];
	int len;

	if (!p->has_oom_score_adj)
		return 0;
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return oc_error_sys(err, "open `/proc/self/oom_score_adj`");
	len = snprintf(buf, sizeof buf, "%d", p->oom_score_adj);
	if (write(fd, buf, (size_t) len) != len)
		return oc_error_sys(err, "write `/proc/self/oom_score_adj`");
	return 0;
}

static cap_value_t cap_value(const char *name)
{
	cap_value_t v;

	if (cap_from_name(name, &v) < 0)
		return -1;
	return v;
}

static bool in_list(char *const *l, size_t n, cap_value_t v)
{
	for (size_t i = 0; i < n; i++)
		if (cap_value(l[i]) == v)
			return true;
	return false;
}

/* Drop from the bounding set everything the spec does not list; done while
 * we still hold CAP_SETPCAP. */
static int drop_bounding(const struct oc_spec_capabilities *c, oc_error_t *err)
{
	cap_value_t last = (cap_value_t) cap_max_bits() - 1;

	for (cap_value_t v = 0; v <= last; v++) {
		if (in_list(c->bounding, c->n_bounding, v))
			continue;
		if (cap_drop_bound(v) < 0 && errno != EINVAL)
			return oc_error_sys(err, "drop %s from the bounding set", cap_to_name(v));
	}
	return 0;
}

static int set_caps(const struct oc_spec_capabilities *c, oc_error_t *err)
{
	cap_t caps = cap_init();
	cap_value_t last = (cap_value_t) cap_max_bits() - 1;
	int ret = 0;

	if (caps == NULL)
		return oc_error_sys(err, "cap_init");
	for (cap_value_t v = 0; v <= last; v++) {
		if (in_list(c->effective, c->n_effective, v))
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
		if (in_list(c->permitted, c->n_permitted, v))
			cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
		if (in_list(c->inheritable, c->n_inheritable, v))
			cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
	}
	if (cap_set_proc(caps) < 0)
		ret = oc_error_sys(err, "set capabilities");
	cap_free(caps);
	if (ret < 0)
		return ret;
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return oc_error_sys(err, "reset ambient capabilities");
	for (size_t i = 0; i < c->n_ambient; i++) {
		cap_value_t v = cap_value(c->ambient[i]);
		if (v < 0 || v > last)
			continue;
		/* Ambient needs the cap in permitted and inheritable; the
		 * kernel refuses it otherwise, as the spec expects. */
		if (cap_set_ambient(v, CAP_SET) < 0)
			oc_debug("cannot raise ambient capability %s: %s", c->ambient[i], strerror(errno));
	}
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

int oc_process_setup_pre_exec(struct oc_ctx *ctx, oc_error_t *err)
{
	const struct oc_spec_process *p = ctx->spec->process;
	const struct oc_spec_capabilities *c = p->capabilities;

	if (new_keyring(ctx, err) < 0)
		return -1;

	if (set_rlimits(p, err) < 0 || set_oom_score_adj(p, err) < 0)
		return -1;
	umask(p->user && p->user->has_umask ? p->user->umask : 022);
	if (c != NULL && drop_bounding(c, err) < 0)
		return -1;
	/* Keep permitted capabilities across the uid change; they are then
	 * set to exactly what the spec says. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return oc_error_sys(err, "prctl(PR_SET_KEEPCAPS)");
	if (oc_process_setup_user(p, err) < 0)
		return -1;
	if (c != NULL && set_caps(c, err) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return oc_error_sys(err, "prctl(PR_SET_KEEPCAPS)");
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return oc_error_sys(err, "prctl(PR_SET_NO_NEW_PRIVS)");
	/* After the root switch, so cwd is resolved inside the container
	 * (CVE-2024-21626: never relative to a descriptor of ours). */
	if (p->cwd != NULL && chdir(p->cwd) < 0)
		return oc_error_sys(err, "chdir to cwd (\"%s\") set in config.json", p->cwd);
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

void oc_process_exec(const struct oc_spec_process *p, const char *exe, int preserve_fds)
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
	execve(exe, p->args, env);
	e = errno;
	if (asprintf(&msg, "ocichroot: exec `%s`: %s\n", exe, strerror(e)) > 0) {
		ssize_t r = write(2, msg, strlen(msg));
		(void) r;
	}
	_exit(e == ENOENT ? 127 : 126);
}
