/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine: what create, start, run, state, kill, delete and list do.
 * The CLI fills these structs from argv and calls one function per verb;
 * the engine never parses argv and never prints an error (STYLE.md). */
#ifndef OCICHROOT_ENGINE_H
#define OCICHROOT_ENGINE_H

#include <stdbool.h>
#include <sys/types.h>

#include "ocichroot/error.h"

enum oc_cgroup_manager { OC_CGROUP_CGROUPFS = 0, OC_CGROUP_SYSTEMD, OC_CGROUP_DISABLED };
enum oc_rootless { OC_ROOTLESS_AUTO = 0, OC_ROOTLESS_TRUE, OC_ROOTLESS_FALSE };
/* What to do when the host refuses part of what config.json asks
 * (docs/isolation.md): fail naming it, or take the next weaker documented
 * step, record it and warn. DEFAULT: the annotation run.ocichroot.policy,
 * else best-effort in restricted places (not root, inside a user namespace
 * or a container), strict on a normal host as root. */
enum oc_policy { OC_POLICY_DEFAULT = 0, OC_POLICY_STRICT, OC_POLICY_BEST_EFFORT };

/* Global options, before the verb. */
struct oc_runtime {
	const char *root; /* state root; never NULL after main */
	const char *log_path;
	bool log_json;
	bool debug;
	bool systemd_cgroup;
	enum oc_cgroup_manager cgroup_manager;
	enum oc_rootless rootless;
	enum oc_policy policy;
};

struct oc_create_opts {
	const char *id;
	const char *bundle; /* NULL: the current directory */
	const char *pid_file;
	const char *console_socket;
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	/* run only */
	bool foreground; /* run without --detach: we wait and may relay a tty */
	bool detach;
	bool keep;
};

int oc_engine_create(const struct oc_runtime *rt, const struct oc_create_opts *o, oc_error_t *err);
int oc_engine_start(const struct oc_runtime *rt, const char *id, oc_error_t *err);
/* Foreground run: *exit_status is the container's status (128+N when
 * killed by signal N). Detached run: 0. */
int oc_engine_run(const struct oc_runtime *rt, const struct oc_create_opts *o, int *exit_status, oc_error_t *err);
/* The OCI state JSON of a container, indented as runc prints it. */
int oc_engine_state(const struct oc_runtime *rt, const char *id, char **json, oc_error_t *err);
int oc_engine_kill(const struct oc_runtime *rt, const char *id, int sig, bool all, oc_error_t *err);
int oc_engine_delete(const struct oc_runtime *rt, const char *id, bool force, oc_error_t *err);

struct oc_list_entry {
	char *id;
	pid_t pid;
	char *status;
	char *bundle;
	char *created;
	char *owner;
	char *json; /* the entry as the OCI state object, compact */
};
int oc_engine_list(const struct oc_runtime *rt, struct oc_list_entry **out, size_t *n, oc_error_t *err);
void oc_engine_list_free(struct oc_list_entry *l, size_t n);

struct oc_exec_opts {
	const char *id;
	const char *process_file; /* --process: a process object (JSON) */
	bool tty;
	const char *console_socket;
	bool detach;
	const char *pid_file;
	const char *cwd;
	const char *const *env; /* KEY=VALUE, appended */
	int n_env;
	const char *user; /* UID[:GID] */
	const char *const *additional_gids;
	int n_additional_gids;
	const char *const *caps; /* added to bounding, effective, permitted, ambient */
	int n_caps;
	bool no_new_privs;
	const char *apparmor;
	const char *process_label;
	int preserve_fds;
	const char *cgroup; /* [CTRL:]PATH, a sub-cgroup to join */
	bool ignore_paused;
	char *const *args;
	int n_args;
};

/* Foreground: *exit_status is the command's status. */
int oc_engine_exec(const struct oc_runtime *rt, const struct oc_exec_opts *o, int *exit_status, oc_error_t *err);

int oc_engine_pause(const struct oc_runtime *rt, const char *id, oc_error_t *err);
int oc_engine_resume(const struct oc_runtime *rt, const char *id, oc_error_t *err);

/* `ps`: json: a JSON array of the container's pids; else the output of
 * ps(1) run with ps_args (default "-ef"), header plus the container's rows. */
int oc_engine_ps(const struct oc_runtime *rt, const char *id, bool json, char *const *ps_args, int n_ps_args,
		 char **out, oc_error_t *err);

/* `update`: resources from a file ("-": stdin) and/or single values;
 * NULL values are left alone. Sizes take k/m/g suffixes. */
struct oc_update_opts {
	const char *resources_file;
	const char *memory, *memory_swap, *memory_reservation, *kernel_memory, *kernel_memory_tcp;
	const char *cpu_shares, *cpu_quota, *cpu_period, *cpu_rt_period, *cpu_rt_runtime;
	const char *cpuset_cpus, *cpuset_mems;
	const char *pids_limit, *blkio_weight;
};
int oc_engine_update(const struct oc_runtime *rt, const char *id, const struct oc_update_opts *o, oc_error_t *err);

/* `events`: with stats_once, one stats event; else stats every
 * interval_ms and OOM events as they happen, until the container stops.
 * Each event is handed to emit as one JSON line. */
int oc_engine_events(const struct oc_runtime *rt, const char *id, bool stats_once, long interval_ms,
		     void (*emit)(const char *json), oc_error_t *err);

/* `features`: the runtime-spec features.md document for this binary and
 * host, indented. */
char *oc_engine_features(void);

/* `spec`: write the default config.json into bundle (NULL: the current
 * directory); an existing one is never overwritten. */
int oc_engine_write_spec(const char *bundle, bool rootless, oc_error_t *err);

/* Signal by name (with or without SIG, any case) or number. -1 if unknown. */
int oc_signal_parse(const char *s);

#endif
