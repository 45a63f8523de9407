/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OCI mount options -> mount(2) flags, propagation, mount_setattr(2)
 * attributes and filesystem data (see mountopt.h).
 *
 * The classic options ("ro", "nosuid", "rbind", "rslave", ...) take their
 * MS_* values from libmount's Linux option map, the table mount(8) uses,
 * instead of a copy kept here.  We still name which options we accept:
 * libmount also knows mount(8) conveniences ("user" = noexec,nosuid,nodev,
 * "owner", ...) that runc hands to the filesystem as data, and a drop-in
 * must not silently give such a word a different meaning.  What libmount
 * has no notion of (the recursive r* attributes of mount_setattr,
 * tmpcopyup, idmap, ridmap) is handled explicitly below. */
#include <errno.h>
#include <fcntl.h>
#include <libmount/libmount.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/mountopt.h"

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#define MOUNT_ATTR__ATIME 0x00000070
#define MOUNT_ATTR_RELATIME 0x00000000
#define MOUNT_ATTR_NOATIME 0x00000010
#define MOUNT_ATTR_STRICTATIME 0x00000020
#define MOUNT_ATTR_NODIRATIME 0x00000080
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif

#define PROPAGATION_MASK (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

/* The non-recursive options of the runtime-spec table (plus "symfollow",
 * the inverse libmount and runc also accept).  `fallback` is used only
 * when the linked libmount lacks the option (nosymfollow came in 2.38). */
static const struct {
	const char *name;
	unsigned long fallback;
	bool fallback_clears;
} vfs_options[] = {
	{"async", 0, false},       {"atime", 0, false},       {"bind", 0, false},
	{"defaults", 0, false},    {"dev", 0, false},         {"diratime", 0, false},
	{"dirsync", 0, false},     {"exec", 0, false},        {"iversion", 0, false},
	{"lazytime", 0, false},    {"loud", 0, false},        {"mand", 0, false},
	{"noatime", 0, false},     {"nodev", 0, false},       {"nodiratime", 0, false},
	{"noexec", 0, false},      {"noiversion", 0, false},  {"nolazytime", 0, false},
	{"nomand", 0, false},      {"norelatime", 0, false},  {"nostrictatime", 0, false},
	{"nosuid", 0, false},      {"private", 0, false},     {"rbind", 0, false},
	{"relatime", 0, false},    {"remount", 0, false},     {"ro", 0, false},
	{"rprivate", 0, false},    {"rshared", 0, false},     {"rslave", 0, false},
	{"runbindable", 0, false}, {"rw", 0, false},          {"shared", 0, false},
	{"silent", 0, false},      {"slave", 0, false},       {"strictatime", 0, false},
	{"suid", 0, false},        {"sync", 0, false},        {"unbindable", 0, false},
	{"nosymfollow", MS_NOSYMFOLLOW, false},
	{"symfollow", MS_NOSYMFOLLOW, true},
};

enum attr_kind { ATTR_SET, ATTR_CLR, ATTR_ATIME };

/* The recursive forms, applied with mount_setattr(AT_RECURSIVE) because
 * mount(MS_REMOUNT|MS_BIND|MS_REC) changes only the top mount: a
 * read-only rbind of a tree with submounts would leave them writable.
 *
 * atime is a choice of one mode (the kernel wants all of MOUNT_ATTR__ATIME
 * in attr_clr together with the new mode, or EINVAL), so the negative
 * forms pick a mode too: "ratime" and "rnostrictatime" go back to the
 * kernel default, relatime; "rnorelatime" asks for neither relatime nor
 * noatime, which leaves strictatime. */
static const struct {
	const char *name;
	enum attr_kind kind;
	uint64_t attr;
} rec_options[] = {
	{"rro", ATTR_SET, MOUNT_ATTR_RDONLY},
	{"rrw", ATTR_CLR, MOUNT_ATTR_RDONLY},
	{"rnosuid", ATTR_SET, MOUNT_ATTR_NOSUID},
	{"rsuid", ATTR_CLR, MOUNT_ATTR_NOSUID},
	{"rnodev", ATTR_SET, MOUNT_ATTR_NODEV},
	{"rdev", ATTR_CLR, MOUNT_ATTR_NODEV},
	{"rnoexec", ATTR_SET, MOUNT_ATTR_NOEXEC},
	{"rexec", ATTR_CLR, MOUNT_ATTR_NOEXEC},
	{"rnodiratime", ATTR_SET, MOUNT_ATTR_NODIRATIME},
	{"rdiratime", ATTR_CLR, MOUNT_ATTR_NODIRATIME},
	{"rnosymfollow", ATTR_SET, MOUNT_ATTR_NOSYMFOLLOW},
	{"rsymfollow", ATTR_CLR, MOUNT_ATTR_NOSYMFOLLOW},
	{"rnoatime", ATTR_ATIME, MOUNT_ATTR_NOATIME},
	{"rstrictatime", ATTR_ATIME, MOUNT_ATTR_STRICTATIME},
	{"rrelatime", ATTR_ATIME, MOUNT_ATTR_RELATIME},
	{"ratime", ATTR_ATIME, MOUNT_ATTR_RELATIME},
	{"rnostrictatime", ATTR_ATIME, MOUNT_ATTR_RELATIME},
	{"rnorelatime", ATTR_ATIME, MOUNT_ATTR_STRICTATIME},
};

static int apply_rec(struct oc_mount_opts *o, const char *opt)
{
	for (size_t i = 0; i < OC_ARRAY_SIZE(rec_options); i++) {
		uint64_t a = rec_options[i].attr;

		if (strcmp(opt, rec_options[i].name) != 0)
			continue;
		switch (rec_options[i].kind) {
		case ATTR_SET:
			o->attr_set |= a;
			o->attr_clr &= ~a;
			break;
		case ATTR_CLR:
			o->attr_clr |= a;
			o->attr_set &= ~a;
			break;
		case ATTR_ATIME:
			o->attr_clr |= MOUNT_ATTR__ATIME;
			o->attr_set = (o->attr_set & ~(uint64_t) MOUNT_ATTR__ATIME) | a;
			break;
		}
		o->attr_recursive = true;
		return 1;
	}
	return 0;
}

/* 1 when opt is one of vfs_options (set/clr filled), 0 when not. */
static int lookup_vfs(const char *opt, unsigned long *set, unsigned long *clr)
{
	const struct libmnt_optmap *map = mnt_get_builtin_optmap(MNT_LINUX_MAP);

	for (size_t i = 0; i < OC_ARRAY_SIZE(vfs_options); i++) {
		unsigned long s = 0, keep = ~0UL;

		if (strcmp(opt, vfs_options[i].name) != 0)
			continue;
		/* Asked twice, from all-clear and from all-set, libmount's
		 * answer tells both the bits the option sets and the bits an
		 * inverted option ("rw", "suid") clears. */
		if (map != NULL && mnt_optstr_get_flags(opt, &s, map) == 0 &&
		    mnt_optstr_get_flags(opt, &keep, map) == 0 && (s != 0 || keep != ~0UL)) {
			*set = s;
			*clr = ~keep;
			return 1;
		}
		*set = vfs_options[i].fallback_clears ? 0 : vfs_options[i].fallback;
		*clr = vfs_options[i].fallback_clears ? vfs_options[i].fallback : 0;
		return 1;
	}
	return 0;
}

static void append_data(struct oc_mount_opts *o, const char *opt)
{
	char *d;

	if (o->data == NULL) {
		o->data = oc_xstrdup(opt);
		return;
	}
	d = oc_xasprintf("%s,%s", o->data, opt);
	free(o->data);
	o->data = d;
}

static int apply_one(struct oc_mount_opts *o, const char *opt, oc_error_t *err)
{
	unsigned long set = 0, clr = 0;

	if (*opt == '\0')
		return oc_error_set(err, 0, "empty mount option");
	if (strcmp(opt, "tmpcopyup") == 0) {
		o->tmpcopyup = true;
		return 0;
	}
	/* The id map itself (userns fd for MOUNT_ATTR_IDMAP) comes from the
	 * mount's uidMappings/gidMappings; the caller builds it. */
	if (strcmp(opt, "idmap") == 0) {
		o->idmap = true;
		return 0;
	}
	if (strcmp(opt, "ridmap") == 0) {
		o->idmap = o->ridmap = true;
		return 0;
	}
	if (apply_rec(o, opt))
		return 0;
	if (!lookup_vfs(opt, &set, &clr)) {
		append_data(o, opt);
		return 0;
	}
	if (set & PROPAGATION_MASK) {
		if (o->n_propagation == OC_MOUNTOPT_MAX_PROPAGATION)
			return oc_error_set(err, 0, "mount option `%s`: more than %d propagation options", opt,
					    OC_MOUNTOPT_MAX_PROPAGATION);
		o->propagation = set & (PROPAGATION_MASK | MS_REC);
		o->propagation_list[o->n_propagation++] = o->propagation;
		return 0;
	}
	if (set & MS_BIND) {
		/* bind after rbind keeps MS_REC, as runc ORs the flags. */
		o->bind = true;
		if (set & MS_REC)
			o->rbind = true;
	}
	o->flags = (o->flags | set) & ~clr;
	o->clear_flags = (o->clear_flags | clr) & ~set;
	return 0;
}

int oc_mountopt_parse(char *const *options, size_t n, struct oc_mount_opts *out, oc_error_t *err)
{
	struct oc_mount_opts o = {0};

	for (size_t i = 0; i < n; i++) {
		if (apply_one(&o, options[i], err) < 0) {
			oc_mountopt_release(&o);
			return -1;
		}
	}
	o.ro_requested = (o.flags & MS_RDONLY) != 0;
	*out = o;
	return 0;
}

void oc_mountopt_release(struct oc_mount_opts *o)
{
	if (o == NULL)
		return;
	free(o->data);
	o->data = NULL;
}

/* struct mount_attr, spelled out so that older libc headers do not matter
 * (MOUNT_ATTR_SIZE_VER0, 32 bytes). */
struct oc_mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation;
	uint64_t userns_fd;
};

int oc_mountopt_mount_setattr(int fd, const struct oc_mount_opts *o, oc_error_t *err)
{
	struct oc_mount_attr attr = {.attr_set = o->attr_set, .attr_clr = o->attr_clr};
	unsigned int flags = AT_EMPTY_PATH;

	if (attr.attr_set == 0 && attr.attr_clr == 0)
		return 0;
	if (o->attr_recursive)
		flags |= AT_RECURSIVE;
	if (syscall(SYS_mount_setattr, fd, "", flags, &attr, sizeof attr) < 0)
		return oc_error_sys(err, "mount_setattr");
	return 0;
}

const char *oc_mountopt_known(size_t i)
{
	static const char *const extra[] = {"tmpcopyup", "idmap", "ridmap"};

	if (i < OC_ARRAY_SIZE(vfs_options))
		return vfs_options[i].name;
	i -= OC_ARRAY_SIZE(vfs_options);
	if (i < OC_ARRAY_SIZE(rec_options))
		return rec_options[i].name;
	i -= OC_ARRAY_SIZE(rec_options);
	return i < OC_ARRAY_SIZE(extra) ? extra[i] : NULL;
}
