/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The typed view of an OCI bundle's config.json (runtime-spec v1.2,
 * config.md + config-linux.md). oc_spec_load()/oc_spec_parse() read, decode
 * and validate the whole file before returning, so a caller holding a
 * struct oc_spec may act on it without re-checking shapes: every error a
 * well-formed-but-wrong config can produce is reported here, with
 * FILE:LINE:COL and the JSON path, before the first side effect.
 *
 * Conventions:
 *   - strings are char * (NULL when absent);
 *   - arrays are `T *x; size_t n_x` (strings: `char **x; size_t n_x`, and
 *     string arrays are also NULL-terminated, ready for execve());
 *   - optional numbers/bools carry `bool has_<name>` beside them;
 *   - an absent object is a NULL pointer, so "absent" and "empty" differ
 *     (spec->linux == NULL vs spec->linux->n_namespaces == 0);
 *   - JSON maps (annotations, sysctl, unified, ...) become parallel
 *     key/value arrays in file order;
 *   - `json` members point into the parsed document, kept alive by the
 *     owning struct, so code acting later can still report an error at the
 *     place it comes from: oc_json_error(m->json, err, "mounts[%zu]: ...").
 *     NULL for values built in memory rather than parsed.
 * Everything is owned by the top-level struct; free with its destructor. */
#ifndef OCICHROOT_SPEC_H
#define OCICHROOT_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ocichroot/error.h"

/* gnu11 predefines `linux` as 1; the spec's member is called linux. Code
 * that wants the platform test uses __linux__. */
#undef linux

struct oc_json;
struct oc_json_doc;

/* Limits on the input (STYLE.md rule 5: config.json is hostile input). */
#define OC_SPEC_MAX_SIZE (4u * 1024 * 1024)
#define OC_SPEC_MAX_DEPTH 64

enum oc_ns_type {
	OC_NS_PID = 0,
	OC_NS_NETWORK,
	OC_NS_IPC,
	OC_NS_UTS,
	OC_NS_MOUNT,
	OC_NS_USER,
	OC_NS_CGROUP,
	OC_NS_TIME,
	OC_NS__MAX
};

enum oc_hook_kind {
	OC_HOOK_PRESTART = 0, /* deprecated in the spec, still run by runc */
	OC_HOOK_CREATE_RUNTIME,
	OC_HOOK_CREATE_CONTAINER,
	OC_HOOK_START_CONTAINER,
	OC_HOOK_POSTSTART,
	OC_HOOK_POSTSTOP,
	OC_HOOK__MAX
};

/* ---- root, mounts ------------------------------------------------------ */

struct oc_spec_root {
	char *path; /* required */
	bool readonly;
	const struct oc_json *json;
};

/* linux.uidMappings / gidMappings and mounts[].uidMappings (idmapped mounts) */
struct oc_spec_idmap {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
	const struct oc_json *json;
};

struct oc_spec_mount {
	char *destination; /* required; always absolute after decoding: a
			    * relative one is joined to "/" as runc 1.1 does */
	char *source;
	char *type;
	char **options;
	size_t n_options;
	struct oc_spec_idmap *uid_mappings;
	size_t n_uid_mappings;
	struct oc_spec_idmap *gid_mappings;
	size_t n_gid_mappings;
	const struct oc_json *json;
};

/* ---- process ----------------------------------------------------------- */

struct oc_spec_console_size {
	uint32_t height;
	uint32_t width;
	const struct oc_json *json;
};

struct oc_spec_user {
	uint32_t uid;
	uint32_t gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username; /* Windows only; kept, unused on Linux */
	const struct oc_json *json;
};

struct oc_spec_rlimit {
	char *type;   /* "RLIMIT_NOFILE" ... (validated) */
	int resource; /* its RLIMIT_* value, filled by validation */
	uint64_t soft;
	uint64_t hard;
	const struct oc_json *json;
};

/* Names as written ("CAP_SYS_ADMIN"); validation checks each with
 * cap_from_name(). Absent list == empty list. */
struct oc_spec_capabilities {
	char **bounding;
	size_t n_bounding;
	char **effective;
	size_t n_effective;
	char **inheritable;
	size_t n_inheritable;
	char **permitted;
	size_t n_permitted;
	char **ambient;
	size_t n_ambient;
	const struct oc_json *json;
};

struct oc_spec_scheduler {
	char *policy; /* required: SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH,
		       * SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE */
	bool has_nice;
	int32_t nice;
	bool has_priority;
	int32_t priority;
	char **flags; /* SCHED_FLAG_* */
	size_t n_flags;
	bool has_runtime;
	uint64_t runtime;
	bool has_deadline;
	uint64_t deadline;
	bool has_period;
	uint64_t period;
	const struct oc_json *json;
};

struct oc_spec_io_priority {
	char *class_; /* required: IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE */
	int32_t priority;
	const struct oc_json *json;
};

struct oc_spec_cpu_affinity {
	char *initial; /* cpu list, "0-3,7" */
	char *final;
	const struct oc_json *json;
};

struct oc_spec_process {
	bool terminal;
	struct oc_spec_console_size *console_size;
	struct oc_spec_user *user; /* NULL: uid 0, gid 0 */
	char *cwd;		   /* required by the spec; NULL when absent */
	char **env;
	size_t n_env;
	char **args; /* non-empty after validation */
	size_t n_args;
	char *command_line; /* Windows only */
	struct oc_spec_rlimit *rlimits;
	size_t n_rlimits;
	char *apparmor_profile;
	struct oc_spec_capabilities *capabilities;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj; /* -1000..1000 */
	struct oc_spec_scheduler *scheduler;
	char *selinux_label;
	struct oc_spec_io_priority *io_priority;
	struct oc_spec_cpu_affinity *exec_cpu_affinity;
	const struct oc_json *json;
	struct oc_json_doc *doc; /* owned only when from oc_spec_parse_process() */
};

/* ---- hooks ------------------------------------------------------------- */

struct oc_spec_hook {
	char *path; /* required, absolute */
	char **args;
	size_t n_args;
	char **env;
	size_t n_env;
	bool has_timeout;
	int timeout; /* seconds, > 0 */
	const struct oc_json *json;
};

struct oc_spec_hooks {
	struct oc_spec_hook *hooks[OC_HOOK__MAX];
	size_t n_hooks[OC_HOOK__MAX];
	const struct oc_json *json;
};

/* ---- linux ------------------------------------------------------------- */

struct oc_spec_namespace {
	enum oc_ns_type type;
	char *path; /* NULL (or "" in the file): create a new one;
		     * else absolute, join it */
	const struct oc_json *json;
};

/* linux.timeOffsets: map clock name -> offset, in file order */
struct oc_spec_time_offset {
	char *clock; /* "monotonic" or "boottime" */
	int64_t secs;
	uint32_t nanosecs;
	const struct oc_json *json;
};

struct oc_spec_device {
	char type; /* 'c', 'b', 'u' or 'p' */
	char *path;
	int64_t major; /* required for c, b, u */
	int64_t minor;
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid;
	uint32_t uid;
	bool has_gid;
	uint32_t gid;
	const struct oc_json *json;
};

/* linux.netDevices: map host interface name -> { name } */
struct oc_spec_net_device {
	char *host_name;
	char *name; /* name inside the container; NULL keeps host_name */
	const struct oc_json *json;
};

/* linux.resources.devices[] (device cgroup rules) */
struct oc_spec_device_rule {
	bool allow;
	char type; /* 'a', 'c', 'b'; 'a' when absent */
	bool has_major;
	int64_t major;
	bool has_minor;
	int64_t minor;
	char *access; /* subset of "rwm"; NULL == "rwm" */
	const struct oc_json *json;
};

struct oc_spec_memory {
	bool has_limit;
	int64_t limit;
	bool has_reservation;
	int64_t reservation;
	bool has_swap;
	int64_t swap;
	bool has_kernel;
	int64_t kernel;
	bool has_kernel_tcp;
	int64_t kernel_tcp;
	bool has_swappiness;
	uint64_t swappiness;
	bool has_disable_oom_killer;
	bool disable_oom_killer;
	bool has_use_hierarchy;
	bool use_hierarchy;
	bool has_check_before_update;
	bool check_before_update;
	const struct oc_json *json;
};

struct oc_spec_cpu {
	bool has_shares;
	uint64_t shares;
	bool has_quota;
	int64_t quota;
	bool has_burst;
	uint64_t burst;
	bool has_period;
	uint64_t period;
	bool has_realtime_runtime;
	int64_t realtime_runtime;
	bool has_realtime_period;
	uint64_t realtime_period;
	char *cpus;
	char *mems;
	bool has_idle;
	int64_t idle;
	const struct oc_json *json;
};

struct oc_spec_pids {
	bool has_limit;
	int64_t limit;
	const struct oc_json *json;
};

struct oc_spec_weight_device {
	int64_t major;
	int64_t minor;
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
	const struct oc_json *json;
};

struct oc_spec_throttle_device {
	int64_t major;
	int64_t minor;
	uint64_t rate;
	const struct oc_json *json;
};

struct oc_spec_blockio {
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
	struct oc_spec_weight_device *weight_device;
	size_t n_weight_device;
	struct oc_spec_throttle_device *throttle_read_bps_device;
	size_t n_throttle_read_bps_device;
	struct oc_spec_throttle_device *throttle_write_bps_device;
	size_t n_throttle_write_bps_device;
	struct oc_spec_throttle_device *throttle_read_iops_device;
	size_t n_throttle_read_iops_device;
	struct oc_spec_throttle_device *throttle_write_iops_device;
	size_t n_throttle_write_iops_device;
	const struct oc_json *json;
};

struct oc_spec_hugepage_limit {
	char *page_size; /* "2MB", "1GB" ... */
	uint64_t limit;
	const struct oc_json *json;
};

struct oc_spec_net_priority {
	char *name;
	uint32_t priority;
	const struct oc_json *json;
};

struct oc_spec_network {
	bool has_class_id;
	uint32_t class_id;
	struct oc_spec_net_priority *priorities;
	size_t n_priorities;
	const struct oc_json *json;
};

/* linux.resources.rdma: map device name -> limits */
struct oc_spec_rdma {
	char *device;
	bool has_hca_handles;
	uint32_t hca_handles;
	bool has_hca_objects;
	uint32_t hca_objects;
	const struct oc_json *json;
};

struct oc_spec_resources {
	struct oc_spec_device_rule *devices;
	size_t n_devices;
	struct oc_spec_memory *memory;
	struct oc_spec_cpu *cpu;
	struct oc_spec_pids *pids;
	struct oc_spec_blockio *blockio;
	struct oc_spec_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	struct oc_spec_network *network;
	struct oc_spec_rdma *rdma;
	size_t n_rdma;
	char **unified_keys; /* cgroup v2 file name -> value */
	char **unified_values;
	size_t n_unified;
	const struct oc_json *json;
	struct oc_json_doc *doc; /* owned only when from oc_spec_parse_resources() */
};

struct oc_spec_intel_rdt {
	char *clos_id;
	char *l3_cache_schema;
	char *mem_bw_schema;
	bool enable_cmt;
	bool enable_mbm;
	const struct oc_json *json;
};

struct oc_spec_seccomp_arg {
	uint32_t index;
	uint64_t value;
	bool has_value_two;
	uint64_t value_two;
	char *op; /* SCMP_CMP_* (validated) */
	const struct oc_json *json;
};

struct oc_spec_seccomp_syscall {
	char **names;
	size_t n_names;
	char *action; /* SCMP_ACT_* (validated) */
	bool has_errno_ret;
	uint32_t errno_ret;
	struct oc_spec_seccomp_arg *args;
	size_t n_args;
	const struct oc_json *json;
};

struct oc_spec_seccomp {
	char *default_action; /* SCMP_ACT_* (validated) */
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures; /* SCMP_ARCH_* (validated) */
	size_t n_architectures;
	char **flags; /* SECCOMP_FILTER_FLAG_* */
	size_t n_flags;
	char *listener_path;
	char *listener_metadata;
	struct oc_spec_seccomp_syscall *syscalls;
	size_t n_syscalls;
	const struct oc_json *json;
};

struct oc_spec_personality {
	char *domain; /* "LINUX" or "LINUX32" */
	char **flags;
	size_t n_flags;
	const struct oc_json *json;
};

struct oc_spec_memory_policy {
	char *mode; /* MPOL_* */
	char *nodes;
	char **flags; /* MPOL_F_* */
	size_t n_flags;
	const struct oc_json *json;
};

struct oc_spec_linux {
	struct oc_spec_namespace *namespaces;
	size_t n_namespaces;
	struct oc_spec_idmap *uid_mappings;
	size_t n_uid_mappings;
	struct oc_spec_idmap *gid_mappings;
	size_t n_gid_mappings;
	struct oc_spec_time_offset *time_offsets;
	size_t n_time_offsets;
	struct oc_spec_device *devices;
	size_t n_devices;
	struct oc_spec_net_device *net_devices;
	size_t n_net_devices;
	char *cgroups_path;
	struct oc_spec_resources *resources;
	struct oc_spec_intel_rdt *intel_rdt;
	char **sysctl_keys;
	char **sysctl_values;
	size_t n_sysctl;
	struct oc_spec_seccomp *seccomp;
	char *rootfs_propagation; /* "shared", "slave", "private", "unbindable",
				   * and the r- forms */
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	char *mount_label;
	struct oc_spec_personality *personality;
	struct oc_spec_memory_policy *memory_policy;
	const struct oc_json *json;
};

/* ---- the whole config -------------------------------------------------- */

struct oc_spec {
	char *oci_version; /* required, major version 1 */
	struct oc_spec_root *root;
	struct oc_spec_mount *mounts;
	size_t n_mounts;
	struct oc_spec_process *process; /* may be NULL here; create requires it */
	char *hostname;
	char *domainname;
	struct oc_spec_hooks *hooks;
	char **annotation_keys;
	char **annotation_values;
	size_t n_annotations;
	struct oc_spec_linux *linux;
	const struct oc_json *json;
	struct oc_json_doc *doc; /* owns the document the json members point into */
};

/* Read `path` (at most OC_SPEC_MAX_SIZE bytes), parse, decode and validate.
 * Error positions name `path` as given ("config.json:14:19: ..."). */
int oc_spec_load(const char *path, struct oc_spec **out, oc_error_t *err);
int oc_spec_parse(const char *buf, size_t len, const char *filename, struct oc_spec **out, oc_error_t *err);
void oc_spec_free(struct oc_spec *s);

/* The equivalent of `runc spec` (and `runc spec --rootless`, mapping the
 * calling uid/gid to root), pretty-printed with tabs, no trailing newline.
 * Never NULL. */
char *oc_spec_default_json(bool rootless);

/* `exec --process FILE`: a bare process object, decoded and validated as
 * config.json's "process" (paths in errors start at the object's members:
 * "args: ..."). */
int oc_spec_parse_process(const char *buf, size_t len, const char *filename, struct oc_spec_process **out,
			  oc_error_t *err);
void oc_spec_process_free(struct oc_spec_process *p);

/* `update --resources FILE`: a bare linux.resources object. */
int oc_spec_parse_resources(const char *buf, size_t len, const char *filename, struct oc_spec_resources **out,
			    oc_error_t *err);
void oc_spec_resources_free(struct oc_spec_resources *r);

/* "pid", "network", "ipc", "uts", "mount", "user", "cgroup", "time" */
const char *oc_ns_type_name(enum oc_ns_type t);
/* -1 when unknown */
int oc_ns_type_from_name(const char *name);
/* "prestart", "createRuntime", "createContainer", "startContainer",
 * "poststart", "poststop" */
const char *oc_hook_kind_name(enum oc_hook_kind k);

/* The namespace entry of type t, or NULL when the spec does not ask for it. */
const struct oc_spec_namespace *oc_spec_find_namespace(const struct oc_spec *s, enum oc_ns_type t);

/* The RLIMIT_* value of "RLIMIT_NOFILE" etc., -1 when unknown. */
int oc_spec_rlimit_resource(const char *name);

/* Validate an already decoded spec (oc_spec_parse/load do this already). */
int oc_spec_validate(const struct oc_spec *s, oc_error_t *err);

static inline void oc_spec_freep(struct oc_spec **s)
{
	oc_spec_free(*s);
}
static inline void oc_spec_process_freep(struct oc_spec_process **p)
{
	oc_spec_process_free(*p);
}
static inline void oc_spec_resources_freep(struct oc_spec_resources **r)
{
	oc_spec_resources_free(*r);
}
#define cleanup_spec __attribute__((cleanup(oc_spec_freep)))
#define cleanup_spec_process __attribute__((cleanup(oc_spec_process_freep)))
#define cleanup_spec_resources __attribute__((cleanup(oc_spec_resources_freep)))

#endif
