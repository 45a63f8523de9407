/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OCI mount options (config.md, "Mount options") to what the kernel takes:
 * mount(2) flags, propagation changes, mount_setattr(2) attributes for the
 * recursive r* forms, and the filesystem data string. */
#ifndef OCICHROOT_MOUNTOPT_H
#define OCICHROOT_MOUNTOPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ocichroot/error.h"

#define OC_MOUNTOPT_MAX_PROPAGATION 8

struct oc_mount_opts {
	/* MS_* flags asked for (MS_RDONLY, MS_NOSUID, ..., MS_REMOUNT, and
	 * MS_BIND|MS_REC for bind/rbind); later options win over earlier. */
	unsigned long flags;
	/* MS_* flags explicitly turned off ("rw", "suid", "exec", ...): a
	 * bind remount must clear them, not keep what the source had. */
	unsigned long clear_flags;
	/* The last propagation option (MS_SHARED/MS_SLAVE/MS_PRIVATE/
	 * MS_UNBINDABLE, with MS_REC for the r forms), 0 when none; all of
	 * them, in order, in propagation_list. */
	unsigned long propagation;
	unsigned long propagation_list[OC_MOUNTOPT_MAX_PROPAGATION];
	size_t n_propagation;
	/* MOUNT_ATTR_* for mount_setattr(2), from rro, rnosuid, ... */
	uint64_t attr_set, attr_clr;
	bool attr_recursive;
	bool bind, rbind, tmpcopyup, idmap, ridmap;
	/* The final ro/rw choice (same as flags & MS_RDONLY). */
	bool ro_requested;
	/* Options the VFS does not know, comma-joined for the filesystem
	 * ("mode=755,size=65536k"); NULL when none. */
	char *data;
};

/* Parse n options (each one element of the spec's "options" array).  An
 * element is never split at commas: it goes whole to data when it is not a
 * known option, as runc does (an SELinux context="a,b" must stay whole). */
int oc_mountopt_parse(char *const *options, size_t n, struct oc_mount_opts *out, oc_error_t *err);
void oc_mountopt_release(struct oc_mount_opts *o);

/* Apply attr_set/attr_clr to the mount open as fd (open_tree or O_PATH of
 * the mount root) with mount_setattr(2), recursively when attr_recursive.
 * Nothing to do is success. */
int oc_mountopt_mount_setattr(int fd, const struct oc_mount_opts *o, oc_error_t *err);

/* The i-th option name the parser knows (for `features`); NULL past the
 * end. */
const char *oc_mountopt_known(size_t i);

#endif
