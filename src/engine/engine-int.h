/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to src/engine: the container context shared by the parent side
 * (container.c) and the container's init (init.c), and the sync protocol
 * between them (docs/sync-protocol.md). */
#ifndef OC_ENGINE_INT_H
#define OC_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ocichroot/engine.h"
#include "ocichroot/error.h"
#include "ocichroot/spec.h"

struct oc_ctx {
	const struct oc_runtime *rt;
	const struct oc_create_opts *opts;
	struct oc_spec *spec;
	char *id;
	char *bundle; /* absolute, real */
	char *rootfs; /* absolute, real */
	int state_dirfd; /* the container's directory in the state root */
	int sync_fd;	 /* our end of the parent/child socket */
	int clone_flags; /* CLONE_NEW* of the namespaces created new */
	bool new_userns;
	bool join_userns; /* a user namespace given by path */
	/* namespaces given by path, opened before clone (-1: none) */
	int ns_fds[OC_NS__MAX];
	bool in_init;	 /* this is the container's init, not the runtime */
	bool best_effort; /* the policy: fall back (and record) or fail */
	bool mknod_refused; /* init: bind device nodes from the host from now on */
	bool is_exec;	 /* an exec'd process, not init */
	int procfd;	 /* the host's /proc, checked, opened before the root switch */
	int stubfd;	 /* the sealed exec stub (CVE-2019-5736), -1: none */
	struct oc_seccomp *seccomp; /* compiled before clone; NULL: none */
	struct oc_state *state;	    /* what create will save; hooks get it */
	struct oc_cgroup *cgroup;   /* NULL: none (disabled, or rootless) */
	bool unshare_cgroupns;	    /* init makes its cgroup namespace after GO */
	int *idmap_fds;		    /* per spec mount: the detached idmapped tree
				     * of an idmapped mount, -1 for the others */
	int deferred_flags;	    /* CLONE_NEW* init makes after joining a
				     * user namespace by path */
	char **degraded; /* fallbacks taken, for the state's annotation */
	size_t n_degraded;
};

/* ---- sync protocol ------------------------------------------------------ */

enum oc_sync_type {
	OC_SYNC_GO = 1,	       /* parent -> child: id maps written, in the cgroup */
	OC_SYNC_PTY,	       /* child -> parent: the pty master (fd attached) */
	OC_SYNC_READY,	       /* child -> parent: set up, waiting for start */
	OC_SYNC_ERROR,	       /* child -> parent: code + message, then exit */
	OC_SYNC_NOTE,	       /* child -> parent: a fallback taken (text) */
	OC_SYNC_HOOKS,	       /* child -> parent: mounts done, run prestart and
				* createRuntime hooks, answer GO */
	OC_SYNC_SECCOMP_FD,    /* child -> parent: seccomp notify fd (attached) */
	OC_SYNC_PID,	       /* child -> parent: the real init's pid (text),
				* after a fork into a pid namespace */
};

#define OC_SYNC_MAX_TEXT 4000

struct oc_sync_msg {
	uint32_t type;
	int32_t code; /* errno for OC_SYNC_ERROR */
	uint32_t len; /* bytes of text, no NUL */
	char text[OC_SYNC_MAX_TEXT + 1];
};

int oc_sync_send(int fd, enum oc_sync_type type, int32_t code, const char *text, int pass_fd, oc_error_t *err);
/* EOF is an error with code ECONNRESET: the peer died. *recv_fd is -1 when
 * no descriptor came with the message. */
int oc_sync_recv(int fd, struct oc_sync_msg *m, int *recv_fd, oc_error_t *err);
/* Wait for one message of the given type (a descriptor with it is closed). */
int oc_sync_expect(int fd, enum oc_sync_type type, oc_error_t *err);

/* ---- namespaces ---------------------------------------------------------- */

int oc_ns_clone_flag(enum oc_ns_type t);
/* Fill ctx->clone_flags, ctx->ns_fds from the spec. */
int oc_ns_prepare(struct oc_ctx *ctx, oc_error_t *err);
/* Parent, around clone(): enter the namespaces given by path that the
 * parent can enter and leave again (all but user and mount), remembering
 * its own in saved[]. A new time namespace is made here too, with its
 * offsets, and CLONE_NEWTIME taken out of *clone_flags. */
int oc_ns_enter_for_clone(struct oc_ctx *ctx, int saved[OC_NS__MAX], int *clone_flags, oc_error_t *err);
int oc_ns_restore(int saved[OC_NS__MAX], oc_error_t *err);
/* Child: join the user and mount namespaces given by path. */
int oc_ns_join_in_child(struct oc_ctx *ctx, oc_error_t *err);
/* /proc, checked to be procfs (for every write of id maps). */
int oc_ns_open_proc(int *out, oc_error_t *err);
/* Write one of pid's id maps ("uid_map", "gid_map") through procfd. */
int oc_ns_write_map(int procfd, pid_t pid, const char *file, const struct oc_spec_idmap *m, size_t n,
		    oc_error_t *err);
/* Parent: write uid_map/gid_map of the new user namespace of pid. */
int oc_ns_write_idmaps(struct oc_ctx *ctx, pid_t pid, oc_error_t *err);
void oc_ns_close(struct oc_ctx *ctx);

/* ---- the container's init ------------------------------------------------ */

/* Runs in the cloned child; never returns. */
__attribute__((noreturn)) void oc_init_main(struct oc_ctx *ctx);

/* ---- mounts and root ----------------------------------------------------- */

int oc_mounts_setup(struct oc_ctx *ctx, int *rootfd, oc_error_t *err);
/* idmap.c: the runtime makes detached idmapped copies of the sources of
 * idmapped mounts before clone; init moves each onto its destination. */
int oc_idmap_prepare(struct oc_ctx *ctx, oc_error_t *err);
void oc_idmap_release(struct oc_ctx *ctx);
int oc_idmap_mount(int tree, int dst, const char *dest, oc_error_t *err);
int oc_mounts_finalize(struct oc_ctx *ctx, oc_error_t *err); /* after the root switch */

/* ---- process ------------------------------------------------------------- */

/* Resolve args[0] against PATH of the container's environment, inside the
 * (already switched) root. Errors name the executable the way podman
 * recognises (127 / 126). */
int oc_process_lookup(const struct oc_spec_process *p, char **path, oc_error_t *err);
int oc_process_setup_pre_exec(struct oc_ctx *ctx, oc_error_t *err);
/* seccomp with no_new_privs: the last step before execve. */
int oc_process_load_seccomp_late(struct oc_ctx *ctx, oc_error_t *err);
/* The hook state JSON of the container as init sees itself. */
char *oc_ctx_hook_state(struct oc_ctx *ctx, int status, pid_t pid);
int oc_process_setup_user(const struct oc_spec_process *p, oc_error_t *err);

/* Reset signals, close-on-exec everything above stdio + preserve_fds, and
 * execve; on failure print to the container's stderr and _exit(127/126). */
__attribute__((noreturn)) void oc_process_exec(const struct oc_spec_process *p, const char *exe, int preserve_fds,
					      int stubfd);

/* execstub.c: the sealed memfd of the exec stub (*out = -1 where none is
 * built), and the exec through it; returns only when that was refused. */
int oc_execstub_open(int *out, oc_error_t *err);
void oc_execstub_exec(int stubfd, const char *exe, char *const *args, char *const *env);

/* Foreground run/exec: forward signals to pid, relay the pty master when
 * >= 0, reap pid and give its status (128+N for signal N). All signals must
 * be blocked by the caller (they are read from a signalfd). */
int oc_wait_foreground(pid_t pid, int master, int *exit_status, oc_error_t *err);

/* Parent side of the sync socket after clone/fork: forward a PTY message to
 * the console socket (or keep it in *pty_master), record NOTEs, and stop at
 * READY (returns 0), ERROR (returns -1) or, when eof_ok, at EOF (returns 1:
 * the child exec'd; its CLOEXEC end closed). */
int oc_sync_parent_loop(struct oc_ctx *ctx, pid_t *pid, int *pty_master, bool eof_ok, oc_error_t *err);

/* Shared by the verbs (container.c) */
struct oc_state;
int oc_container_open(const struct oc_runtime *rt, const char *id, int *dirfd, int *lockfd, struct oc_state **st,
		      oc_error_t *err);
int oc_pidfd_open_checked(pid_t pid, unsigned long long start, int *out, oc_error_t *err);
void oc_kill_and_reap(pid_t pid);
/* Make the runtime process non-dumpable (CVE-2019-5736). */
void oc_runtime_harden(void);
void oc_ctx_release(struct oc_ctx *ctx);
/* The cgroup recorded in a container's state; NULL (and 0) when none. */
int oc_container_cgroup(const struct oc_state *st, struct oc_cgroup **cg, oc_error_t *err);
int oc_write_pid_file(const char *path, pid_t pid, oc_error_t *err);

/* ---- policy (degrade.c) --------------------------------------------------- */

bool oc_policy_restricted_host(void);
int oc_policy_resolve(struct oc_ctx *ctx, oc_error_t *err);
/* err holds what the host refused. Strict: returns -1 with err naming it
 * and the step best-effort would take. Best-effort: records "<err>: <step>"
 * (a warning, and the state's degraded list), clears err, returns 0. */
int oc_ctx_fallback(struct oc_ctx *ctx, oc_error_t *err, const char *step, ...)
	__attribute__((format(printf, 3, 4)));
int oc_probe_refused_ns(int flags);
int oc_rootless_userns(struct oc_ctx *ctx, oc_error_t *err);
/* The steps of the ladder this host would make best-effort take, "; "
 * joined, or "none". Forks probes; for `features` only. */
char *oc_probe_host_steps(void);

void oc_ctx_degrade(struct oc_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
