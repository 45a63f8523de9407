/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The policy for what the host refuses (docs/isolation.md).  Each fallback
 * site in the engine sets the error it met and asks oc_ctx_fallback()
 * whether to fail (strict) or to take the next weaker documented step
 * (best-effort), which is then recorded in the state and logged: nothing
 * is dropped silently. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

bool oc_policy_restricted_host(void)
{
	return geteuid() != 0 || !initial_user_ns() || access("/run/.containerenv", F_OK) == 0 ||
	       access("/.dockerenv", F_OK) == 0;
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
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
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
	if (vasprintf(&s, step, ap) < 0)
		abort();
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
		pid = (pid_t) syscall(SYS_clone, (unsigned long) bit | SIGCHLD, NULL, NULL, NULL, 0);
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

/* Not root and no user namespace asked: one with the caller's ids mapped
 * to root, the only one an unprivileged process may make on its own. */
int oc_rootless_userns(struct oc_ctx *ctx, oc_error_t *err)
{
	struct oc_spec *spec = ctx->spec;
	struct oc_spec_linux *l;

	if (geteuid() == 0 || oc_spec_find_namespace(spec, OC_NS_USER) != NULL)
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
	oc_ctx_degrade(ctx, "not root: a user namespace of our own maps uid %u and gid %u to root", geteuid(),
		       getegid());
	(void) err;
	return 0;
}
