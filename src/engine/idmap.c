/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Idmapped bind mounts (mount options idmap/ridmap with the mount's
 * uidMappings/gidMappings).  The runtime makes them before clone: a user
 * namespace carrying the map (its map names host ids, which init in a user
 * namespace of the container's could not write) and a detached copy of the
 * source with that map set (which takes CAP_SYS_ADMIN in the user
 * namespace the source filesystem belongs to).  init inherits the
 * detached tree and only moves it onto the destination. */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/mount.h>

#include "engine-int.h"
#include "ocichroot/common.h"
#include "ocichroot/mountopt.h"

#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

struct idmap_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

static bool wants_idmap(const struct oc_spec_mount *m)
{
	for (size_t i = 0; i < m->n_options; i++)
		if (strcmp(m->options[i], "idmap") == 0 || strcmp(m->options[i], "ridmap") == 0)
			return true;
	return false;
}

/* Written as given, as runc and crun do: the kernel reads an idmapped
 * mount's map as "filesystem id, id it shows as" (uid_map's inside and
 * outside columns), so {containerID: 0, hostID: 100000} shows the image's
 * root-owned files as kernel uid 100000, the root of a container whose
 * user namespace maps 0 to 100000.
 *
 * A user namespace with the given maps, held by a descriptor: a child is
 * made in it only long enough to have its maps written and be opened; the
 * namespace is opened through the same checked /proc. */
static int make_userns(const struct oc_spec_mount *m, int *out, oc_error_t *err)
{
	char path[64];
	int ret = -1, fd;
	cleanup_close int procfd = -1;
	pid_t pid = (pid_t) syscall(SYS_clone, (unsigned long) CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);

	if (pid == 0) {
		/* wait to be killed; never runs anything */
		for (;;)
			pause();
	}
	if (pid < 0)
		return oc_error_sys(err, "create a user namespace for the idmapped mount `%s`", m->destination);
	if (oc_ns_open_proc(&procfd, err) == 0 &&
	    oc_ns_write_map(procfd, pid, "uid_map", m->uid_mappings, m->n_uid_mappings, err) == 0 &&
	    oc_ns_write_map(procfd, pid, "gid_map", m->gid_mappings, m->n_gid_mappings, err) == 0) {
		snprintf(path, sizeof path, "%d/ns/user", pid);
		fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			oc_error_sys(err, "open `/proc/%s`", path);
		else {
			*out = fd;
			ret = 0;
		}
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return ret;
}

static bool recursive(const struct oc_spec_mount *m)
{
	for (size_t i = 0; i < m->n_options; i++)
		if (strcmp(m->options[i], "ridmap") == 0 || strcmp(m->options[i], "rbind") == 0)
			return true;
	return false;
}

/* A detached, idmapped copy of the mount's source, made here in the
 * runtime: setting an id map on a filesystem mounted in the host's user
 * namespace takes CAP_SYS_ADMIN there, which init may not have. */
static int make_tree(struct oc_ctx *ctx, const struct oc_spec_mount *m, int usernsfd, int *out, oc_error_t *err)
{
	cleanup_free char *src = m->source[0] == '/' ? oc_xstrdup(m->source)
						     : oc_xasprintf("%s/%s", ctx->bundle, m->source);
	struct idmap_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) usernsfd};
	unsigned int rec = recursive(m) ? AT_RECURSIVE : 0;
	int tree = (int) syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);

	if (tree < 0)
		return oc_error_sys(err, "idmapped mount `%s`: open_tree `%s`", m->destination, src);
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | rec, &attr, sizeof attr) < 0) {
		close(tree);
		return oc_error_sys(err, "idmapped mount `%s`: set the id map on `%s`", m->destination, src);
	}
	*out = tree;
	return 0;
}

int oc_idmap_prepare(struct oc_ctx *ctx, oc_error_t *err)
{
	const struct oc_spec *spec = ctx->spec;

	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct oc_spec_mount *m = &spec->mounts[i];
		cleanup_close int userns = -1;

		if (!wants_idmap(m))
			continue;
		if (m->n_uid_mappings == 0 || m->n_gid_mappings == 0 || m->source == NULL)
			return oc_error_set(err, 0, "mounts[%zu] (`%s`): idmap needs a source, uidMappings and gidMappings",
					    i, m->destination);
		if (ctx->idmap_fds == NULL) {
			ctx->idmap_fds = oc_xcalloc(spec->n_mounts, sizeof(int));
			for (size_t k = 0; k < spec->n_mounts; k++)
				ctx->idmap_fds[k] = -1;
		}
		if (make_userns(m, &userns, err) < 0 || make_tree(ctx, m, userns, &ctx->idmap_fds[i], err) < 0)
			return -1;
	}
	return 0;
}

void oc_idmap_release(struct oc_ctx *ctx)
{
	for (size_t i = 0; ctx->idmap_fds != NULL && i < ctx->spec->n_mounts; i++)
		if (ctx->idmap_fds[i] >= 0)
			close(ctx->idmap_fds[i]);
	free(ctx->idmap_fds);
	ctx->idmap_fds = NULL;
}

int oc_idmap_mount(int tree, int dst, const char *dest, oc_error_t *err)
{
	/* onto the destination's descriptor, never a path */
	if (syscall(SYS_move_mount, tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return oc_error_sys(err, "idmapped mount `%s`: move_mount", dest);
	return 0;
}
