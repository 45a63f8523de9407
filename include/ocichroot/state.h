/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state root: one directory per container id holding state.json, the
 * exec.fifo and a lock file; atomic state writes; liveness by pid + start
 * time; the OCI state JSON that `state`, `list` and hooks print.
 *
 * Pure data + files: nothing here needs root, prints or exits.
 *
 * Error codes callers may test in err->code (the message then carries no
 * strerror suffix, it is runc's text):
 *   EINVAL  "invalid container ID format"
 *   EEXIST  "container with given ID already exists"
 *   ENOENT  "container does not exist" */
#ifndef OCICHROOT_STATE_H
#define OCICHROOT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ocichroot/error.h"

#define OC_STATE_FILE "state.json"
#define OC_STATE_EXEC_FIFO "exec.fifo"
#define OC_STATE_LOCK_FILE "lock"
#define OC_STATE_ID_MAX 1024

enum oc_status {
	OC_STATUS_CREATING = 0,
	OC_STATUS_CREATED,
	OC_STATUS_RUNNING,
	OC_STATUS_STOPPED,
	OC_STATUS_PAUSED,
};

/* Every string is owned and never NULL after oc_state_read() (absent keys
 * read as ""); when building one by hand NULL strings are written as "".
 * Arrays are NULL-terminated as well as counted, so oc_strvfree() works
 * on them. */
struct oc_state {
	char *oci_version;
	char *id;
	/* What the last writer believed; oc_state_status() decides the truth. */
	enum oc_status status_saved;
	pid_t pid;                     /* container init, 0 = none yet */
	unsigned long long pid_start;  /* /proc/PID/stat field 22 */
	char *bundle;
	char *rootfs;
	char *created;                 /* oc_rfc3339_now() */
	char *owner;
	/* config.json annotations, in the order given; printed sorted by key
	 * like runc (a Go map). */
	char **annotation_keys;
	char **annotation_values;
	size_t n_annotations;
	/* The `create` process: while it is alive a "creating" state is real,
	 * once it is gone the create crashed and the container is stopped. */
	pid_t creator_pid;
	unsigned long long creator_start;
	/* Generic: "controller:path" per v1 controller, or one v2 path. */
	char **cgroup_paths;
	size_t n_cgroup_paths;
	char *cgroup_manager;
	char **degraded;               /* fallbacks taken, one line each */
	size_t n_degraded;
	bool systemd;
	bool use_terminal;
	char *config_hash;
	/* Room for private fields without a format change: key -> string. */
	char **extra_keys;
	char **extra_values;
	size_t n_extra;
};

/* --- ids, root, directories, lock --------------------------------------- */

/* Non-empty, at most OC_STATE_ID_MAX bytes, [A-Za-z0-9_+.-] only, not "."
 * or "..", no "..". Error: EINVAL "invalid container ID format" (runc 1.1). */
int oc_state_id_validate(const char *id, oc_error_t *err);

/* "/run/ocichroot" for euid 0, else "$XDG_RUNTIME_DIR/ocichroot", else
 * "/run/user/UID/ocichroot". Static storage. */
const char *oc_state_default_root(void);

/* Create path if missing (parents 0711, the root itself 0700) and return a
 * directory fd (O_RDONLY|O_DIRECTORY|O_CLOEXEC) in *rootfd. */
int oc_state_root_open(const char *path, int *rootfd, oc_error_t *err);

/* mkdirat(rootfd, id, 0711): of two concurrent creates of one id exactly
 * one succeeds; the other gets EEXIST "container with given ID already
 * exists". *dirfd is O_RDONLY|O_DIRECTORY|O_CLOEXEC. */
int oc_state_create_dir(int rootfd, const char *id, int *dirfd, oc_error_t *err);

/* ENOENT "container does not exist" when missing (or not a directory). */
int oc_state_open_dir(int rootfd, const char *id, int *dirfd, oc_error_t *err);

/* flock() the file `lock` in dirfd, blocking; hold *lockfd for the whole
 * verb and close it to unlock. If the directory was removed while we
 * waited (a concurrent delete), fails with ENOENT "container does not
 * exist" so that no verb acts on a deleted container. */
int oc_state_lock(int dirfd, bool exclusive, int *lockfd, oc_error_t *err);

/* Remove <root>/id and everything below it with unlinkat() only, never
 * following symlinks. ENOENT "container does not exist" when missing. */
int oc_state_remove_dir(int rootfd, const char *id, oc_error_t *err);

/* Sorted ids of the directories of rootfd that hold a state.json; others
 * (non-directories, dirs without state.json, invalid names) are skipped.
 * *ids is NULL-terminated (oc_strvfree) and non-NULL even when *n == 0. */
int oc_state_list(int rootfd, char ***ids, size_t *n, oc_error_t *err);

/* Does dirfd hold an exec.fifo (of any type; never followed)? */
bool oc_state_has_exec_fifo(int dirfd);

/* Name of the owner of dirfd like runc's `list` ("#UID" when unknown). */
char *oc_state_dir_owner(int dirfd);

/* --- state.json ---------------------------------------------------------- */

struct oc_state *oc_state_new(void);
void oc_state_free(struct oc_state *st);
static inline void oc_state_freep(struct oc_state **st)
{
	oc_state_free(*st);
}
#define cleanup_state __attribute__((cleanup(oc_state_freep)))

/* Set or replace (annotations, extra) / append (degraded, cgroup paths). */
void oc_state_set_annotation(struct oc_state *st, const char *key, const char *value);
void oc_state_set_extra(struct oc_state *st, const char *key, const char *value);
const char *oc_state_get_extra(const struct oc_state *st, const char *key);
void oc_state_add_degraded(struct oc_state *st, const char *what);
void oc_state_add_cgroup_path(struct oc_state *st, const char *path);

/* Atomic: state.json.tmp-* (0600, O_EXCL, O_CLOEXEC) then renameat().
 * No fsync: the root lives on tmpfs and a reboot kills the containers. */
int oc_state_write(int dirfd, const struct oc_state *st, oc_error_t *err);

/* ENOENT "container does not exist" when there is no state.json; a file
 * of the wrong shape is refused with "state.json: ..." naming the key. */
int oc_state_read(int dirfd, struct oc_state **out, oc_error_t *err);

/* --- liveness and status ------------------------------------------------- */

/* Parse /proc/PID/stat (after the last ')', comm may hold anything).
 * When the process does not exist: returns 0 with *state = 0 (start
 * untouched). Otherwise *state is the state letter ('R', 'S', 'Z', ...)
 * and *start the start time (field 22). Either out pointer may be NULL. */
int oc_proc_state(pid_t pid, char *state, unsigned long long *start, oc_error_t *err);

/* Start time of a live process; ESRCH "process PID does not exist" if gone. */
int oc_proc_start_time(pid_t pid, unsigned long long *out, oc_error_t *err);

/* Is pid alive (not a zombie) and started at start? pid <= 0 is never. */
bool oc_proc_alive(pid_t pid, unsigned long long start);

/* Never trusts the saved status:
 *   saved creating: creator alive ? creating : stopped (a crashed create)
 *   pid 0, pid gone, zombie, start time differs: stopped
 *   saved paused (set by pause; cgroups may refine): paused
 *   exec.fifo present: created, else running. */
enum oc_status oc_state_status(int dirfd, const struct oc_state *st);

const char *oc_status_name(enum oc_status status);
/* -1 for an unknown name. */
int oc_status_from_name(const char *name);

/* --- output -------------------------------------------------------------- */

/* runc's `state` object: ociVersion, id, pid, status, bundle, rootfs,
 * created, annotations (omitted when empty, sorted), owner. pid is 0 when
 * stopped. pretty: Go's MarshalIndent with two spaces. Strings escaped as
 * Go does (<, >, & as \u003c..., '/' not escaped). No trailing newline. */
char *oc_state_to_oci_json(const struct oc_state *st, enum oc_status status, bool pretty);

/* The hook stdin object (runtime-spec State): compact ociVersion, id,
 * status, pid (omitted when 0), bundle, annotations (omitted when empty). */
char *oc_state_to_hook_json(const struct oc_state *st, enum oc_status status);

/* "2024-01-02T03:04:05.123456789Z", UTC; like Go's RFC3339Nano the
 * fraction drops trailing zeros (and the dot when it is all zeros). */
char *oc_rfc3339_now(void);

#endif
