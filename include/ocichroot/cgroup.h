/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Control groups through cgroupfs, on pure v1, pure v2 and hybrid hosts
 * (v1 controllers plus a cgroup2 mount, usually /sys/fs/cgroup/unified).
 *
 * A struct oc_cgroup is the set of directories of one container: one per
 * mounted v1 hierarchy and/or the v2 one. Every controller is looked up
 * where it lives: a v1 hierarchy that carries it, else the v2 hierarchy
 * when the controller is available there (on a hybrid host this gives e.g.
 * hugetlb through the unified mount when no v1 hugetlb is mounted). The
 * unified directory always receives the processes too, as runc does.
 *
 * Paths (decided here, documented in oc_cgroup_inner_path()):
 *   - no linux.cgroupsPath: "/ocichroot/<id>" (runc would use "<own>/<id>";
 *     a fixed parent keeps our containers together and out of the
 *     runtime's own, possibly busy, cgroup);
 *   - absolute: from the root of every hierarchy;
 *   - relative: v1, below the runtime's own cgroup in that hierarchy; v2,
 *     below the parent of the runtime's own cgroup (runc's rule: the own
 *     cgroup has processes, so controllers cannot be enabled below it);
 *   - "..", "." and empty components are cleaned away so that no path
 *     leaves the hierarchy;
 *   - systemd mode: "slice:prefix:name" becomes
 *     "/<expanded slice>/<prefix>-<name>.scope" on cgroupfs (no systemd is
 *     asked: the first use warns once).
 *
 * Set resources whose controller is not mounted are an error naming the
 * controller (runc 1.1 fails too: "cannot set ... limit"); unset resources
 * never need their controller. network (net_cls/net_prio) has no cgroup v2
 * form and is ignored there with a warning, as runc ignores it. */
#ifndef OCICHROOT_CGROUP_H
#define OCICHROOT_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ocichroot/error.h"
#include "ocichroot/spec.h"

enum oc_cg_layout { OC_CG_V1, OC_CG_V2, OC_CG_HYBRID };

/* From /proc/self/mountinfo: only the cgroup mounts that are visible (not
 * covered by a later mount) count. */
int oc_cgroup_detect(enum oc_cg_layout *out, oc_error_t *err);
const char *oc_cgroup_layout_name(enum oc_cg_layout l); /* "v1", "v2", "hybrid" */

struct oc_cgroup_config {
	const char *id;
	const char *cgroups_path; /* linux.cgroupsPath, may be NULL */
	bool systemd;		  /* "slice:prefix:name" mapped onto cgroupfs */
	bool disabled;		  /* create nothing: *out = NULL, return 0 */
	bool rootless;		  /* mkdir refused => skip that hierarchy */
	const struct oc_spec_resources *resources; /* may be NULL */
	/* Device rules added after resources->devices, the way runc builds
	 * its list: one "allow rwm" per linux.devices entry, then (when
	 * default_devices) runc's default allowed devices (null, zero, full,
	 * random, urandom, tty, console, ptmx, pts, tun, mknod of any). */
	const struct oc_spec_device *devices;
	size_t n_devices;
	bool default_devices;
};

struct oc_cgroup;

/* mkdir in every hierarchy, apply resources, and on any failure remove
 * what was created. An existing directory is joined: not an error, and not
 * removed by destroy. Returns 0, or 1 when rootless and some hierarchy was
 * skipped for lack of permission (*out is NULL when all were skipped);
 * *out is NULL with 0 when cfg->disabled. */
int oc_cgroup_create(const struct oc_cgroup_config *cfg, struct oc_cgroup **out, oc_error_t *err);

/* Write the resources (create and `update`). Device rules are touched only
 * when r has some (r->n_devices > 0): an update without devices keeps the
 * current rules. */
int oc_cgroup_apply(struct oc_cgroup *cg, const struct oc_spec_resources *r, oc_error_t *err);
/* Same, with the extra device rules of struct oc_cgroup_config. */
int oc_cgroup_apply_full(struct oc_cgroup *cg, const struct oc_spec_resources *r, const struct oc_spec_device *devices,
			 size_t n_devices, bool default_devices, oc_error_t *err);

/* Write pid to cgroup.procs of every directory. */
int oc_cgroup_enter(struct oc_cgroup *cg, pid_t pid, oc_error_t *err);
/* `exec`: the same from the strings of oc_cgroup_to_paths(). */
int oc_cgroup_enter_paths(char *const *paths, size_t n, pid_t pid, oc_error_t *err);

/* Persistence (state.json): one string per directory,
 * "<hierarchy>:<path>" when created by us, "<hierarchy>:joined:<path>"
 * when it existed before. <hierarchy> is the v1 controller list as
 * mounted ("cpu,cpuacct", "name=systemd") or "unified" for v2. *paths is
 * NULL-terminated as well. */
int oc_cgroup_to_paths(const struct oc_cgroup *cg, char ***paths, size_t *n);
int oc_cgroup_load(char *const *paths, size_t n, struct oc_cgroup **out, oc_error_t *err);

void oc_cgroup_free(struct oc_cgroup *cg);
static inline void oc_cgroup_freep(struct oc_cgroup **cg)
{
	oc_cgroup_free(*cg);
}
#define cleanup_cgroup __attribute__((cleanup(oc_cgroup_freep)))

/* rmdir the directories we created, sub-cgroups first, retrying EBUSY for
 * about 100ms; a frozen cgroup is thawed first. Parents are kept (the
 * shared "ocichroot" parent may be in use by another create). */
int oc_cgroup_destroy(struct oc_cgroup *cg, oc_error_t *err);

/* Signal every process of every directory (recursive, deduplicated).
 * SIGKILL uses cgroup.kill when present, else freezes first so that no
 * fork escapes, signals, and thaws. */
int oc_cgroup_signal_all(struct oc_cgroup *cg, int sig, oc_error_t *err);
/* Sorted, deduplicated pids of the cgroup and its sub-cgroups. */
int oc_cgroup_pids(struct oc_cgroup *cg, pid_t **pids, size_t *n, oc_error_t *err);

/* v1 freezer.state (waits for FROZEN); else v2 cgroup.freeze (waits for
 * "frozen 1" in cgroup.events). Error when neither exists. */
int oc_cgroup_freeze(struct oc_cgroup *cg, bool freeze, oc_error_t *err);
int oc_cgroup_is_frozen(struct oc_cgroup *cg, bool *frozen, oc_error_t *err);

/* runc's `events --stats` "data" object (types/events.go Stats), compact. */
char *oc_cgroup_stats_json(struct oc_cgroup *cg, oc_error_t *err);

/* A descriptor that becomes readable on an OOM event: v1 an eventfd
 * registered on memory.oom_control (read 8 bytes), v2 an inotify watch on
 * memory.events (read the event, then compare oc_cgroup_oom_count()). */
int oc_cgroup_oom_fd(struct oc_cgroup *cg, oc_error_t *err);
int oc_cgroup_oom_count(struct oc_cgroup *cg, uint64_t *count, oc_error_t *err);

enum oc_cg_layout oc_cgroup_layout(const struct oc_cgroup *cg);
/* The directory of a hierarchy ("memory", "unified", ...) or NULL. */
const char *oc_cgroup_dir(const struct oc_cgroup *cg, const char *controller);

/* ---- pure helpers, exported for the unit tests ----------------------- */

/* The path inside a hierarchy that cfg asks for, cleaned: absolute
 * ("/ocichroot/x") or relative ("a/b", to be joined per hierarchy). */
int oc_cgroup_inner_path(const struct oc_cgroup_config *cfg, char **out, oc_error_t *err);
/* systemd "a-b.slice" -> "/a.slice/a-b.slice" */
int oc_cgroup_expand_slice(const char *slice, char **out, oc_error_t *err);
/* cpu.shares -> cpu.weight (0 stays 0: unset) */
uint64_t oc_cgroup_shares_to_weight(uint64_t shares);
/* blkio.weight (10..1000) -> io.weight (1..10000) (0 stays 0) */
uint64_t oc_cgroup_blkio_to_io_weight(uint64_t weight);
/* memory.swap.max from the v1 pair (0 = unset, -1 = unlimited): returns 1
 * with *out set (-1 = "max") when the file is to be written, 0 when not. */
int oc_cgroup_swap_to_v2(int64_t limit, int64_t swap, int64_t *out, oc_error_t *err);

/* Make discovery see `root` instead of /proc/self/mountinfo: every
 * directory below it is a v1 hierarchy named by its controller list, except
 * "unified" (cgroup2); a root holding cgroup.controllers is a pure v2 tree.
 * The runtime's own cgroup is taken as "/". NULL restores the default. */
void oc_cgroup_set_root_for_tests(const char *root);

#endif
