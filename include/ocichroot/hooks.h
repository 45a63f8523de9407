/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OCI hooks (docs/hooks.md): run the hooks of one kind, in order, each with
 * the state JSON on its stdin.
 *
 * Each hook runs with exactly its own argv and env (nothing inherited from
 * the runtime's environment), descriptors 0, 1 and 2 only, an empty signal
 * mask and default signal dispositions, in the caller's cwd, namespaces and
 * credentials. Its stdout and stderr are copied to the caller's stderr.
 *
 * The caller must not have SIGCHLD ignored by another thread (SIGCHLD is
 * reset to SIG_DFL for the duration of the call so the hook can be reaped),
 * and must not reap children with waitpid(-1) from a handler meanwhile. */
#ifndef OCICHROOT_HOOKS_H
#define OCICHROOT_HOOKS_H

#include "ocichroot/error.h"
#include "ocichroot/spec.h"

/* Run every hook of `kind` in order (hooks may be NULL: nothing to do).
 * Returns -1 at the first hook that fails, with an error naming it:
 *   "createRuntime hook #0 (`/usr/bin/foo`): exited with status 3"
 *   "...: killed by signal 9", "...: timed out after 5s",
 *   "...: exec: No such file or directory" (err->code = that errno)
 * When the hook wrote to stderr, the last line of it is appended:
 *   "...: exited with status 3 (stderr: `cannot attach network`)". */
int oc_hooks_run(const struct oc_spec_hooks *hooks, enum oc_hook_kind kind, const char *state_json, oc_error_t *err);

/* The same for poststart and poststop, whose failures the spec demotes to
 * warnings: each failure is logged with oc_warn() and the next hook runs.
 * Always returns 0. */
int oc_hooks_run_warn(const struct oc_spec_hooks *hooks, enum oc_hook_kind kind, const char *state_json);

#endif
