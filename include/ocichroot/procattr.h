/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process attributes the container's init applies to itself before
 * execve: linux.personality, process.scheduler, process.ioPriority,
 * process.execCPUAffinity; and process.capabilities.
 *
 * The validate functions run in the runtime before any side effect and
 * check what src/spec cannot know from the shape alone (which scheduler
 * fields go with which policy, the priority range of the running kernel,
 * cpu list syntax, fs.nr_open). The apply functions run in init. */
#ifndef OCICHROOT_PROCATTR_H
#define OCICHROOT_PROCATTR_H

#include <sched.h>
#include <stddef.h>

#include "ocichroot/error.h"
#include "ocichroot/spec.h"

/* linux.personality and the process part below. */
int oc_procattr_validate(const struct oc_spec *spec, oc_error_t *err);
/* process.scheduler, ioPriority, execCPUAffinity, rlimits; prefix names
 * the object in errors ("process" for config.json, "" for exec
 * --process). */
int oc_procattr_validate_process(const struct oc_spec_process *p, const char *prefix, oc_error_t *err);

/* personality(2), then the process part. Call before capabilities are
 * dropped and before setuid: a real-time policy, a negative nice or the
 * RT io class need CAP_SYS_NICE / CAP_SYS_ADMIN. */
int oc_procattr_apply(const struct oc_spec *spec, oc_error_t *err);
/* sched_setattr(2), ioprio_set(2), then the cpu affinity: `final` when
 * given, else `initial` (init is already in the container's cgroup, where
 * `final` belongs; a process joining later, as exec does, can call
 * oc_procattr_set_cpu_affinity(initial) before joining the cgroup). */
int oc_procattr_apply_process(const struct oc_spec_process *p, oc_error_t *err);

/* "0-3,7" -> an allocated cpu set (CPU_ALLOC, free with CPU_FREE) and its
 * size in bytes for the CPU_*_S macros. Errors: invalid cpu list "...". */
int oc_procattr_parse_cpus(const char *list, cpu_set_t **set, size_t *setsize, oc_error_t *err);
int oc_procattr_set_cpu_affinity(const char *list, oc_error_t *err);

/* process.capabilities. Every name must be known to libcap (src/spec
 * checks that already); a capability newer than the running kernel
 * (beyond cap_max_bits()) is skipped with a warning, as runc does, so a
 * profile listing CAP_CHECKPOINT_RESTORE still runs on an older kernel. */
int oc_caps_validate(const struct oc_spec_capabilities *c, oc_error_t *err);

/* Applying them takes two calls around the change of user:
 *   oc_caps_prepare(c)  while still root: drop from the bounding set what
 *                       is not listed, and PR_SET_KEEPCAPS so that the
 *                       permitted set survives setuid;
 *   (setgroups, setresgid, setresuid)
 *   oc_caps_apply(c)    set effective, permitted and inheritable to
 *                       exactly the lists, clear KEEPCAPS, set ambient.
 * c == NULL means "no capabilities object": everything is left as is,
 * like runc. Inheritable is exactly what the config lists, empty when it
 * lists nothing (CVE-2022-29162: never copied from another set). An
 * ambient capability the kernel refuses (not in both permitted and
 * inheritable) is left out with a warning. */
int oc_caps_prepare(const struct oc_spec_capabilities *c, oc_error_t *err);
int oc_caps_apply(const struct oc_spec_capabilities *c, oc_error_t *err);

#endif
