/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container's filesystem: propagation, the rootfs bind, the spec's
 * mounts in order, /dev, and after the root switch the masked and
 * read-only paths. Every destination is resolved inside the rootfs by
 * src/engine/fs.c and mounted onto its descriptor (/proc/self/fd/N), so a
 * symlink the image planted can never send a mount to a host path
 * (CVE-2021-30465 class); the inode is checked again after each bind. */
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "engine-int.h"
#include "ocichroot/common.h"
#include "ocichroot/fs.h"
#include "ocichroot/log.h"
#include "ocichroot/lsm.h"
#include "ocichroot/mountopt.h"

#define FDPATH(buf, fd) snprintf((buf), sizeof(buf), "/proc/self/fd/%d", (fd))

static void mountopt_releasep(struct oc_mount_opts *o)
{
	oc_mountopt_release(o);
}
#define cleanup_mountopt __attribute__((cleanup(mountopt_releasep)))

/* Flags a bind remount must keep: in a user namespace the kernel refuses to
 * clear a flag that the source mount has locked. */
static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_RDONLY)
		f |= MS_RDONLY;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	return f;
}

#define REMOUNT_FLAGS                                                                                 \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
	 MS_STRICTATIME | MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK | MS_LAZYTIME | MS_NOSYMFOLLOW)

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

/* Remount the bind mount open as fd with the requested flags; where the
 * kernel refuses because the source locks a flag, keep the locked ones. */
static int bind_remount(int fd, unsigned long flags, const char *source_path, const char *dest, oc_error_t *err)
{
	char p[32];

	FDPATH(p, fd);
	if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | (flags & REMOUNT_FLAGS), NULL) == 0)
		return 0;
	if (errno == EPERM) {
		unsigned long keep = locked_flags(source_path ? source_path : p);
		if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | ((flags | keep) & REMOUNT_FLAGS), NULL) == 0)
			return 0;
	}
	return oc_error_sys(err, "remount `%s`", dest);
}

static int apply_propagation(int fd, const struct oc_mount_opts *o, const char *dest, oc_error_t *err)
{
	char p[32];

	FDPATH(p, fd);
	for (size_t i = 0; i < o->n_propagation; i++)
		if (mount(NULL, p, NULL, o->propagation_list[i], NULL) < 0)
			return oc_error_sys(err, "set propagation of `%s`", dest);
	return 0;
}

static int mount_bind(struct oc_ctx *ctx, int rootfd, const struct oc_spec_mount *m, const struct oc_mount_opts *o,
		      oc_error_t *err)
{
	cleanup_close int src = -1, dst = -1, mnt = -1;
	struct stat st;
	char sp[32], dp[32];

	if (m->source == NULL)
		return oc_error_set(err, 0, "mount `%s`: bind mount without a source", m->destination);
	src = open(m->source, O_PATH | O_CLOEXEC);
	if (src < 0)
		return oc_error_sys(err, "mount `%s` to `%s`: open source", m->source, m->destination);
	if (fstat(src, &st) < 0)
		return oc_error_sys(err, "stat `%s`", m->source);
	if (S_ISDIR(st.st_mode)) {
		if (oc_fs_mkdir_p_in_root(rootfd, m->destination, 0755, &dst, err) < 0)
			return oc_error_prefix(err, "mount `%s` to `%s`", m->source, m->destination);
	} else if (oc_fs_create_file_in_root(rootfd, m->destination, 0644, &dst, err) < 0) {
		return oc_error_prefix(err, "mount `%s` to `%s`", m->source, m->destination);
	}
	FDPATH(sp, src);
	FDPATH(dp, dst);
	if (o->idmap) {
		if (oc_idmap_mount(ctx->idmap_fds[m - ctx->spec->mounts], dst, m->destination, err) < 0)
			return -1;
	} else if (mount(sp, dp, NULL, MS_BIND | (o->rbind ? MS_REC : 0), NULL) < 0) {
		return oc_error_sys(err, "mount `%s` to `%s`", m->source, m->destination);
	}
	/* Re-open the destination and check that what is there now is the
	 * source: a swap of a path component between our resolution and the
	 * mount would show here. */
	if (oc_fs_open_in_root(rootfd, m->destination, O_PATH | O_CLOEXEC, 0, &mnt, err) < 0)
		return oc_error_prefix(err, "mount `%s` to `%s`", m->source, m->destination);
	if (oc_fs_check_inode(mnt, st.st_dev, st.st_ino, m->destination, err) < 0)
		return -1;
	if ((o->flags & REMOUNT_FLAGS) != 0 && bind_remount(mnt, o->flags, m->source, m->destination, err) < 0)
		return -1;
	if (oc_mountopt_mount_setattr(mnt, o, err) < 0)
		return oc_error_prefix(err, "mount `%s`", m->destination);
	return apply_propagation(mnt, o, m->destination, err);
}

/* cgroup v1 hierarchies (and the v2 one of a hybrid host) mounted on the
 * host, read from mountinfo. */
struct cg_hier {
	char *mountpoint; /* /sys/fs/cgroup/cpu */
	char *root;	  /* the cgroup shown there: "/" on a host, the outer
			   * container's own cgroup inside one */
	char *name;	  /* cpu */
	char *fstype;	  /* cgroup or cgroup2 */
	char *super_opts; /* rw,cpu */
};

static void cg_hier_free(struct cg_hier *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].mountpoint);
		free(h[i].root);
		free(h[i].name);
		free(h[i].fstype);
		free(h[i].super_opts);
	}
	free(h);
}

static int cg_hierarchies(struct cg_hier **out, size_t *n_out, bool *pure_v2, oc_error_t *err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0, n = 0;
	struct cg_hier *h = NULL;

	*pure_v2 = false;
	if (f == NULL)
		return oc_error_sys(err, "open `/proc/self/mountinfo`");
	while (getline(&line, &cap, f) > 0) {
		char mp[PATH_MAX], root[PATH_MAX], fstype[64], opts[1024];
		const char *sep = strstr(line, " - ");

		if (sep == NULL || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mp) != 2 ||
		    sscanf(sep + 3, "%63s %*s %1023s", fstype, opts) != 2)
			continue;
		if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
			continue;
		if (strcmp(mp, "/sys/fs/cgroup") == 0 && strcmp(fstype, "cgroup2") == 0) {
			*pure_v2 = true;
			continue;
		}
		if (strncmp(mp, "/sys/fs/cgroup/", 15) != 0 || strchr(mp + 15, '/') != NULL)
			continue;
		h = oc_xrealloc(h, (n + 1) * sizeof *h);
		h[n].mountpoint = oc_xstrdup(mp);
		h[n].root = oc_xstrdup(root);
		h[n].name = oc_xstrdup(mp + 15);
		h[n].fstype = oc_xstrdup(fstype);
		h[n].super_opts = oc_xstrdup(opts);
		n++;
	}
	free(line);
	*out = h;
	*n_out = n;
	return 0;
}

/* Our own cgroup in a hierarchy, from /proc/self/cgroup ("4:cpu:/a/b"). */
static char *own_cgroup(const struct cg_hier *h)
{
	cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
	char *line = NULL, *res = NULL;
	size_t cap = 0;
	bool v2 = strcmp(h->fstype, "cgroup2") == 0;

	if (f == NULL)
		return oc_xstrdup("/");
	while (res == NULL && getline(&line, &cap, f) > 0) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		char *nl;

		if (c2 == NULL)
			continue;
		*c2 = '\0';
		if (v2 ? c1[1] == '\0' : strcmp(c1 + 1, h->name) == 0 ||
						 (strncmp(h->name, "name=", 5) != 0 &&
						  strstr(c1 + 1, h->name) != NULL) ||
						 (strncmp(c1 + 1, "name=", 5) == 0 && strcmp(c1 + 6, h->name) == 0)) {
			nl = strchr(c2 + 1, '\n');
			if (nl)
				*nl = '\0';
			res = oc_xstrdup(c2 + 1);
		}
	}
	free(line);
	return res ? res : oc_xstrdup("/");
}

static int mount_cgroup(struct oc_ctx *ctx, int rootfd, const struct oc_spec_mount *m,
			const struct oc_mount_opts *o, oc_error_t *err)
{
	cleanup_close int dst = -1;
	struct cg_hier *h = NULL;
	size_t n = 0;
	bool v2;
	char dp[32];
	bool cgroupns = (ctx->clone_flags & CLONE_NEWCGROUP) != 0 || ctx->ns_fds[OC_NS_CGROUP] >= 0;
	unsigned long fl = o->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME | MS_RDONLY);
	int ret = -1;

	if (oc_fs_mkdir_p_in_root(rootfd, m->destination, 0755, &dst, err) < 0)
		return oc_error_prefix(err, "mount cgroup to `%s`", m->destination);
	FDPATH(dp, dst);
	if (cg_hierarchies(&h, &n, &v2, err) < 0)
		return -1;
	if (v2) {
		if (mount("cgroup2", dp, "cgroup2", fl, NULL) < 0)
			ret = oc_error_sys(err, "mount cgroup2 to `%s`", m->destination);
		else
			ret = 0;
		goto out;
	}
	/* v1 or hybrid: a tmpfs holding one directory per hierarchy, like the
	 * host's /sys/fs/cgroup. */
	if (mount("tmpfs", dp, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0) {
		ret = oc_error_sys(err, "mount tmpfs to `%s`", m->destination);
		goto out;
	}
	{
		cleanup_close int base = -1;
		char bp[32];

		if (oc_fs_open_in_root(rootfd, m->destination, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &base, err) < 0)
			goto out;
		FDPATH(bp, base);
		for (size_t i = 0; i < n; i++) {
			cleanup_close int sub = -1;
			cleanup_free char *own = NULL, *src = NULL;
			char subp[32];

			if (mkdirat(base, h[i].name, 0755) < 0 && errno != EEXIST) {
				ret = oc_error_sys(err, "mkdir cgroup `%s`", h[i].name);
				goto out;
			}
			sub = openat(base, h[i].name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				ret = oc_error_sys(err, "open cgroup `%s`", h[i].name);
				goto out;
			}
			FDPATH(subp, sub);
			if (cgroupns) {
				/* Inside a cgroup namespace a fresh mount shows the
				 * namespace's root, as the spec means. */
				const char *data = strcmp(h[i].fstype, "cgroup2") == 0 ? NULL : h[i].super_opts;
				cleanup_free char *d = NULL;
				if (data != NULL) {
					/* drop the rw/ro word of the superblock options */
					const char *c = strchr(data, ',');
					d = oc_xstrdup(c ? c + 1 : data);
				}
				if (mount("cgroup", subp, h[i].fstype, fl, d) < 0) {
					ret = oc_error_sys(err, "mount cgroup `%s`", h[i].name);
					goto out;
				}
				continue;
			}
			own = own_cgroup(&h[i]);
			/* /proc/self/cgroup names the cgroup from the root of the
			 * hierarchy; where only a subtree is mounted (an outer
			 * container without a cgroup namespace), the path under
			 * the mount point is what follows the subtree's root. */
			{
				size_t rl = strlen(h[i].root);
				const char *rel = own;

				if (strcmp(h[i].root, "/") != 0 && strncmp(own, h[i].root, rl) == 0 &&
				    (own[rl] == '/' || own[rl] == '\0'))
					rel = own + rl;
				src = oc_xasprintf("%s%s", h[i].mountpoint, rel);
			}
			if (mount(src, subp, NULL, MS_BIND | MS_REC, NULL) < 0) {
				ret = oc_error_sys(err, "bind cgroup `%s`", src);
				goto out;
			}
			if (fl) {
				cleanup_close int again = openat(base, h[i].name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (again < 0 || bind_remount(again, fl, src, src, err) < 0) {
					ret = again < 0 ? oc_error_sys(err, "open `%s`", h[i].name) : -1;
					goto out;
				}
			}
		}
		/* through the descriptor opened after the tmpfs went on top */
		if ((fl & MS_RDONLY) &&
		    mount(NULL, bp, NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC | fl, "mode=755") < 0) {
			ret = oc_error_sys(err, "remount `%s` read-only", m->destination);
			goto out;
		}
	}
	ret = 0;
out:
	cg_hier_free(h, n);
	return ret;
}

/* The host refused a fresh filesystem (a nested or unprivileged place:
 * masked /proc, no CAP_SYS_ADMIN over the network namespace, ...).  The
 * ladder of docs/isolation.md: the host's own bound read-only, with the
 * masked paths applied later as usual. */
static int mount_fallback(struct oc_ctx *ctx, int rootfd, int dst, const struct oc_spec_mount *m, const struct oc_mount_opts *o,
			  oc_error_t *err)
{
	static const struct {
		const char *type, *host;
	} ladder[] = {
		{"proc", "/proc"}, {"sysfs", "/sys"}, {"mqueue", "/dev/mqueue"}, {"devpts", "/dev/pts"},
		{"cgroup", "/sys/fs/cgroup"}, {"cgroup2", "/sys/fs/cgroup"},
	};
	const char *host = NULL;
	char dp[32];

	if (err->code != EPERM && err->code != EACCES && err->code != EBUSY && err->code != EINVAL)
		return -1;
	for (size_t i = 0; i < OC_ARRAY_SIZE(ladder); i++)
		if (strcmp(m->type, ladder[i].type) == 0)
			host = ladder[i].host;
	if (host == NULL)
		return -1; /* no documented step: an error even in best-effort */
	if (oc_ctx_fallback(ctx, err, "the host's %s bound read-only", host) < 0)
		return -1;
	FDPATH(dp, dst);
	if (mount(host, dp, NULL, MS_BIND | MS_REC, NULL) < 0)
		return oc_error_sys(err, "bind `%s` to `%s`", host, m->destination);
	{
		cleanup_close int again = -1;
		if (oc_fs_open_in_root(rootfd, m->destination, O_PATH | O_CLOEXEC, 0, &again, err) < 0)
			return -1;
		return bind_remount(again, MS_RDONLY | (o->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)), host,
				    m->destination, err);
	}
}

/* devpts refuses gid=5 when group 5 is not mapped in the user namespace
 * (rootless): runc's rootless spec drops the option; so does this retry,
 * which keeps a devpts of the container's own. errno is kept on failure. */
static int devpts_without_ids(const struct oc_spec_mount *m, const char *dp, unsigned long flags, const char *data)
{
	cleanup_free char *copy = NULL;
	char *out, *save = NULL;
	int e = errno;

	if (e != EINVAL || strcmp(m->type, "devpts") != 0 || data == NULL)
		return -1;
	copy = oc_xstrdup(data);
	out = oc_xcalloc(1, strlen(data) + 1);
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (strncmp(o, "gid=", 4) == 0 || strncmp(o, "uid=", 4) == 0)
			continue;
		if (*out)
			strcat(out, ",");
		strcat(out, o);
	}
	if (mount(m->source ? m->source : m->type, dp, m->type, flags, out) == 0) {
		oc_debug("devpts at `%s` mounted without gid=/uid= (not mapped)", m->destination);
		free(out);
		return 0;
	}
	free(out);
	errno = e;
	return -1;
}

/* linux.mountLabel goes to the filesystems that take a context= option;
 * *data is NULL when there is nothing to add. */
static int with_mount_label(struct oc_ctx *ctx, const struct oc_spec_mount *m, const struct oc_mount_opts *o,
			    char **data, oc_error_t *err)
{
	static const char *const labelled[] = {"tmpfs", "mqueue", "devpts", "shm"};
	const char *label = ctx->spec->linux ? ctx->spec->linux->mount_label : NULL;
	cleanup_free char *opt = NULL;
	bool takes = false;

	*data = NULL;
	for (size_t i = 0; i < OC_ARRAY_SIZE(labelled); i++)
		takes |= strcmp(m->type, labelled[i]) == 0;
	if (!takes || label == NULL || *label == '\0')
		return 0;
	if (oc_lsm_mount_label_option(label, &opt, err) < 0)
		return -1;
	if (opt != NULL)
		*data = o->data ? oc_xasprintf("%s,%s", o->data, opt) : steal_pointer(&opt);
	return 0;
}

/* Copy one directory tree into another, keeping modes, owners and times
 * as far as the target filesystem allows; nothing is followed. */
static int copy_tree(int from, int to, const char *what, oc_error_t *err)
{
	cleanup_dir DIR *d = fdopendir(dup(from));
	struct dirent *e;

	if (d == NULL)
		return oc_error_sys(err, "tmpcopyup `%s`: read", what);
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(from, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return oc_error_sys(err, "tmpcopyup `%s/%s`", what, e->d_name);
		if (S_ISDIR(st.st_mode)) {
			cleanup_close int sf = -1, df = -1;
			if (mkdirat(to, e->d_name, st.st_mode & 07777) < 0 && errno != EEXIST)
				return oc_error_sys(err, "tmpcopyup mkdir `%s/%s`", what, e->d_name);
			sf = openat(from, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			df = openat(to, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sf < 0 || df < 0 || copy_tree(sf, df, what, err) < 0)
				return err->msg ? -1 : oc_error_sys(err, "tmpcopyup `%s/%s`", what, e->d_name);
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(from, e->d_name, target, sizeof target - 1);
			if (n < 0)
				return oc_error_sys(err, "tmpcopyup readlink `%s/%s`", what, e->d_name);
			target[n] = '\0';
			if (symlinkat(target, to, e->d_name) < 0)
				return oc_error_sys(err, "tmpcopyup symlink `%s/%s`", what, e->d_name);
		} else if (S_ISREG(st.st_mode)) {
			cleanup_close int sf = openat(from, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			cleanup_close int df = openat(to, e->d_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
						      st.st_mode & 07777);
			char buf[65536];
			ssize_t r;
			if (sf < 0 || df < 0)
				return oc_error_sys(err, "tmpcopyup `%s/%s`", what, e->d_name);
			while ((r = read(sf, buf, sizeof buf)) > 0)
				if (write(df, buf, (size_t) r) != r)
					return oc_error_sys(err, "tmpcopyup write `%s/%s`", what, e->d_name);
			if (r < 0)
				return oc_error_sys(err, "tmpcopyup read `%s/%s`", what, e->d_name);
		} else {
			if (mknodat(to, e->d_name, st.st_mode, st.st_rdev) < 0)
				return oc_error_sys(err, "tmpcopyup mknod `%s/%s`", what, e->d_name);
		}
		fchownat(to, e->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
		if (!S_ISLNK(st.st_mode))
			fchmodat(to, e->d_name, st.st_mode & 07777, 0);
	}
	return 0;
}

/* tmpcopyup: the new tmpfs starts with what the image had there. */
static int copy_up(int below, int mnt, const char *dest, oc_error_t *err)
{
	char bp[32], mp[32];
	cleanup_close int from = -1, to = -1;
	struct stat st;

	FDPATH(bp, below);
	FDPATH(mp, mnt);
	from = open(bp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	to = open(mp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (from < 0 || to < 0)
		return oc_error_sys(err, "tmpcopyup `%s`", dest);
	if (fstat(from, &st) == 0) {
		fchown(to, st.st_uid, st.st_gid);
		fchmod(to, st.st_mode & 07777);
	}
	return copy_tree(from, to, dest, err);
}

static int mount_fs(struct oc_ctx *ctx, int rootfd, const struct oc_spec_mount *m, const struct oc_mount_opts *o,
		    oc_error_t *err)
{
	cleanup_close int dst = -1, mnt = -1;
	cleanup_free char *data = NULL;
	char dp[32];
	unsigned long flags = o->flags & ~(MS_BIND | MS_REC);

	if (strcmp(m->type, "cgroup") == 0)
		return mount_cgroup(ctx, rootfd, m, o, err);
	if (oc_fs_mkdir_p_in_root(rootfd, m->destination, 0755, &dst, err) < 0)
		return oc_error_prefix(err, "mount `%s` to `%s`", m->source ? m->source : m->type, m->destination);
	FDPATH(dp, dst);
	if (with_mount_label(ctx, m, o, &data, err) < 0)
		return -1;
	if (mount(m->source ? m->source : m->type, dp, m->type, flags, data ? data : o->data) < 0 &&
	    devpts_without_ids(m, dp, flags, data ? data : o->data) < 0) {
		oc_error_sys(err, "mount `%s` to `%s`", m->source ? m->source : m->type, m->destination);
		return mount_fallback(ctx, rootfd, dst, m, o, err);
	}
	if (o->n_propagation == 0 && o->attr_set == 0 && o->attr_clr == 0 && !o->tmpcopyup)
		return 0;
	if (oc_fs_open_in_root(rootfd, m->destination, O_PATH | O_CLOEXEC, 0, &mnt, err) < 0)
		return -1;
	/* dst was opened before the mount: it still is the directory below */
	if (o->tmpcopyup && copy_up(dst, mnt, m->destination, err) < 0)
		return -1;
	if (oc_mountopt_mount_setattr(mnt, o, err) < 0)
		return oc_error_prefix(err, "mount `%s`", m->destination);
	return apply_propagation(mnt, o, m->destination, err);
}

static int mount_one(struct oc_ctx *ctx, int rootfd, const struct oc_spec_mount *m, oc_error_t *err)
{
	cleanup_mountopt struct oc_mount_opts o = {0};

	if (oc_mountopt_parse(m->options, m->n_options, &o, err) < 0)
		return oc_error_prefix(err, "mount `%s`", m->destination);
	if (o.bind || o.rbind || (m->type != NULL && strcmp(m->type, "bind") == 0) ||
	    (m->type == NULL && m->source != NULL))
		return mount_bind(ctx, rootfd, m, &o, err);
	if (m->type == NULL)
		return oc_error_set(err, 0, "mount `%s`: no type", m->destination);
	return mount_fs(ctx, rootfd, m, &o, err);
}

/* ---- /dev ------------------------------------------------------------------ */

struct dev_node {
	const char *path;
	char type;
	unsigned major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

static const struct dev_node default_devices[] = {
	{"/dev/null", 'c', 1, 3, 0666, 0, 0},	 {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
	{"/dev/full", 'c', 1, 7, 0666, 0, 0},	 {"/dev/random", 'c', 1, 8, 0666, 0, 0},
	{"/dev/urandom", 'c', 1, 9, 0666, 0, 0}, {"/dev/tty", 'c', 5, 0, 0666, 0, 0},
};

/* Inside a user namespace mknod is refused: bind the host's node instead. */
static int create_device(struct oc_ctx *ctx, int rootfd, const struct dev_node *d, oc_error_t *err)
{
	cleanup_free char *dir = oc_xstrdup(d->path), *base = oc_xstrdup(d->path);
	cleanup_close int dirfd = -1, fd = -1, host = -1;
	char *dn = dirname(dir), *bn = basename(base);
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	char hp[32], fp[32];

	if (oc_fs_mkdir_p_in_root(rootfd, dn, 0755, &dirfd, err) < 0)
		return oc_error_prefix(err, "create device `%s`", d->path);
	if (!ctx->new_userns && !ctx->join_userns && !ctx->mknod_refused) {
		cleanup_close int dirw = openat(dirfd, ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
		if (dirw < 0)
			return oc_error_sys(err, "open `%s`", dn);
		/* Replace whatever the image has at this name: a symlink there
		 * must not redirect the node (CVE-2025-31133 class). */
		if (unlinkat(dirw, bn, 0) < 0 && errno != ENOENT && errno != EISDIR)
			return oc_error_sys(err, "remove `%s`", d->path);
		if (mknodat(dirw, bn, type | (d->mode & 07777), makedev(d->major, d->minor)) < 0) {
			oc_error_sys(err, "mknod `%s`", d->path);
			if ((err->code != EPERM && err->code != EACCES) ||
			    oc_ctx_fallback(ctx, err, "device nodes bound from the host's /dev") < 0)
				return -1;
			ctx->mknod_refused = true; /* said once, for every node */
			goto bind;
		}
		if (fchmodat(dirw, bn, d->mode & 07777, 0) < 0)
			return oc_error_sys(err, "chmod `%s`", d->path);
		if (fchownat(dirw, bn, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
			return oc_error_sys(err, "chown `%s`", d->path);
		return 0;
	}
bind:
	host = open(d->path, O_PATH | O_CLOEXEC);
	if (host < 0)
		return oc_error_sys(err, "open host device `%s`", d->path);
	if (oc_fs_create_file_in_root(rootfd, d->path, 0644, &fd, err) < 0)
		return oc_error_prefix(err, "create device `%s`", d->path);
	FDPATH(hp, host);
	FDPATH(fp, fd);
	if (mount(hp, fp, NULL, MS_BIND, NULL) < 0)
		return oc_error_sys(err, "bind device `%s`", d->path);
	return 0;
}

static int dev_symlink(int rootfd, const char *target, const char *name, oc_error_t *err)
{
	cleanup_close int dev = -1;

	if (oc_fs_open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &dev, err) < 0)
		return -1;
	if (symlinkat(target, dev, name) < 0 && errno != EEXIST)
		return oc_error_sys(err, "symlink `/dev/%s`", name);
	return 0;
}

static bool spec_mounts(const struct oc_spec *spec, const char *dest, const char *type)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct oc_spec_mount *m = &spec->mounts[i];
		if (strcmp(m->destination, dest) != 0)
			continue;
		if (type == NULL || (m->type != NULL && strcmp(m->type, type) == 0))
			return true;
		if (strcmp(type, "bind") == 0)
			for (size_t j = 0; j < m->n_options; j++)
				if (strcmp(m->options[j], "bind") == 0 || strcmp(m->options[j], "rbind") == 0)
					return true;
	}
	return false;
}

static int mount_simple(int rootfd, const char *dest, const char *type, unsigned long flags, const char *data,
			oc_error_t *err)
{
	cleanup_close int fd = -1;
	char p[32];

	if (oc_fs_mkdir_p_in_root(rootfd, dest, 0755, &fd, err) < 0)
		return oc_error_prefix(err, "mount %s to `%s`", type, dest);
	FDPATH(p, fd);
	if (mount(type, p, type, flags, data) < 0)
		return oc_error_sys(err, "mount %s to `%s`", type, dest);
	return 0;
}

/* The last step of the ladder: no /dev of our own at all, the host's bound
 * read-only (what buildah's chroot isolation does). */
static int dev_fallback(struct oc_ctx *ctx, int rootfd, oc_error_t *err)
{
	cleanup_close int dst = -1, again = -1;
	char p[32];

	if (err->code != EPERM && err->code != EACCES)
		return -1;
	if (oc_ctx_fallback(ctx, err, "the host's /dev bound read-only, no device nodes of our own") < 0)
		return -1;
	if (oc_fs_mkdir_p_in_root(rootfd, "/dev", 0755, &dst, err) < 0)
		return -1;
	FDPATH(p, dst);
	if (mount("/dev", p, NULL, MS_BIND | MS_REC, NULL) < 0)
		return oc_error_sys(err, "bind `/dev`");
	if (oc_fs_open_in_root(rootfd, "/dev", O_PATH | O_CLOEXEC, 0, &again, err) < 0)
		return -1;
	return bind_remount(again, MS_RDONLY | MS_NOSUID | MS_NOEXEC, "/dev", "/dev", err);
}

static int setup_dev(struct oc_ctx *ctx, int rootfd, oc_error_t *err)
{
	const struct oc_spec *spec = ctx->spec;
	static const char *const links[][2] = {
		{"/proc/self/fd", "fd"},
		{"/proc/self/fd/0", "stdin"},
		{"/proc/self/fd/1", "stdout"},
		{"/proc/self/fd/2", "stderr"},
	};

	/* A /dev bound from the host is the host's business. */
	if (spec_mounts(spec, "/dev", "bind"))
		return 0;
	if (!spec_mounts(spec, "/dev", NULL)) {
		if (mount_simple(rootfd, "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", err) < 0)
			return dev_fallback(ctx, rootfd, err);
		if (mount_simple(rootfd, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
				 "newinstance,ptmxmode=0666,mode=0620", err) < 0)
			return -1;
		if (mount_simple(rootfd, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k",
				 err) < 0)
			return -1;
	}
	for (size_t i = 0; i < OC_ARRAY_SIZE(default_devices); i++)
		if (create_device(ctx, rootfd, &default_devices[i], err) < 0)
			return -1;
	if (spec->linux != NULL)
		for (size_t i = 0; i < spec->linux->n_devices; i++) {
			const struct oc_spec_device *d = &spec->linux->devices[i];
			struct dev_node n = {
				.path = d->path,
				.type = d->type == 'u' ? 'c' : d->type,
				.major = (unsigned) d->major,
				.minor = (unsigned) d->minor,
				.mode = d->has_file_mode ? d->file_mode : 0666,
				.uid = d->has_uid ? d->uid : 0,
				.gid = d->has_gid ? d->gid : 0,
			};
			if (create_device(ctx, rootfd, &n, err) < 0)
				return -1;
		}
	for (size_t i = 0; i < OC_ARRAY_SIZE(links); i++)
		if (dev_symlink(rootfd, links[i][0], links[i][1], err) < 0)
			return -1;
	if (access("/proc/kcore", F_OK) == 0 && dev_symlink(rootfd, "/proc/kcore", "core", err) < 0)
		return -1;
	{
		/* /dev/ptmx is the container's own devpts multiplexer. */
		cleanup_close int dev = -1;
		if (oc_fs_open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY | O_CLOEXEC, 0, &dev, err) < 0)
			return -1;
		if (unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT)
			return oc_error_sys(err, "remove `/dev/ptmx`");
		if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
			return oc_error_sys(err, "symlink `/dev/ptmx`");
	}
	return 0;
}

static unsigned long propagation_flags(const char *p)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} t[] = {
		{"shared", MS_SHARED},	       {"rshared", MS_SHARED | MS_REC},
		{"slave", MS_SLAVE},	       {"rslave", MS_SLAVE | MS_REC},
		{"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
		{"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
	};
	for (size_t i = 0; p != NULL && i < OC_ARRAY_SIZE(t); i++)
		if (strcmp(p, t[i].name) == 0)
			return t[i].flags;
	return 0;
}

/* The mount that holds path, from mountinfo: if it is shared, make it
 * private (only it, in our namespace), as pivot_root demands. */
static int parent_mount_private(const char *path, oc_error_t *err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *best = NULL;
	bool best_shared = false;
	char *line = NULL;
	size_t cap = 0, best_len = 0;

	if (f == NULL)
		return oc_error_sys(err, "open `/proc/self/mountinfo`");
	while (getline(&line, &cap, f) > 0) {
		char mp[PATH_MAX];
		size_t n;

		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		n = strlen(mp);
		/* a path-component prefix of path, longest wins (later lines
		 * stack on earlier ones at the same point) */
		if (strcmp(mp, "/") != 0 &&
		    (strncmp(path, mp, n) != 0 || (path[n] != '/' && path[n] != '\0')))
			continue;
		if (n < best_len)
			continue;
		free(best);
		best = oc_xstrdup(mp);
		best_len = strcmp(mp, "/") == 0 ? 0 : n;
		best_shared = strstr(line, " shared:") != NULL && strstr(line, " shared:") < strstr(line, " - ");
	}
	free(line);
	if (best != NULL && best_shared && mount(NULL, best, NULL, MS_PRIVATE, NULL) < 0)
		return oc_error_sys(err, "make the rootfs's parent mount `%s` private", best);
	return 0;
}

/* What / gets before the rootfs is bound.  Unbindable is for the
 * container's / alone (oc_mounts_finalize): on / now it would make the
 * rootfs bind below fail with EINVAL. */
static unsigned long first_propagation(unsigned long pflags)
{
	if (pflags == 0 || (pflags & MS_UNBINDABLE))
		return MS_SLAVE | MS_REC;
	return pflags;
}

int oc_mounts_setup(struct oc_ctx *ctx, int *rootfd, oc_error_t *err)
{
	const struct oc_spec *spec = ctx->spec;
	const char *prop = spec->linux ? spec->linux->rootfs_propagation : NULL;
	unsigned long pflags = propagation_flags(prop);
	cleanup_close int fd = -1;

	/* First of all, stop our mounts from propagating to the host: with a
	 * shared host /, every mount below would appear there too (unless the
	 * config asks for shared, as Kubernetes' Bidirectional mounts do). */
	if (mount(NULL, "/", NULL, first_propagation(pflags), NULL) < 0)
		return oc_error_sys(err, "set propagation of `/`");
	/* pivot_root refuses a new root whose parent mount is shared. */
	if (parent_mount_private(ctx->rootfs, err) < 0)
		return -1;
	if (mount(ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return oc_error_sys(err, "bind rootfs `%s`", ctx->rootfs);
	fd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return oc_error_sys(err, "open rootfs `%s`", ctx->rootfs);
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (mount_one(ctx, fd, &spec->mounts[i], err) < 0)
			return -1;
	if (setup_dev(ctx, fd, err) < 0)
		return -1;
	/* A cwd missing from the image is created, as runc does, inside the
	 * rootfs like every other path. */
	if (spec->process->cwd != NULL) {
		cleanup_close int cwd = -1;
		if (oc_fs_mkdir_p_in_root(fd, spec->process->cwd, 0755, &cwd, err) < 0)
			return oc_error_prefix(err, "create cwd `%s`", spec->process->cwd);
	}
	*rootfd = steal_fd(&fd);
	return 0;
}

/* ---- after the root switch ------------------------------------------------ */

static int mask_path(int rootfd, const char *path, oc_error_t *err)
{
	cleanup_close int fd = -1, null = -1;
	struct stat st;
	char p[32], np[32];

	if (oc_fs_open_in_root(rootfd, path, O_PATH | O_CLOEXEC, 0, &fd, err) < 0) {
		if (err->code == ENOENT) {
			oc_error_clear(err);
			return 0;
		}
		return oc_error_prefix(err, "mask `%s`", path);
	}
	if (fstat(fd, &st) < 0)
		return oc_error_sys(err, "stat `%s`", path);
	FDPATH(p, fd);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", p, "tmpfs", MS_RDONLY, NULL) < 0)
			return oc_error_sys(err, "mask `%s`", path);
		return 0;
	}
	/* CVE-2025-31133: the /dev/null bound over a masked file must be the
	 * real null device, not whatever the image put at /dev/null. */
	if (oc_fs_open_in_root(rootfd, "/dev/null", O_PATH | O_CLOEXEC | O_NOFOLLOW, 0, &null, err) < 0)
		return oc_error_prefix(err, "mask `%s`", path);
	if (fstat(null, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return oc_error_set(err, 0, "mask `%s`: `/dev/null` is not the null device", path);
	FDPATH(np, null);
	if (mount(np, p, NULL, MS_BIND, NULL) < 0)
		return oc_error_sys(err, "mask `%s`", path);
	return 0;
}

static int readonly_path(int rootfd, const char *path, oc_error_t *err)
{
	cleanup_close int fd = -1, mnt = -1;
	char p[32];

	if (oc_fs_open_in_root(rootfd, path, O_PATH | O_CLOEXEC, 0, &fd, err) < 0) {
		if (err->code == ENOENT) {
			oc_error_clear(err);
			return 0;
		}
		return oc_error_prefix(err, "make `%s` read-only", path);
	}
	FDPATH(p, fd);
	if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0)
		return oc_error_sys(err, "bind `%s`", path);
	if (oc_fs_open_in_root(rootfd, path, O_PATH | O_CLOEXEC, 0, &mnt, err) < 0)
		return -1;
	return bind_remount(mnt, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, path, err) < 0
		       ? bind_remount(mnt, MS_RDONLY, NULL, path, err)
		       : 0;
}

static int write_sysctl(const char *key, const char *value, oc_error_t *err)
{
	cleanup_close int proc = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;
	cleanup_free char *rel = oc_xstrdup(key);
	size_t len = strlen(value);

	if (proc < 0)
		return oc_error_sys(err, "open `/proc/sys`");
	/* CVE-2019-19921 / CVE-2025-52881 class: write only into a real
	 * procfs, never into something mounted over /proc. */
	if (oc_fs_proc_fd_check(proc, err) < 0)
		return -1;
	for (char *c = rel; *c; c++)
		if (*c == '.')
			*c = '/';
	if (strstr(rel, "..") != NULL)
		return oc_error_set(err, 0, "invalid sysctl `%s`", key);
	fd = openat(proc, rel, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return oc_error_sys(err, "open sysctl `%s`", key);
	if (write(fd, value, len) != (ssize_t) len)
		return oc_error_sys(err, "write sysctl `%s`", key);
	return 0;
}

static bool ns_ours(const struct oc_ctx *ctx, enum oc_ns_type t)
{
	return (ctx->clone_flags & oc_ns_clone_flag(t)) != 0 || ctx->ns_fds[t] >= 0;
}

/* Which namespace a sysctl belongs to, as runc and the kernel see it. */
static bool sysctl_ns_ours(const struct oc_ctx *ctx, const char *key)
{
	static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
					  "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};

	if (strncmp(key, "net.", 4) == 0)
		return ns_ours(ctx, OC_NS_NETWORK);
	if (strncmp(key, "fs.mqueue.", 10) == 0)
		return ns_ours(ctx, OC_NS_IPC);
	for (size_t i = 0; i < OC_ARRAY_SIZE(ipc); i++)
		if (strcmp(key, ipc[i]) == 0)
			return ns_ours(ctx, OC_NS_IPC);
	if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
		return ns_ours(ctx, OC_NS_UTS);
	return true; /* validated against runc's list when the spec was read */
}

int oc_mounts_finalize(struct oc_ctx *ctx, oc_error_t *err)
{
	const struct oc_spec *spec = ctx->spec;
	const struct oc_spec_linux *l = spec->linux;
	cleanup_close int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0)
		return oc_error_sys(err, "open `/`");
	if (l != NULL) {
		/* sysctls first: readonlyPaths may make /proc/sys read-only */
		for (size_t i = 0; i < l->n_sysctl; i++) {
			if (!sysctl_ns_ours(ctx, l->sysctl_keys[i])) {
				/* the namespace was dropped by the policy: the
				 * write would change the host */
				oc_error_set(err, 0, "sysctl `%s`: its namespace is the host's", l->sysctl_keys[i]);
				if (oc_ctx_fallback(ctx, err, "not set") < 0)
					return -1;
				continue;
			}
			/* EROFS: /proc/sys is the host's, bound read-only by the
			 * ladder (a nested place refused a fresh proc) */
			if (write_sysctl(l->sysctl_keys[i], l->sysctl_values[i], err) < 0 &&
			    (err->code != EROFS || oc_ctx_fallback(ctx, err, "not set") < 0))
				return -1;
		}
		for (size_t i = 0; i < l->n_masked_paths; i++)
			if (mask_path(rootfd, l->masked_paths[i], err) < 0)
				return -1;
		for (size_t i = 0; i < l->n_readonly_paths; i++)
			if (readonly_path(rootfd, l->readonly_paths[i], err) < 0)
				return -1;
	}
	/* after the root switch, as runc does: the propagation the config
	 * asks for, on the container's own / */
	if (l != NULL && propagation_flags(l->rootfs_propagation) &&
	    mount(NULL, "/", NULL, propagation_flags(l->rootfs_propagation), NULL) < 0)
		return oc_error_sys(err, "set rootfs propagation `%s`", l->rootfs_propagation);
	if (spec->root->readonly) {
		unsigned long keep = locked_flags("/");
		if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | (keep & REMOUNT_FLAGS), NULL) < 0)
			return oc_error_sys(err, "make the root read-only");
	}
	return 0;
}
