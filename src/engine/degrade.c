/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The policy for what the host refuses (docs/isolation.md).  Each fallback
 * site in the engine sets the error it met and asks oc_ctx_fallback()
 * whether to fail (strict) or to take the next weaker documented step
 * (best-effort), which is then recorded in the state and logged: nothing
 * is dropped silently. */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "engine-int.h"
#include "ocichroot/common.h"
#include "ocichroot/log.h"

#define POLICY_ANNOTATION "run.ocichroot.policy"

static bool initial_user_ns(void)
{
	cleanup_fclose FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long a, b, c;

	/* the initial namespace maps all of 0..2^32-2 onto itself */
	if (f == NULL || fscanf(f, "%lu %lu %lu", &a, &b, &c) != 3)
		return true;
	return a == 0 && b == 0 && c == 4294967295UL;
}

static bool has_sys_admin(void)
{
	cap_t c = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (c != NULL) {
		cap_get_flag(c, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v);
		cap_free(c);
	}
	return v == CAP_SET;
}

/* Without CAP_SYS_ADMIN we can make no mount namespace of our own, but we
 * can make a user namespace and hold every capability inside it. */
static bool needs_own_userns(void)
{
	return geteuid() != 0 || !has_sys_admin();
}

/* Under a seccomp filter ("Seccomp: 2" in /proc/self/status), as CI
 * sandboxes and container engines run their payloads. */
static bool seccomp_filtered(void)
{
	cleanup_fclose FILE *f = fopen("/proc/self/status", "re");
	char line[128];

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "Seccomp:", 8) == 0)
			return strtol(line + 8, NULL, 10) == 2;
	return false;
}

/* Restricted: what an unprivileged container, a pod, a CI sandbox or a
 * rootless session looks like from inside.  Marker files such as
 * /.dockerenv say nothing: a privileged container is a normal host for us,
 * and some VMs carry one. */
bool oc_policy_restricted_host(void)
{
	return geteuid() != 0 || !initial_user_ns() || !has_sys_admin() || seccomp_filtered();
}

int oc_policy_resolve(struct oc_ctx *ctx, oc_error_t *err)
{
	const struct oc_spec *spec = ctx->spec;
	const char *annotated = NULL;

	for (size_t i = 0; i < spec->n_annotations; i++)
		if (strcmp(spec->annotation_keys[i], POLICY_ANNOTATION) == 0)
			annotated = spec->annotation_values[i];
	if (annotated != NULL && strcmp(annotated, "strict") != 0 && strcmp(annotated, "best-effort") != 0)
		return oc_error_set(err, 0, "annotations.%s: \"%s\" is neither \"strict\" nor \"best-effort\"",
				    POLICY_ANNOTATION, annotated);
	if (ctx->rt->policy != OC_POLICY_DEFAULT)
		ctx->best_effort = ctx->rt->policy == OC_POLICY_BEST_EFFORT;
	else if (annotated != NULL)
		ctx->best_effort = strcmp(annotated, "best-effort") == 0;
	else
		ctx->best_effort = oc_policy_restricted_host();
	return 0;
}

void oc_ctx_degrade(struct oc_ctx *ctx, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = oc_xvasprintf(fmt, ap);
	va_end(ap);
	if (ctx->in_init) {
		/* the runtime logs and records it when the note arrives */
		oc_sync_send(ctx->sync_fd, OC_SYNC_NOTE, 0, msg, -1, NULL);
		return;
	}
	oc_warn("%s", msg);
	ctx->degraded = oc_xrealloc(ctx->degraded, (ctx->n_degraded + 1) * sizeof(char *));
	ctx->degraded[ctx->n_degraded++] = steal_pointer(&msg);
}

int oc_ctx_fallback(struct oc_ctx *ctx, oc_error_t *err, const char *step, ...)
{
	cleanup_free char *s = NULL;
	va_list ap;

	va_start(ap, step);
	s = oc_xvasprintf(step, ap);
	va_end(ap);
	if (!ctx->best_effort)
		return oc_error_prefix(err, "strict policy (best-effort would fall back to: %s)", s), -1;
	oc_ctx_degrade(ctx, "%s: %s", err->msg ? err->msg : "refused", s);
	oc_error_clear(err);
	return 0;
}

/* Which of the CLONE_NEW* flags does the host refuse?  Each is tried alone
 * in a child that exits at once; only run after a clone() failed. */
int oc_probe_refused_ns(int flags)
{
	int refused = 0;

	for (int bit = 1; bit != 0 && bit <= flags; bit <<= 1) {
		pid_t pid;
		int st;

		if (!(flags & bit))
			continue;
		/* ocichroot would make a user namespace first */
		pid = (pid_t) syscall(SYS_clone, (unsigned long) bit | (needs_own_userns() ? CLONE_NEWUSER : 0) | SIGCHLD,
				      NULL, NULL, NULL, 0);
		if (pid == 0)
			_exit(0);
		if (pid < 0) {
			refused |= bit;
			continue;
		}
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	return refused;
}

/* Not root (or root without CAP_SYS_ADMIN, as in an unprivileged
 * container) and no user namespace asked: one with the caller's ids mapped
 * to root, the only one such a process may make on its own. */
int oc_rootless_userns(struct oc_ctx *ctx, oc_error_t *err)
{
	struct oc_spec *spec = ctx->spec;
	struct oc_spec_linux *l;

	if (!needs_own_userns() || oc_spec_find_namespace(spec, OC_NS_USER) != NULL)
		return 0;
	if (spec->linux == NULL)
		spec->linux = oc_xcalloc(1, sizeof *spec->linux);
	l = spec->linux;
	l->namespaces = oc_xrealloc(l->namespaces, (l->n_namespaces + 1) * sizeof *l->namespaces);
	l->namespaces[l->n_namespaces++] = (struct oc_spec_namespace){.type = OC_NS_USER};
	free(l->uid_mappings);
	free(l->gid_mappings);
	l->uid_mappings = oc_xcalloc(1, sizeof *l->uid_mappings);
	l->gid_mappings = oc_xcalloc(1, sizeof *l->gid_mappings);
	*l->uid_mappings = (struct oc_spec_idmap){.container_id = 0, .host_id = geteuid(), .size = 1};
	*l->gid_mappings = (struct oc_spec_idmap){.container_id = 0, .host_id = getegid(), .size = 1};
	l->n_uid_mappings = l->n_gid_mappings = 1;
	oc_ctx_degrade(ctx, "%s: a user namespace of our own maps uid %u and gid %u to root",
		       geteuid() ? "not root" : "no CAP_SYS_ADMIN", geteuid(), getegid());
	(void) err;
	return 0;
}

/* ---- what this host would need (for `features`) --------------------------- */

/* Run fn in a child made with the given namespaces, inside a private
 * scratch directory; true when fn succeeded. */
static bool try_in_child(int flags, bool (*fn)(const char *dir))
{
	char dir[] = "/tmp/ocichroot-probe-XXXXXX";
	pid_t pid;
	int st = 0;

	if (mkdtemp(dir) == NULL)
		return false;
	/* ocichroot would make a user namespace first */
	if (needs_own_userns())
		flags |= CLONE_NEWUSER;
	pid = (pid_t) syscall(SYS_clone, (unsigned long) flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid == 0) {
		/* nothing of the probe may propagate to the host */
		if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
			_exit(2);
		_exit(fn(dir) ? 0 : 1);
	}
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	rmdir(dir);
	return pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static bool probe_proc(const char *dir)
{
	return mount("proc", dir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0;
}

static bool probe_sysfs(const char *dir)
{
	return mount("sysfs", dir, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0;
}

static bool probe_tmpfs(const char *dir)
{
	return mount("tmpfs", dir, "tmpfs", 0, "size=64k") == 0;
}

static bool probe_mknod(const char *dir)
{
	char p[PATH_MAX];

	if (!probe_tmpfs(dir))
		return false;
	snprintf(p, sizeof p, "%s/null", dir);
	return mknod(p, S_IFCHR | 0666, makedev(1, 3)) == 0;
}

char *oc_probe_host_steps(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int refused = oc_probe_refused_ns(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
					  CLONE_NEWCGROUP | CLONE_NEWTIME);
	bool sep = false;

	if (f == NULL)
		abort();
#define STEP(...)                                  \
	do {                                       \
		fprintf(f, "%s", sep ? "; " : ""); \
		fprintf(f, __VA_ARGS__);           \
		sep = true;                        \
	} while (0)
	if (refused & CLONE_NEWNS) {
		STEP("no mount namespace: containers cannot run here");
	} else {
		for (int t = 0; t < OC_NS__MAX; t++)
			if (t != OC_NS_MOUNT && t != OC_NS_USER && (refused & oc_ns_clone_flag(t)))
				STEP("the host's %s namespace", oc_ns_type_name(t));
		if (!try_in_child(CLONE_NEWNS | (refused & CLONE_NEWPID ? 0 : CLONE_NEWPID), probe_proc))
			STEP("the host's /proc bound read-only");
		if (!try_in_child(CLONE_NEWNS | (refused & CLONE_NEWNET ? 0 : CLONE_NEWNET), probe_sysfs))
			STEP("the host's /sys bound read-only");
		if (!try_in_child(CLONE_NEWNS, probe_tmpfs))
			STEP("the host's /dev bound read-only");
		else if (!try_in_child(CLONE_NEWNS, probe_mknod))
			STEP("device nodes bound from the host's /dev");
	}
	if (access("/sys/fs/cgroup", W_OK) < 0 && access("/sys/fs/cgroup/unified", W_OK) < 0 &&
	    access("/sys/fs/cgroup/memory", W_OK) < 0)
		STEP("no cgroup");
#undef STEP
	fclose(f);
	if (len == 0) {
		free(buf);
		return oc_xstrdup("none");
	}
	return buf;
}
