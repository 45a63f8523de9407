/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.seccomp (runtime-spec config-linux.md, "Seccomp").
 *
 * The filter is compiled to BPF in the runtime, before clone:
 * oc_seccomp_prepare() resolves every name, adds every rule and asks the
 * running kernel whether it knows the flags and actions used, so every
 * error is reported before the first side effect. The container's init
 * inherits the memory and only makes one seccomp(2) call in
 * oc_seccomp_load(): no allocation, no library code after the filter is
 * in place.
 *
 * Loading a filter needs either no_new_privs or CAP_SYS_ADMIN in the
 * current user namespace: with process.noNewPrivileges the caller sets
 * no_new_privs first and loads as late as possible (just before execve);
 * without it the filter must be loaded before capabilities are dropped
 * (runc's order too).
 *
 * Built without libseccomp, prepare() with a config that asks for seccomp
 * fails with a clear error; callers never test HAVE_SECCOMP. */
#ifndef OCICHROOT_SECCOMP_H
#define OCICHROOT_SECCOMP_H

#include <stdbool.h>
#include <sys/types.h>

#include <yajl/yajl_gen.h>

#include "ocichroot/error.h"
#include "ocichroot/spec.h"

struct oc_seccomp;

/* s == NULL (no linux.seccomp): *out = NULL and 0; the rest of this API
 * accepts a NULL filter as "nothing to do".
 *
 * Decisions, following runc where it has one:
 *  - a syscall name libseccomp does not know is skipped (oc_debug): profiles
 *    list syscalls of newer kernels;
 *  - a rule whose action equals the default action is skipped: it changes
 *    nothing and libseccomp refuses it;
 *  - args naming the same index more than once become one rule per arg
 *    (any of them matches), as runc does; otherwise one rule with all the
 *    conditions (all must match);
 *  - errnoRet defaults to EPERM for SCMP_ACT_ERRNO and SCMP_ACT_TRACE and
 *    is ignored for the other actions; more than 65535 is an error;
 *  - an architecture this libseccomp does not know is skipped with a
 *    warning: it cannot be an ABI of this host;
 *  - SECCOMP_FILTER_FLAG_TSYNC is ignored (init is single-threaded);
 *    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV only means something with a
 *    listener, so without an SCMP_ACT_NOTIFY rule it is ignored (oc_debug).
 *    The flags are passed to seccomp(2) by us, not by libseccomp, so they
 *    work with libseccomp 2.5 too; a flag or action the running kernel does
 *    not know is an error here. */
int oc_seccomp_prepare(const struct oc_spec_seccomp *s, struct oc_seccomp **out, oc_error_t *err);

/* True when the filter has an SCMP_ACT_NOTIFY rule: load() then returns a
 * listener descriptor for linux.seccomp.listenerPath. */
bool oc_seccomp_has_notify(const struct oc_seccomp *sc);

/* In the container's init. *notify_fd is the listener (O_CLOEXEC, owned by
 * the caller) when the filter has an SCMP_ACT_NOTIFY rule, else -1.
 * notify_fd may be NULL only when there is no notify rule. */
int oc_seccomp_load(const struct oc_seccomp *sc, int *notify_fd, oc_error_t *err);

/* The libseccomp text form of the filter (debugging, tests). */
int oc_seccomp_export_pfc(const struct oc_seccomp *sc, int fd, oc_error_t *err);
/* Number of BPF instructions of the compiled filter. */
size_t oc_seccomp_n_insns(const struct oc_seccomp *sc);

/* runtime-spec "Seccomp" listener: connect to the unix stream socket at
 * listener_path and send, in one message with notify_fd attached as
 * SCM_RIGHTS, the containerProcessState object:
 *   {"ociVersion":…,"fds":["seccompFd"],"pid":PID,"metadata":…,"state":STATE}
 * state_json is the container's state object as `state` prints it (one
 * JSON object, inserted as is); metadata may be NULL (then ""). */
int oc_seccomp_send_notify_fd(const char *listener_path, int notify_fd, pid_t pid, const char *state_json,
			      const char *metadata, oc_error_t *err);

void oc_seccomp_free(struct oc_seccomp *sc);
static inline void oc_seccomp_freep(struct oc_seccomp **sc)
{
	oc_seccomp_free(*sc);
}
#define cleanup_seccomp __attribute__((cleanup(oc_seccomp_freep)))

/* For the `features` verb (runtime-spec features-linux.md): writes the
 * value of linux.seccomp, an object {"enabled", "actions", "operators",
 * "archs", "knownFlags", "supportedFlags"} (only "enabled": false when
 * built without libseccomp). */
void oc_seccomp_features_gen(yajl_gen g);

#endif
