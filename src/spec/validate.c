/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The meaning checks on a decoded spec: required fields, known names,
 * ranges, consistency between fields. All of them run before the runtime
 * does anything, so a bad config never leaves a half-made container
 * behind; each error names FILE:LINE:COL and the JSON path. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/capability.h>

#include "ocichroot/common.h"
#include "spec-internal.h"

#define TRY(x)                  \
	do {                    \
		if ((x) < 0)    \
			return -1; \
	} while (0)



/* Where member `key` of map member `map` of obj is. */
static const struct oc_json *map_at(const struct oc_json *obj, const char *map, const char *key)
{
	const struct oc_json *m = oc_json_get(obj, map);
	const struct oc_json *v = oc_json_get(m, key);

	return v != NULL ? v : oc_json_at(obj, map);
}

static int verr(const struct oc_json *where, oc_error_t *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int verr(const struct oc_json *where, oc_error_t *err, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = oc_xvasprintf(fmt, ap);
	va_end(ap);
	return oc_json_error(where, err, "%s", msg);
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static bool is_abs(const char *p)
{
	return p != NULL && p[0] == '/';
}

/* "process." for "process", "" for "" */
static char *dotted(const char *prefix)
{
	return oc_xasprintf("%s%s", prefix, *prefix ? "." : "");
}

/* ---- process ----------------------------------------------------------- */

static int check_caps(const struct oc_spec_capabilities *k, const char *pre, oc_error_t *err)
{
	const struct {
		const char *key;
		char **v;
		size_t n;
	} sets[] = {
		{"bounding", k->bounding, k->n_bounding},	   {"effective", k->effective, k->n_effective},
		{"inheritable", k->inheritable, k->n_inheritable}, {"permitted", k->permitted, k->n_permitted},
		{"ambient", k->ambient, k->n_ambient},
	};

	for (size_t s = 0; s < OC_ARRAY_SIZE(sets); s++) {
		for (size_t i = 0; i < sets[s].n; i++) {
			const char *name = sets[s].v[i];
			cap_value_t cv;
			/* cap_from_name also takes lower case and numbers;
			 * the spec (and runc) only know "CAP_" names */
			if (strncmp(name, "CAP_", 4) != 0 || cap_from_name(name, &cv) < 0)
				return verr(oc_json_at_item(k->json, sets[s].key, i), err,
					    "%scapabilities.%s[%zu]: unknown capability \"%s\"", pre, sets[s].key, i,
					    name);
		}
	}
	return 0;
}

static int check_rlimits(const struct oc_spec_process *p, const char *pre, oc_error_t *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct oc_spec_rlimit *r = &p->rlimits[i];
		if (r->type == NULL)
			return verr(r->json, err, "%srlimits[%zu].type: missing required field", pre, i);
		if (r->resource < 0)
			return verr(oc_json_at(r->json, "type"), err, "%srlimits[%zu].type: unknown rlimit \"%s\"", pre, i,
				    r->type);
		if (r->soft > r->hard)
			return verr(oc_json_at(r->json, "soft"), err,
				    "%srlimits[%zu]: soft limit %llu is greater than hard limit %llu", pre, i,
				    (unsigned long long) r->soft, (unsigned long long) r->hard);
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->rlimits[j].type, r->type) == 0)
				return verr(oc_json_at(r->json, "type"), err, "%srlimits[%zu].type: duplicate rlimit \"%s\"",
					    pre, i, r->type);
	}
	return 0;
}

static int check_scheduler(const struct oc_spec_scheduler *s, const char *pre, oc_error_t *err)
{
	static const char *const policies[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",	      "SCHED_BATCH",
					       "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE", NULL};
	static const char *const flags[] = {"SCHED_FLAG_RESET_ON_FORK",	 "SCHED_FLAG_RECLAIM",
					    "SCHED_FLAG_DL_OVERRUN",	 "SCHED_FLAG_KEEP_POLICY",
					    "SCHED_FLAG_KEEP_PARAMS",	 "SCHED_FLAG_UTIL_CLAMP_MIN",
					    "SCHED_FLAG_UTIL_CLAMP_MAX", NULL};

	if (s->policy == NULL)
		return verr(s->json, err, "%sscheduler.policy: missing required field", pre);
	if (!in_list(s->policy, policies))
		return verr(oc_json_at(s->json, "policy"), err, "%sscheduler.policy: unknown policy \"%s\"", pre, s->policy);
	if (s->has_nice && (s->nice < -20 || s->nice > 19))
		return verr(oc_json_at(s->json, "nice"), err, "%sscheduler.nice: %d is out of range (-20..19)", pre,
			    (int) s->nice);
	for (size_t i = 0; i < s->n_flags; i++)
		if (!in_list(s->flags[i], flags))
			return verr(oc_json_at_item(s->json, "flags", i), err, "%sscheduler.flags[%zu]: unknown flag \"%s\"", pre,
				    i, s->flags[i]);
	return 0;
}

static bool is_cpu_list(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789,-") == strlen(s);
}

int oc_spec_validate_process(const struct oc_spec_process *p, const char *prefix, oc_error_t *err)
{
	static const char *const io_classes[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL};
	cleanup_free char *pre = dotted(prefix);

	if (p->n_args == 0)
		return verr(oc_json_at(p->json, "args"), err, "%sargs: must not be empty", pre);
	if (p->cwd == NULL || p->cwd[0] == '\0')
		return verr(oc_json_at(p->json, "cwd"), err, "%scwd: missing required field", pre);
	if (!is_abs(p->cwd))
		return verr(oc_json_at(p->json, "cwd"), err, "%scwd: \"%s\" is not an absolute path", pre, p->cwd);
	if (p->console_size != NULL) {
		const struct oc_json *cs = p->console_size->json;
		if (cs != NULL && (oc_json_get(cs, "height") == NULL || oc_json_get(cs, "width") == NULL))
			return verr(cs, err, "%sconsoleSize: height and width are required", pre);
	}
	TRY(check_rlimits(p, pre, err));
	if (p->capabilities != NULL)
		TRY(check_caps(p->capabilities, pre, err));
	if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
		return verr(oc_json_at(p->json, "oomScoreAdj"), err, "%soomScoreAdj: %d is out of range (-1000..1000)", pre,
			    p->oom_score_adj);
	if (p->scheduler != NULL)
		TRY(check_scheduler(p->scheduler, pre, err));
	if (p->io_priority != NULL) {
		const struct oc_spec_io_priority *io = p->io_priority;
		if (io->class_ == NULL)
			return verr(io->json, err, "%sioPriority.class: missing required field", pre);
		if (!in_list(io->class_, io_classes))
			return verr(oc_json_at(io->json, "class"), err, "%sioPriority.class: unknown class \"%s\"", pre,
				    io->class_);
		if (io->priority < 0 || io->priority > 7)
			return verr(oc_json_at(io->json, "priority"), err, "%sioPriority.priority: %d is out of range (0..7)",
				    pre, (int) io->priority);
	}
	if (p->exec_cpu_affinity != NULL) {
		const struct oc_spec_cpu_affinity *a = p->exec_cpu_affinity;
		if (a->initial != NULL && !is_cpu_list(a->initial))
			return verr(oc_json_at(a->json, "initial"), err, "%sexecCPUAffinity.initial: invalid cpu list \"%s\"",
				    pre, a->initial);
		if (a->final != NULL && !is_cpu_list(a->final))
			return verr(oc_json_at(a->json, "final"), err, "%sexecCPUAffinity.final: invalid cpu list \"%s\"", pre,
				    a->final);
	}
	return 0;
}

/* ---- resources --------------------------------------------------------- */

int oc_spec_validate_resources(const struct oc_spec_resources *r, const char *prefix, oc_error_t *err)
{
	cleanup_free char *pre = dotted(prefix);

	for (size_t i = 0; i < r->n_devices; i++) {
		const struct oc_spec_device_rule *d = &r->devices[i];
		if (d->json != NULL && oc_json_get(d->json, "allow") == NULL)
			return verr(d->json, err, "%sdevices[%zu].allow: missing required field", pre, i);
		if (d->access != NULL && strspn(d->access, "rwm") != strlen(d->access))
			return verr(oc_json_at(d->json, "access"), err, "%sdevices[%zu].access: invalid access \"%s\"", pre, i,
				    d->access);
	}
	if (r->memory != NULL && r->memory->has_swappiness && r->memory->swappiness > 100)
		return verr(oc_json_at(r->memory->json, "swappiness"), err,
			    "%smemory.swappiness: %llu is out of range (0..100)", pre,
			    (unsigned long long) r->memory->swappiness);
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		if (r->hugepage_limits[i].page_size == NULL || r->hugepage_limits[i].page_size[0] == '\0')
			return verr(r->hugepage_limits[i].json, err,
				    "%shugepageLimits[%zu].pageSize: missing required field", pre, i);
	if (r->network != NULL)
		for (size_t i = 0; i < r->network->n_priorities; i++)
			if (r->network->priorities[i].name == NULL)
				return verr(r->network->priorities[i].json, err,
					    "%snetwork.priorities[%zu].name: missing required field", pre, i);
	/* unified keys become file names under the container's cgroup:
	 * a '/' or a dot-name would write outside of it */
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified_keys[i];
		if (k[0] == '\0' || k[0] == '.' || strchr(k, '/') != NULL)
			return verr(map_at(r->json, "unified", k), err, "%sunified.%s: invalid cgroup file name", pre,
				    k);
	}
	return 0;
}

/* ---- linux ------------------------------------------------------------- */

static const struct oc_spec_namespace *find_ns(const struct oc_spec_linux *l, enum oc_ns_type t)
{
	for (size_t i = 0; l != NULL && i < l->n_namespaces; i++)
		if (l->namespaces[i].type == t)
			return &l->namespaces[i];
	return NULL;
}

static int check_namespaces(const struct oc_spec_linux *l, oc_error_t *err)
{
	const struct oc_spec_namespace *user;
	bool seen[OC_NS__MAX] = {false};

	for (size_t i = 0; i < l->n_namespaces; i++) {
		const struct oc_spec_namespace *n = &l->namespaces[i];
		if (seen[n->type])
			return verr(oc_json_at(n->json, "type"), err, "linux.namespaces[%zu].type: duplicate namespace \"%s\"",
				    i, oc_ns_type_name(n->type));
		seen[n->type] = true;
		if (n->path != NULL && !is_abs(n->path))
			return verr(oc_json_at(n->json, "path"), err, "linux.namespaces[%zu].path: \"%s\" is not an absolute path",
				    i, n->path);
	}
	user = find_ns(l, OC_NS_USER);
	if (user != NULL && user->path == NULL) {
		size_t i = (size_t) (user - l->namespaces);
		if (l->n_uid_mappings == 0)
			return verr(user->json, err,
				    "linux.namespaces[%zu]: user namespaces enabled, but no uid mappings found", i);
		if (l->n_gid_mappings == 0)
			return verr(user->json, err,
				    "linux.namespaces[%zu]: user namespaces enabled, but no gid mappings found", i);
	}
	if (user == NULL && l->n_uid_mappings > 0)
		return verr(oc_json_at(l->json, "uidMappings"), err,
			    "linux.uidMappings: uid mappings given, but no user namespace requested");
	if (user == NULL && l->n_gid_mappings > 0)
		return verr(oc_json_at(l->json, "gidMappings"), err,
			    "linux.gidMappings: gid mappings given, but no user namespace requested");
	return 0;
}

static int check_idmaps(const struct oc_spec_idmap *m, size_t n, const char *path, const struct oc_json *obj,
			const char *key, oc_error_t *err)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].size == 0)
			return verr(oc_json_at(oc_json_at_item(obj, key, i), "size"), err, "%s[%zu].size: must be greater than zero", path,
				    i);
	return 0;
}

static int check_time_offsets(const struct oc_spec_linux *l, oc_error_t *err)
{
	static const char *const clocks[] = {"monotonic", "boottime", NULL};

	if (l->n_time_offsets > 0 && find_ns(l, OC_NS_TIME) == NULL)
		return verr(oc_json_at(l->json, "timeOffsets"), err,
			    "linux.timeOffsets: time offsets require a time namespace");
	for (size_t i = 0; i < l->n_time_offsets; i++) {
		const struct oc_spec_time_offset *t = &l->time_offsets[i];
		if (!in_list(t->clock, clocks))
			return verr(t->json, err, "linux.timeOffsets.%s: unknown clock", t->clock);
		if (t->nanosecs >= 1000000000u)
			return verr(oc_json_at(t->json, "nanosecs"), err,
				    "linux.timeOffsets.%s.nanosecs: %u is out of range (0..999999999)", t->clock,
				    t->nanosecs);
	}
	return 0;
}

static int check_devices(const struct oc_spec_linux *l, oc_error_t *err)
{
	for (size_t i = 0; i < l->n_devices; i++) {
		const struct oc_spec_device *d = &l->devices[i];
		if (d->path == NULL)
			return verr(d->json, err, "linux.devices[%zu].path: missing required field", i);
		if (!is_abs(d->path))
			return verr(oc_json_at(d->json, "path"), err, "linux.devices[%zu].path: \"%s\" is not an absolute path",
				    i, d->path);
		if (d->type != 'p' && d->json != NULL &&
		    (oc_json_get(d->json, "major") == NULL || oc_json_get(d->json, "minor") == NULL))
			return verr(d->json, err, "linux.devices[%zu]: major and minor are required for type '%c'", i,
				    d->type);
	}
	return 0;
}

/* runc's rule: a sysctl is only written when it belongs to a namespace the
 * container has of its own, so it cannot change the host. The key becomes
 * a path under /proc/sys, so it must not climb out of it either. */
static int check_sysctl(const struct oc_spec *s, oc_error_t *err)
{
	static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",	      "kernel.sem",
					  "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
					  NULL};
	const struct oc_spec_linux *l = s->linux;

	for (size_t i = 0; i < l->n_sysctl; i++) {
		const char *k = l->sysctl_keys[i];
		const struct oc_json *where = map_at(l->json, "sysctl", k);

		if (k[0] == '\0' || k[0] == '.' || k[0] == '/' || strstr(k, "..") != NULL || strstr(k, "/.") != NULL ||
		    strstr(k, "./") != NULL || strstr(k, "//") != NULL)
			return verr(where, err, "linux.sysctl.%s: invalid sysctl name", k);
		if (in_list(k, ipc) || strncmp(k, "fs.mqueue.", 10) == 0) {
			if (find_ns(l, OC_NS_IPC) == NULL)
				return verr(where, err, "linux.sysctl.%s: sysctl \"%s\" is not allowed in the host's ipc namespace",
					    k, k);
		} else if (strncmp(k, "net.", 4) == 0 || strncmp(k, "net/", 4) == 0) {
			if (find_ns(l, OC_NS_NETWORK) == NULL)
				return verr(where, err,
					    "linux.sysctl.%s: sysctl \"%s\" is not allowed in the host's network namespace",
					    k, k);
		} else if (strcmp(k, "kernel.hostname") == 0 || strcmp(k, "kernel.domainname") == 0) {
			if (find_ns(l, OC_NS_UTS) == NULL)
				return verr(where, err,
					    "linux.sysctl.%s: sysctl \"%s\" is not allowed in the host's uts namespace", k,
					    k);
		} else {
			return verr(where, err, "linux.sysctl.%s: sysctl \"%s\" is not in a separate kernel namespace",
				    k, k);
		}
	}
	return 0;
}

static int check_seccomp(const struct oc_spec_seccomp *s, oc_error_t *err)
{
	static const char *const actions[] = {"SCMP_ACT_KILL",	 "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
					      "SCMP_ACT_TRAP",	 "SCMP_ACT_ERRNO",	  "SCMP_ACT_TRACE",
					      "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",	  "SCMP_ACT_NOTIFY",
					      NULL};
	static const char *const arches[] = {
		"SCMP_ARCH_X86",	 "SCMP_ARCH_X86_64",  "SCMP_ARCH_X32",	  "SCMP_ARCH_ARM",
		"SCMP_ARCH_AARCH64",	 "SCMP_ARCH_MIPS",    "SCMP_ARCH_MIPS64",	  "SCMP_ARCH_MIPS64N32",
		"SCMP_ARCH_MIPSEL",	 "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
		"SCMP_ARCH_PPC64",	 "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",	  "SCMP_ARCH_S390X",
		"SCMP_ARCH_PARISC",	 "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	  "SCMP_ARCH_LOONGARCH64",
		"SCMP_ARCH_M68K",	 "SCMP_ARCH_SH",      "SCMP_ARCH_SHEB",	  NULL};
	static const char *const flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
					    "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
					    NULL};
	static const char *const ops[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",	     "SCMP_CMP_EQ",
					  "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL};
	bool notify = false;

	if (s->default_action == NULL)
		return verr(s->json, err, "linux.seccomp.defaultAction: missing required field");
	if (!in_list(s->default_action, actions))
		return verr(oc_json_at(s->json, "defaultAction"), err, "linux.seccomp.defaultAction: unknown action \"%s\"",
			    s->default_action);
	/* the kernel refuses a notify default: the listener itself could
	 * then not make the syscalls it needs */
	if (strcmp(s->default_action, "SCMP_ACT_NOTIFY") == 0)
		return verr(oc_json_at(s->json, "defaultAction"), err,
			    "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
	for (size_t i = 0; i < s->n_architectures; i++)
		if (!in_list(s->architectures[i], arches))
			return verr(oc_json_at_item(s->json, "architectures", i), err,
				    "linux.seccomp.architectures[%zu]: unknown architecture \"%s\"", i,
				    s->architectures[i]);
	for (size_t i = 0; i < s->n_flags; i++)
		if (!in_list(s->flags[i], flags))
			return verr(oc_json_at_item(s->json, "flags", i), err, "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i,
				    s->flags[i]);
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct oc_spec_seccomp_syscall *sc = &s->syscalls[i];
		if (sc->n_names == 0)
			return verr(oc_json_at(sc->json, "names"), err, "linux.seccomp.syscalls[%zu].names: must not be empty",
				    i);
		if (sc->action == NULL)
			return verr(sc->json, err, "linux.seccomp.syscalls[%zu].action: missing required field", i);
		if (!in_list(sc->action, actions))
			return verr(oc_json_at(sc->json, "action"), err,
				    "linux.seccomp.syscalls[%zu].action: unknown action \"%s\"", i, sc->action);
		if (strcmp(sc->action, "SCMP_ACT_NOTIFY") == 0)
			notify = true;
		for (size_t j = 0; j < sc->n_args; j++) {
			const struct oc_spec_seccomp_arg *a = &sc->args[j];
			if (a->index >= 6)
				return verr(oc_json_at(a->json, "index"), err,
					    "linux.seccomp.syscalls[%zu].args[%zu].index: %u is out of range (0..5)", i,
					    j, a->index);
			if (a->op == NULL)
				return verr(a->json, err,
					    "linux.seccomp.syscalls[%zu].args[%zu].op: missing required field", i, j);
			if (!in_list(a->op, ops))
				return verr(oc_json_at(a->json, "op"), err,
					    "linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator \"%s\"", i, j,
					    a->op);
		}
	}
	if (notify && s->listener_path == NULL)
		return verr(s->json, err, "linux.seccomp.listenerPath: required by SCMP_ACT_NOTIFY");
	return 0;
}

static int check_paths(char **v, size_t n, const struct oc_json *obj, const char *key, oc_error_t *err)
{
	for (size_t i = 0; i < n; i++)
		if (!is_abs(v[i]))
			return verr(oc_json_at_item(obj, key, i), err, "linux.%s[%zu]: \"%s\" is not an absolute path", key, i,
				    v[i]);
	return 0;
}

static int check_linux(const struct oc_spec *s, oc_error_t *err)
{
	static const char *const propagations[] = {"shared", "slave",   "private",	 "unbindable",
						   "rshared", "rslave", "rprivate", "runbindable", NULL};
	static const char *const mpol_modes[] = {"MPOL_DEFAULT",		"MPOL_BIND",	 "MPOL_INTERLEAVE",
						 "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED", "MPOL_PREFERRED_MANY",
						 "MPOL_LOCAL",		NULL};
	static const char *const mpol_flags[] = {"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES",
						 "MPOL_F_STATIC_NODES", NULL};
	static const char *const domains[] = {"LINUX", "LINUX32", NULL};
	const struct oc_spec_linux *l = s->linux;

	TRY(check_namespaces(l, err));
	TRY(check_idmaps(l->uid_mappings, l->n_uid_mappings, "linux.uidMappings", l->json, "uidMappings", err));
	TRY(check_idmaps(l->gid_mappings, l->n_gid_mappings, "linux.gidMappings", l->json, "gidMappings", err));
	TRY(check_time_offsets(l, err));
	TRY(check_devices(l, err));
	TRY(check_sysctl(s, err));
	if (l->resources != NULL)
		TRY(oc_spec_validate_resources(l->resources, "linux.resources", err));
	if (l->seccomp != NULL)
		TRY(check_seccomp(l->seccomp, err));
	if (l->rootfs_propagation != NULL && l->rootfs_propagation[0] != '\0' &&
	    !in_list(l->rootfs_propagation, propagations))
		return verr(oc_json_at(l->json, "rootfsPropagation"), err, "linux.rootfsPropagation: unknown propagation \"%s\"",
			    l->rootfs_propagation);
	TRY(check_paths(l->masked_paths, l->n_masked_paths, l->json, "maskedPaths", err));
	TRY(check_paths(l->readonly_paths, l->n_readonly_paths, l->json, "readonlyPaths", err));
	if (l->personality != NULL) {
		if (l->personality->domain == NULL)
			return verr(l->personality->json, err, "linux.personality.domain: missing required field");
		if (!in_list(l->personality->domain, domains))
			return verr(oc_json_at(l->personality->json, "domain"), err,
				    "linux.personality.domain: unknown domain \"%s\"", l->personality->domain);
	}
	if (l->memory_policy != NULL) {
		const struct oc_spec_memory_policy *m = l->memory_policy;
		if (m->mode == NULL)
			return verr(m->json, err, "linux.memoryPolicy.mode: missing required field");
		if (!in_list(m->mode, mpol_modes))
			return verr(oc_json_at(m->json, "mode"), err, "linux.memoryPolicy.mode: unknown mode \"%s\"", m->mode);
		for (size_t i = 0; i < m->n_flags; i++)
			if (!in_list(m->flags[i], mpol_flags))
				return verr(oc_json_at_item(m->json, "flags", i), err,
					    "linux.memoryPolicy.flags[%zu]: unknown flag \"%s\"", i, m->flags[i]);
	}
	for (size_t i = 0; i < l->n_net_devices; i++) {
		const struct oc_spec_net_device *d = &l->net_devices[i];
		const char *name = d->name != NULL ? d->name : d->host_name;
		if (name[0] == '\0' || strlen(name) >= 16 || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
		    strcmp(name, "..") == 0)
			return verr(d->json, err, "linux.netDevices.%s: invalid interface name \"%s\"", d->host_name,
				    name);
	}
	return 0;
}

/* ---- top level --------------------------------------------------------- */

static int check_version(const struct oc_spec *s, oc_error_t *err)
{
	const char *v = s->oci_version;
	size_t digits;

	if (v == NULL || v[0] == '\0')
		return verr(oc_json_at(s->json, "ociVersion"), err, "ociVersion: missing required field");
	digits = strspn(v, "0123456789");
	if (digits != 1 || v[0] != '1' || (v[1] != '.' && v[1] != '\0'))
		return verr(oc_json_at(s->json, "ociVersion"), err, "ociVersion: unsupported version \"%s\"", v);
	return 0;
}

static int check_hooks(const struct oc_spec_hooks *h, oc_error_t *err)
{
	for (int k = 0; k < OC_HOOK__MAX; k++) {
		const char *name = oc_hook_kind_name(k);
		for (size_t i = 0; i < h->n_hooks[k]; i++) {
			const struct oc_spec_hook *x = &h->hooks[k][i];
			if (x->path == NULL)
				return verr(x->json, err, "hooks.%s[%zu].path: missing required field", name, i);
			if (!is_abs(x->path))
				return verr(oc_json_at(x->json, "path"), err,
					    "hooks.%s[%zu].path: \"%s\" is not an absolute path", name, i, x->path);
			if (x->has_timeout && x->timeout <= 0)
				return verr(oc_json_at(x->json, "timeout"), err,
					    "hooks.%s[%zu].timeout: must be greater than zero", name, i);
		}
	}
	return 0;
}

static int check_mounts(const struct oc_spec *s, oc_error_t *err)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct oc_spec_mount *m = &s->mounts[i];
		if (m->destination == NULL || m->destination[0] == '\0')
			return verr(oc_json_at(m->json, "destination"), err, "mounts[%zu].destination: missing required field",
				    i);
		if (m->n_uid_mappings > 0 || m->n_gid_mappings > 0) {
			cleanup_free char *up = oc_xasprintf("mounts[%zu].uidMappings", i);
			cleanup_free char *gp = oc_xasprintf("mounts[%zu].gidMappings", i);
			TRY(check_idmaps(m->uid_mappings, m->n_uid_mappings, up, m->json, "uidMappings", err));
			TRY(check_idmaps(m->gid_mappings, m->n_gid_mappings, gp, m->json, "gidMappings", err));
		}
	}
	return 0;
}

int oc_spec_validate(const struct oc_spec *s, oc_error_t *err)
{
	TRY(check_version(s, err));
	if (s->root == NULL)
		return verr(s->json, err, "root: missing required field");
	if (s->root->path == NULL || s->root->path[0] == '\0')
		return verr(oc_json_at(s->root->json, "path"), err, "root.path: missing required field");
	TRY(check_mounts(s, err));
	if (s->process != NULL)
		TRY(oc_spec_validate_process(s->process, "process", err));
	if (s->hooks != NULL)
		TRY(check_hooks(s->hooks, err));
	/* runc refuses these too: without a UTS namespace of its own the
	 * container would rename the host */
	if (s->hostname != NULL && s->hostname[0] != '\0' && oc_spec_find_namespace(s, OC_NS_UTS) == NULL)
		return verr(oc_json_at(s->json, "hostname"), err,
			    "hostname: unable to set hostname without a private UTS namespace");
	if (s->domainname != NULL && s->domainname[0] != '\0' && oc_spec_find_namespace(s, OC_NS_UTS) == NULL)
		return verr(oc_json_at(s->json, "domainname"), err,
			    "domainname: unable to set domainname without a private UTS namespace");
	if (s->linux != NULL)
		TRY(check_linux(s, err));
	return 0;
}
