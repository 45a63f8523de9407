/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LSM labels: process.apparmorProfile, process.selinuxLabel and
 * linux.mountLabel.
 *
 * The labels are written by us to /proc/thread-self/attr/... through the
 * runtime's own /proc descriptor, never through a path the container can
 * reach: each opened attribute file is checked with fstatfs() to be on a
 * real procfs, so a container that mounts something over /proc cannot
 * swallow the write and run unconfined (CVE-2019-16884). libapparmor and
 * libselinux are used only to ask whether the LSM is enabled and whether a
 * label is valid.
 *
 * Built without libapparmor/libselinux, a config that asks for a profile
 * or a label fails with a clear error; callers never test HAVE_APPARMOR or
 * HAVE_SELINUX. */
#ifndef OCICHROOT_LSM_H
#define OCICHROOT_LSM_H

#include <yajl/yajl_gen.h>

#include "ocichroot/error.h"
#include "ocichroot/spec.h"

/* In the runtime, before any side effect. An empty profile or label means
 * none. Errors:
 *  - a profile when AppArmor is not enabled on the host (except the
 *    profile "unconfined": that is what the container gets anyway);
 *  - a SELinux label when SELinux is disabled, or a label SELinux says is
 *    invalid;
 *  - a mount label with a '"' or a control character (it goes into a
 *    mount option). A mount label on a host without SELinux is ignored,
 *    as runc does (oc_lsm_mount_label_option() then gives no option). */
int oc_lsm_check(const struct oc_spec_process *p, const char *mount_label, oc_error_t *err);

/* In the container's init, just before execve (after setuid is fine: a
 * task may always write its own attr/exec). procfd is the runtime's
 * checked /proc. AppArmor: "exec PROFILE" to attr/apparmor/exec, or
 * attr/exec on kernels without LSM stacking; SELinux: the label to
 * attr/exec. A failure to set "unconfined" is only logged (oc_debug): the
 * process is then as confined as the runtime, never less. */
int oc_lsm_apply_exec_labels(const struct oc_spec_process *p, int procfd, oc_error_t *err);

/* SELinux: the label for keys this task creates (attr/keycreate), so the
 * container's session keyring carries the container's label. Call before
 * creating the keyring; nothing to do without a label. */
int oc_lsm_set_keycreate_label(const struct oc_spec_process *p, int procfd, oc_error_t *err);

/* The mount option carrying linux.mountLabel: context="LABEL" (quoted,
 * since MLS labels contain commas). *opt = NULL when there is no label or
 * SELinux is not enabled. Meant for the filesystems that take it (tmpfs,
 * mqueue, devpts, ...), not for proc, sysfs, cgroup or bind mounts. */
int oc_lsm_mount_label_option(const char *label, char **opt, oc_error_t *err);
/* The option text itself, whatever the host: context="LABEL". */
char *oc_lsm_context_option(const char *label);

/* Lower level, exposed for the tests: write `text` to the file `attr`
 * (relative to dirfd), or to `fallback` (may be NULL) when `attr` does not
 * exist, refusing a file whose filesystem magic is not fs_magic
 * (PROC_SUPER_MAGIC in real use). Errors name the file as /proc/ATTR. */
int oc_lsm_write_attr(int dirfd, const char *attr, const char *fallback, const char *text, long fs_magic,
		      oc_error_t *err);

/* For the `features` verb: writes the members "apparmor": {"enabled": B}
 * and "selinux": {"enabled": B} into the map being generated (enabled:
 * built with support, as runc reports it). */
void oc_lsm_features_gen(yajl_gen g);

#endif
