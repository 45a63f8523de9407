/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Personality, scheduler, io priority, cpu affinity and capabilities of
 * the container process (see include/ocichroot/procattr.h). */
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "ocichroot/common.h"
#include "ocichroot/json.h"
#include "ocichroot/log.h"
#include "ocichroot/procattr.h"

#define TRY(x)                     \
	do {                       \
		if ((x) < 0)       \
			return -1; \
	} while (0)

/* The kernel ABI of sched_setattr(2) (SCHED_ATTR_SIZE_VER0): glibc 2.36
 * has no wrapper. The util clamp fields are left out: the spec has none. */
struct oc_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

#define OC_SCHED_ISO 4 /* reserved by Linux, never implemented upstream */
#define OC_IOPRIO_WHO_PROCESS 1
#define OC_IOPRIO_CLASS_SHIFT 13
#define OC_MAX_CPUS 65536

struct name_value {
	const char *name;
	long value;
};

static const struct name_value policies[] = {
	{"SCHED_OTHER", SCHED_OTHER}, {"SCHED_FIFO", SCHED_FIFO}, {"SCHED_RR", SCHED_RR},
	{"SCHED_BATCH", SCHED_BATCH}, {"SCHED_ISO", OC_SCHED_ISO}, {"SCHED_IDLE", SCHED_IDLE},
	{"SCHED_DEADLINE", SCHED_DEADLINE},
};

static const struct name_value sched_flags[] = {
	{"SCHED_FLAG_RESET_ON_FORK", 0x01}, {"SCHED_FLAG_RECLAIM", 0x02},	    {"SCHED_FLAG_DL_OVERRUN", 0x04},
	{"SCHED_FLAG_KEEP_POLICY", 0x08},   {"SCHED_FLAG_KEEP_PARAMS", 0x10},	    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
	{"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};

static const struct name_value io_classes[] = {
	{"IOPRIO_CLASS_RT", 1},
	{"IOPRIO_CLASS_BE", 2},
	{"IOPRIO_CLASS_IDLE", 3},
};

static const struct name_value domains[] = {
	{"LINUX", PER_LINUX},
	{"LINUX32", PER_LINUX32},
};

static long lookup(const struct name_value *t, size_t n, const char *name)
{
	for (size_t i = 0; name != NULL && i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].value;
	return -1;
}
#define LOOKUP(t, name) lookup((t), OC_ARRAY_SIZE(t), (name))



/* ---- cpu lists ------------------------------------------------------------ */

static bool parse_cpu(const char **p, unsigned long *out)
{
	char *end;

	if (**p < '0' || **p > '9')
		return false;
	errno = 0;
	*out = strtoul(*p, &end, 10);
	if (errno != 0 || *out >= OC_MAX_CPUS)
		return false;
	*p = end;
	return true;
}

int oc_procattr_parse_cpus(const char *list, cpu_set_t **set, size_t *setsize, oc_error_t *err)
{
	unsigned long max = 0;
	cpu_set_t *s = NULL;
	size_t size = 0;

	/* two passes: the largest cpu sizes the set, then fill it */
	for (int pass = 0; pass < 2; pass++) {
		const char *p = list;

		if (list == NULL || *list == '\0')
			return oc_error_set(err, 0, "invalid cpu list \"%s\"", list ? list : "");
		for (;;) {
			unsigned long lo, hi;

			if (!parse_cpu(&p, &lo))
				goto bad;
			hi = lo;
			if (*p == '-') {
				p++;
				if (!parse_cpu(&p, &hi) || hi < lo)
					goto bad;
			}
			if (pass == 0 && hi > max)
				max = hi;
			for (unsigned long c = lo; pass == 1 && c <= hi; c++)
				CPU_SET_S(c, size, s);
			if (*p == '\0')
				break;
			if (*p++ != ',')
				goto bad;
		}
		if (pass == 0) {
			s = CPU_ALLOC(max + 1);
			if (s == NULL)
				abort();
			size = CPU_ALLOC_SIZE(max + 1);
			CPU_ZERO_S(size, s);
		}
	}
	*set = s;
	*setsize = size;
	return 0;
bad:
	/* only pass 0 can fail: pass 1 reads the same text */
	return oc_error_set(err, 0, "invalid cpu list \"%s\"", list);
}

int oc_procattr_set_cpu_affinity(const char *list, oc_error_t *err)
{
	cpu_set_t *set = NULL;
	size_t size = 0;
	int r;

	if (list == NULL)
		return 0;
	TRY(oc_procattr_parse_cpus(list, &set, &size, err));
	r = sched_setaffinity(0, size, set);
	CPU_FREE(set);
	if (r < 0)
		return oc_error_sys(err, "set cpu affinity to \"%s\"", list);
	return 0;
}

/* ---- validation ------------------------------------------------------------ */

static int check_scheduler(const struct oc_spec_scheduler *s, const char *pre, oc_error_t *err)
{
	long policy = LOOKUP(policies, s->policy);
	bool rt = policy == SCHED_FIFO || policy == SCHED_RR;
	bool dl = policy == SCHED_DEADLINE;

	if (s->policy == NULL)
		return oc_json_error(s->json, err, "%sscheduler.policy: missing required field", pre);
	if (policy < 0)
		return oc_json_error(oc_json_at(s->json, "policy"), err, "%sscheduler.policy: unknown policy \"%s\"", pre,
				     s->policy);
	if (s->has_nice && (s->nice < -20 || s->nice > 19))
		return oc_json_error(oc_json_at(s->json, "nice"), err, "%sscheduler.nice: %d is out of range (-20..19)", pre,
				     (int) s->nice);
	for (size_t i = 0; i < s->n_flags; i++)
		if (LOOKUP(sched_flags, s->flags[i]) < 0)
			return oc_json_error(oc_json_at_item(s->json, "flags", i), err,
					     "%sscheduler.flags[%zu]: unknown flag \"%s\"", pre, i, s->flags[i]);
	if (s->has_priority && s->priority != 0 && !rt)
		return oc_json_error(oc_json_at(s->json, "priority"), err,
				     "%sscheduler.priority: only SCHED_FIFO and SCHED_RR take a priority", pre);
	if (rt) {
		int lo = sched_get_priority_min((int) policy), hi = sched_get_priority_max((int) policy);
		int32_t prio = s->has_priority ? s->priority : 0;
		if (prio < lo || prio > hi)
			return oc_json_error(oc_json_at(s->json, "priority"), err,
					     "%sscheduler.priority: %d is out of range for %s (%d..%d)", pre, (int) prio,
					     s->policy, lo, hi);
	}
	if (!dl && (s->has_runtime || s->has_deadline || s->has_period))
		return oc_json_error(s->json, err,
				     "%sscheduler: runtime, deadline and period are only for SCHED_DEADLINE", pre);
	if (dl) {
		uint64_t period = s->has_period && s->period != 0 ? s->period : s->deadline;
		if (!s->has_runtime || s->runtime == 0 || !s->has_deadline || s->deadline == 0)
			return oc_json_error(s->json, err,
					     "%sscheduler: SCHED_DEADLINE needs a runtime and a deadline greater than 0",
					     pre);
		/* what sched_setattr(2) refuses with a bare EINVAL */
		if (s->runtime > s->deadline || s->deadline > period)
			return oc_json_error(s->json, err,
					     "%sscheduler: SCHED_DEADLINE needs runtime <= deadline <= period "
					     "(%" PRIu64 ", %" PRIu64 ", %" PRIu64 ")",
					     pre, s->runtime, s->deadline, period);
	}
	return 0;
}

static uint64_t nr_open(void)
{
	cleanup_close int fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC);
	char buf[32];
	ssize_t n;

	if (fd < 0 || (n = read(fd, buf, sizeof buf - 1)) <= 0)
		return UINT64_MAX;
	buf[n] = '\0';
	return strtoull(buf, NULL, 10);
}

int oc_procattr_validate_process(const struct oc_spec_process *p, const char *prefix, oc_error_t *err)
{
	cleanup_free char *pre = oc_xasprintf("%s%s", prefix, *prefix ? "." : "");

	if (p == NULL)
		return 0;
	if (p->scheduler != NULL)
		TRY(check_scheduler(p->scheduler, pre, err));
	if (p->io_priority != NULL) {
		const struct oc_spec_io_priority *io = p->io_priority;
		if (LOOKUP(io_classes, io->class_) < 0)
			return oc_json_error(oc_json_at(io->json, "class"), err, "%sioPriority.class: unknown class \"%s\"", pre,
					     io->class_ ? io->class_ : "");
		if (io->priority < 0 || io->priority > 7)
			return oc_json_error(oc_json_at(io->json, "priority"), err,
					     "%sioPriority.priority: %d is out of range (0..7)", pre, (int) io->priority);
	}
	if (p->exec_cpu_affinity != NULL) {
		const struct oc_spec_cpu_affinity *a = p->exec_cpu_affinity;
		const char *keys[] = {"initial", "final"};
		const char *vals[] = {a->initial, a->final};
		for (int i = 0; i < 2; i++) {
			cpu_set_t *set = NULL;
			size_t size;
			if (vals[i] == NULL)
				continue;
			if (oc_procattr_parse_cpus(vals[i], &set, &size, err) < 0) {
				oc_error_clear(err);
				return oc_json_error(oc_json_at(a->json, keys[i]), err,
						     "%sexecCPUAffinity.%s: invalid cpu list \"%s\"", pre, keys[i],
						     vals[i]);
			}
			CPU_FREE(set);
		}
	}
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct oc_spec_rlimit *r = &p->rlimits[i];
		uint64_t max;
		if (r->resource != RLIMIT_NOFILE || r->hard == RLIM_INFINITY)
			continue;
		/* setrlimit(2) would fail with a bare EPERM */
		max = nr_open();
		if (r->hard > max)
			return oc_json_error(oc_json_at(r->json, "hard"), err,
					     "%srlimits[%zu]: RLIMIT_NOFILE hard limit %" PRIu64
					     " is greater than fs.nr_open (%" PRIu64 ")",
					     pre, i, r->hard, max);
	}
	return 0;
}

int oc_procattr_validate(const struct oc_spec *spec, oc_error_t *err)
{
	const struct oc_spec_personality *pers = spec->linux ? spec->linux->personality : NULL;

	if (pers != NULL) {
		if (LOOKUP(domains, pers->domain) < 0)
			return oc_json_error(oc_json_at(pers->json, "domain"), err, "linux.personality.domain: unknown domain \"%s\"",
					     pers->domain ? pers->domain : "");
		/* runtime-spec: "no additional flags are supported" yet */
		if (pers->n_flags > 0)
			return oc_json_error(oc_json_at_item(pers->json, "flags", 0), err,
					     "linux.personality.flags[0]: unsupported flag \"%s\"", pers->flags[0]);
	}
	if (spec->process != NULL)
		TRY(oc_procattr_validate_process(spec->process, "process", err));
	if (spec->process != NULL && spec->process->capabilities != NULL)
		TRY(oc_caps_validate(spec->process->capabilities, err));
	return 0;
}

/* ---- applying ------------------------------------------------------------- */

static int apply_scheduler(const struct oc_spec_scheduler *s, oc_error_t *err)
{
	struct oc_sched_attr a = {.size = sizeof a};

	a.sched_policy = (uint32_t) LOOKUP(policies, s->policy);
	for (size_t i = 0; i < s->n_flags; i++)
		a.sched_flags |= (uint64_t) LOOKUP(sched_flags, s->flags[i]);
	a.sched_nice = s->has_nice ? s->nice : 0;
	a.sched_priority = s->has_priority ? (uint32_t) s->priority : 0;
	a.sched_runtime = s->runtime;
	a.sched_deadline = s->deadline;
	a.sched_period = s->period;
	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
		return oc_error_sys(err, "set scheduler policy %s", s->policy);
	return 0;
}

int oc_procattr_apply_process(const struct oc_spec_process *p, oc_error_t *err)
{
	if (p == NULL)
		return 0;
	if (p->scheduler != NULL)
		TRY(apply_scheduler(p->scheduler, err));
	if (p->io_priority != NULL) {
		long cls = LOOKUP(io_classes, p->io_priority->class_);
		long v = (cls << OC_IOPRIO_CLASS_SHIFT) | p->io_priority->priority;
		if (syscall(SYS_ioprio_set, OC_IOPRIO_WHO_PROCESS, 0, v) < 0)
			return oc_error_sys(err, "set io priority %s %d", p->io_priority->class_,
					    (int) p->io_priority->priority);
	}
	if (p->exec_cpu_affinity != NULL) {
		const struct oc_spec_cpu_affinity *a = p->exec_cpu_affinity;
		TRY(oc_procattr_set_cpu_affinity(a->final != NULL ? a->final : a->initial, err));
	}
	return 0;
}

int oc_procattr_apply(const struct oc_spec *spec, oc_error_t *err)
{
	const struct oc_spec_personality *pers = spec->linux ? spec->linux->personality : NULL;

	if (pers != NULL && personality((unsigned long) LOOKUP(domains, pers->domain)) < 0)
		return oc_error_sys(err, "set personality %s", pers->domain);
	return oc_procattr_apply_process(spec->process, err);
}

/* ---- capabilities ------------------------------------------------------------ */

/* The capability sets as bit masks over the values the running kernel
 * knows; names past it were warned about by oc_caps_validate(). */
struct capmask {
	uint64_t bounding, effective, permitted, inheritable, ambient;
};

static cap_value_t last_cap(void)
{
	cap_value_t last = (cap_value_t) cap_max_bits() - 1;

	return last > 63 ? 63 : last;
}

/* cap_to_name() allocates */
static void cap_error_name(cap_value_t v, char *buf, size_t len)
{
	char *n = cap_to_name(v);

	snprintf(buf, len, "%s", n ? n : "?");
	cap_free(n);
}

static int to_mask(char *const *names, size_t n, const char *set, bool warn, uint64_t *mask, oc_error_t *err)
{
	cap_value_t last = last_cap();

	*mask = 0;
	for (size_t i = 0; i < n; i++) {
		cap_value_t v;
		if (strncmp(names[i], "CAP_", 4) != 0 || cap_from_name(names[i], &v) < 0)
			return oc_error_set(err, 0, "process.capabilities.%s[%zu]: unknown capability \"%s\"", set, i,
					    names[i]);
		if (v > last) {
			if (warn)
				oc_warn("capability %s is not supported by the running kernel, ignored (%s set)",
					names[i], set);
			continue;
		}
		*mask |= UINT64_C(1) << v;
	}
	return 0;
}

static int caps_masks(const struct oc_spec_capabilities *c, bool warn, struct capmask *m, oc_error_t *err)
{
	TRY(to_mask(c->bounding, c->n_bounding, "bounding", warn, &m->bounding, err));
	TRY(to_mask(c->effective, c->n_effective, "effective", warn, &m->effective, err));
	TRY(to_mask(c->permitted, c->n_permitted, "permitted", warn, &m->permitted, err));
	TRY(to_mask(c->inheritable, c->n_inheritable, "inheritable", warn, &m->inheritable, err));
	TRY(to_mask(c->ambient, c->n_ambient, "ambient", warn, &m->ambient, err));
	return 0;
}

int oc_caps_validate(const struct oc_spec_capabilities *c, oc_error_t *err)
{
	struct capmask m;

	if (c == NULL)
		return 0;
	return caps_masks(c, true, &m, err);
}

int oc_caps_prepare(const struct oc_spec_capabilities *c, oc_error_t *err)
{
	struct capmask m;
	cap_value_t last = last_cap();

	if (c == NULL)
		return 0;
	TRY(caps_masks(c, false, &m, err));
	/* needs CAP_SETPCAP, which setuid may take away */
	for (cap_value_t v = 0; v <= last; v++) {
		if (m.bounding & (UINT64_C(1) << v))
			continue;
		if (cap_drop_bound(v) < 0 && errno != EINVAL) {
			int e = errno;
			char name[64];
			cap_error_name(v, name, sizeof name);
			return oc_error_set(err, e, "drop %s from the bounding set", name);
		}
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return oc_error_sys(err, "prctl(PR_SET_KEEPCAPS)");
	return 0;
}

static int set_proc_caps(const struct capmask *m, oc_error_t *err)
{
	cap_t caps = cap_init();
	cap_value_t last = last_cap();
	int r;

	if (caps == NULL)
		return oc_error_sys(err, "cap_init");
	for (cap_value_t v = 0; v <= last; v++) {
		uint64_t bit = UINT64_C(1) << v;
		if (m->effective & bit)
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
		if (m->permitted & bit)
			cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
		if (m->inheritable & bit)
			cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
	}
	r = cap_set_proc(caps);
	cap_free(caps);
	if (r < 0)
		return oc_error_sys(err, "apply capabilities");
	return 0;
}

int oc_caps_apply(const struct oc_spec_capabilities *c, oc_error_t *err)
{
	struct capmask m;
	cap_value_t last = last_cap();

	if (c == NULL)
		return 0;
	TRY(caps_masks(c, false, &m, err));
	TRY(set_proc_caps(&m, err));
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return oc_error_sys(err, "prctl(PR_SET_KEEPCAPS)");
	/* EINVAL: a kernel before 4.3, without ambient capabilities */
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return oc_error_sys(err, "reset ambient capabilities");
	for (cap_value_t v = 0; v <= last; v++) {
		if (!(m.ambient & (UINT64_C(1) << v)))
			continue;
		/* The kernel wants it in permitted and inheritable too; runc
		 * runs a config that forgets (its own default spec does)
		 * without it and says nothing, so this is only a debug line. */
		if (cap_set_ambient(v, CAP_SET) < 0) {
			int e = errno;
			char name[64];
			cap_error_name(v, name, sizeof name);
			oc_debug("cannot raise ambient capability %s: %s", name, strerror(e));
		}
	}
	return 0;
}
