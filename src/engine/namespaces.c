/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Namespaces: which to create with clone(), which to join by path, and the
 * id maps of a new user namespace (written by the parent, which still holds
 * its privileges in the host's user namespace). */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "engine-int.h"
#include "ocichroot/common.h"
#include "ocichroot/log.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int oc_ns_clone_flag(enum oc_ns_type t)
{
	switch (t) {
	case OC_NS_PID:
		return CLONE_NEWPID;
	case OC_NS_NETWORK:
		return CLONE_NEWNET;
	case OC_NS_IPC:
		return CLONE_NEWIPC;
	case OC_NS_UTS:
		return CLONE_NEWUTS;
	case OC_NS_MOUNT:
		return CLONE_NEWNS;
	case OC_NS_USER:
		return CLONE_NEWUSER;
	case OC_NS_CGROUP:
		return CLONE_NEWCGROUP;
	case OC_NS_TIME:
		return CLONE_NEWTIME;
	default:
		return 0;
	}
}

static const char *const proc_ns_name[OC_NS__MAX] = {
	[OC_NS_PID] = "pid_for_children", [OC_NS_NETWORK] = "net",  [OC_NS_IPC] = "ipc",
	[OC_NS_UTS] = "uts",		  [OC_NS_MOUNT] = "mnt",    [OC_NS_USER] = "user",
	[OC_NS_CGROUP] = "cgroup",	  [OC_NS_TIME] = "time_for_children",
};

int oc_ns_prepare(struct oc_ctx *ctx, oc_error_t *err)
{
	const struct oc_spec_linux *l = ctx->spec->linux;

	for (int i = 0; i < OC_NS__MAX; i++)
		ctx->ns_fds[i] = -1;
	ctx->clone_flags = 0;
	if (l == NULL)
		return 0;
	for (size_t i = 0; i < l->n_namespaces; i++) {
		const struct oc_spec_namespace *ns = &l->namespaces[i];
		struct stat st;
		struct statfs sfs;
		int fd;

		if (ns->path == NULL) {
			ctx->clone_flags |= oc_ns_clone_flag(ns->type);
			continue;
		}
		fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return oc_error_sys(err, "open %s namespace `%s`", oc_ns_type_name(ns->type), ns->path);
		/* A namespace path must be an nsfs file: joining anything else
		 * (a regular file planted by whoever wrote the config) fails
		 * late and confusingly in setns(). */
		if (fstat(fd, &st) < 0 || fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC) {
			close(fd);
			return oc_error_set(err, 0, "`%s` is not a %s namespace", ns->path, oc_ns_type_name(ns->type));
		}
		ctx->ns_fds[ns->type] = fd;
	}
	ctx->new_userns = (ctx->clone_flags & CLONE_NEWUSER) != 0;
	ctx->join_userns = ctx->ns_fds[OC_NS_USER] >= 0;
	/* With a new user namespace every other new namespace is created by
	 * the same clone() and so is owned by it, as the spec expects. */
	return 0;
}

void oc_ns_close(struct oc_ctx *ctx)
{
	for (int i = 0; i < OC_NS__MAX; i++) {
		if (ctx->ns_fds[i] >= 0)
			close(ctx->ns_fds[i]);
		ctx->ns_fds[i] = -1;
	}
}

static bool parent_side(enum oc_ns_type t)
{
	return t != OC_NS_USER && t != OC_NS_MOUNT;
}

/* A new time namespace gets its offsets before any process is in it: the
 * runtime unshares it for its children, writes timens_offsets, and clone()
 * then puts init in it (the kernel refuses offsets once a task entered). */
static int new_time_ns(struct oc_ctx *ctx, int saved[OC_NS__MAX], int *flags, oc_error_t *err)
{
	const struct oc_spec_linux *l = ctx->spec->linux;
	cleanup_free char *buf = NULL;
	size_t len = 0;
	FILE *f;
	cleanup_close int fd = -1;

	if (!(*flags & CLONE_NEWTIME))
		return 0;
	saved[OC_NS_TIME] = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (saved[OC_NS_TIME] < 0)
		return oc_error_sys(err, "open `/proc/self/ns/time_for_children`");
	if (unshare(CLONE_NEWTIME) < 0)
		return oc_error_sys(err, "unshare time namespace");
	*flags &= ~CLONE_NEWTIME;
	if (l->n_time_offsets == 0)
		return 0;
	f = open_memstream(&buf, &len);
	if (f == NULL)
		abort();
	for (size_t i = 0; i < l->n_time_offsets; i++)
		fprintf(f, "%s %lld %u\n", l->time_offsets[i].clock, (long long) l->time_offsets[i].secs,
			l->time_offsets[i].nanosecs);
	fclose(f);
	fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return oc_error_sys(err, "open `/proc/self/timens_offsets`");
	if (write(fd, buf, len) != (ssize_t) len)
		return oc_error_sys(err, "write time offsets");
	return 0;
}

int oc_ns_enter_for_clone(struct oc_ctx *ctx, int saved[OC_NS__MAX], int *flags, oc_error_t *err)
{
	for (int i = 0; i < OC_NS__MAX; i++)
		saved[i] = -1;
	if (new_time_ns(ctx, saved, flags, err) < 0)
		return -1;
	for (int i = 0; i < OC_NS__MAX; i++) {
		cleanup_free char *p = NULL;

		if (ctx->ns_fds[i] < 0 || !parent_side(i))
			continue;
		p = oc_xasprintf("/proc/self/ns/%s", proc_ns_name[i]);
		saved[i] = open(p, O_RDONLY | O_CLOEXEC);
		if (saved[i] < 0)
			return oc_error_sys(err, "open `%s`", p);
		if (setns(ctx->ns_fds[i], oc_ns_clone_flag(i)) < 0)
			return oc_error_sys(err, "join %s namespace", oc_ns_type_name(i));
	}
	return 0;
}

int oc_ns_restore(int saved[OC_NS__MAX], oc_error_t *err)
{
	int ret = 0;

	for (int i = 0; i < OC_NS__MAX; i++) {
		if (saved[i] < 0)
			continue;
		if (setns(saved[i], oc_ns_clone_flag(i)) < 0 && ret == 0)
			ret = oc_error_sys(err, "return to the runtime's %s namespace", oc_ns_type_name(i));
		close(saved[i]);
		saved[i] = -1;
	}
	return ret;
}

int oc_ns_join_in_child(struct oc_ctx *ctx, oc_error_t *err)
{
	/* The user namespace first: the mount namespace given by path may be
	 * owned by it, and joining it needs CAP_SYS_ADMIN there. */
	static const enum oc_ns_type order[] = {OC_NS_USER, OC_NS_MOUNT};

	for (size_t i = 0; i < OC_ARRAY_SIZE(order); i++) {
		enum oc_ns_type t = order[i];

		if (ctx->ns_fds[t] < 0)
			continue;
		if (setns(ctx->ns_fds[t], oc_ns_clone_flag(t)) < 0)
			return oc_error_sys(err, "join %s namespace", oc_ns_type_name(t));
	}
	return 0;
}

/* CVE-2019-19921 class: id maps are written through a procfs we checked is
 * procfs, never through a path something else could have mounted over. */
int oc_ns_open_proc(int *out, oc_error_t *err)
{
	int fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct statfs sfs;

	if (fd < 0)
		return oc_error_sys(err, "open `/proc`");
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
		close(fd);
		return oc_error_set(err, 0, "`/proc` is not a procfs");
	}
	*out = fd;
	return 0;
}

static int write_proc_file(int procfd, const char *path, const char *data, size_t len, oc_error_t *err)
{
	cleanup_close int fd = openat(procfd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return oc_error_sys(err, "open `/proc/%s`", path);
	if (write(fd, data, len) != (ssize_t) len)
		return oc_error_sys(err, "write `/proc/%s`", path);
	return 0;
}

int oc_ns_write_map(int procfd, pid_t pid, const char *file, const struct oc_spec_idmap *m, size_t n,
		    oc_error_t *err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	char path[64];
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
	fclose(f);
	snprintf(path, sizeof path, "%d/%s", pid, file);
	return write_proc_file(procfd, path, buf, len, err);
}

int oc_ns_write_idmaps(struct oc_ctx *ctx, pid_t pid, oc_error_t *err)
{
	const struct oc_spec_linux *l = ctx->spec->linux;
	cleanup_close int procfd = -1;
	char path[64];

	if (oc_ns_open_proc(&procfd, err) < 0)
		return -1;
	/* An unprivileged writer must deny setgroups before writing gid_map;
	 * for root, keep setgroups so the container can set its groups. */
	if (geteuid() != 0) {
		snprintf(path, sizeof path, "%d/setgroups", pid);
		if (write_proc_file(procfd, path, "deny", 4, err) < 0)
			return -1;
	}
	if (oc_ns_write_map(procfd, pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err) < 0)
		return -1;
	return oc_ns_write_map(procfd, pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err);
}
