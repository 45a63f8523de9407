/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Safe path resolution inside a container rootfs (see fs.h).
 *
 * Every path of a container is hostile: the image (or a process of another
 * container that shares the rootfs) chooses which components are symlinks,
 * and may change them while we work.  Resolution therefore never hands a
 * joined "rootfs + path" string to the kernel.  It either asks the kernel to
 * scope the lookup (openat2 with RESOLVE_IN_ROOT) or walks one component at
 * a time with O_NOFOLLOW from descriptors it holds, interpreting each link
 * text itself.  Both only ever descend from descriptors obtained under the
 * root, so a link can redirect the walk only to another place inside it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/file.h"
#include "ocichroot/fs.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* The kernel's own limit (MAXSYMLINKS); a link loop in an image ends here. */
#define OC_FS_MAX_SYMLINKS 40
/* Bound on the remaining path after link expansion, so 40 links of
 * PATH_MAX each cannot make us allocate without limit. */
#define OC_FS_MAX_WALK (4 * PATH_MAX)
/* Bound on retries when a file appears or vanishes between two of our
 * syscalls: a racing container process can make us fail, not loop. */
#define OC_FS_MAX_RETRIES 16

bool oc_fs_force_fallback = false;

/* Set once openat2 is known not to exist, to skip the failing syscall. */
static bool openat2_missing;

static int try_openat2(int rootfd, const char *path, int flags, mode_t mode, int *out)
{
	struct open_how how = {
		.flags = (unsigned) (flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode : 0,
		/* RESOLVE_NO_MAGICLINKS: a /proc/<pid>/fd/N or /proc/<pid>/root
		 * link under a procfs mounted in the rootfs would jump to any
		 * object, ignoring RESOLVE_IN_ROOT. */
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	if (*path == '\0')
		path = ".";
	for (int i = 0; i < OC_FS_MAX_RETRIES; i++) {
		int fd = (int) syscall(SYS_openat2, rootfd, path, &how, sizeof how);
		if (fd >= 0) {
			*out = fd;
			return 0;
		}
		/* EAGAIN: a rename raced with a ".." step; the kernel
		 * refuses rather than risk an escape, so try again. */
		if (errno != EAGAIN && errno != EINTR)
			break;
	}
	if (errno == E2BIG)
		errno = ENOSYS;
	return -errno;
}

/* ---- the manual walk ---------------------------------------------------- */

enum walk_mode {
	WALK_OPEN,        /* open the final component with the caller's flags */
	WALK_MKDIR,       /* create missing directories, return the last one */
	WALK_CREATE_FILE, /* create missing parents and an empty file */
};

struct walk_req {
	enum walk_mode mode;
	int flags;        /* WALK_OPEN */
	mode_t file_mode; /* WALK_OPEN with O_CREAT, WALK_CREATE_FILE */
	mode_t dir_mode;  /* directories created by WALK_MKDIR/CREATE_FILE */
};

/* The directories we descended through, as O_PATH descriptors.  ".." pops
 * one instead of asking the kernel for the parent: the popped-to
 * descriptor was reached from the root, so ".." can never climb above it,
 * not even when a directory is renamed out of the rootfs mid-walk. */
struct walker {
	int rootfd;
	int *stack;
	size_t depth, cap;
	unsigned links;
};

static int walker_cur(const struct walker *w)
{
	return w->depth ? w->stack[w->depth - 1] : w->rootfd;
}

static void walker_push(struct walker *w, int fd)
{
	if (w->depth == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->stack = oc_xrealloc(w->stack, w->cap * sizeof *w->stack);
	}
	w->stack[w->depth++] = fd;
}

static void walker_pop(struct walker *w)
{
	if (w->depth > 0)
		close(w->stack[--w->depth]);
}

static void walker_release(struct walker *w)
{
	while (w->depth > 0)
		walker_pop(w);
	free(w->stack);
	w->stack = NULL;
}

/* Read the text of the link open as lfd (O_PATH|O_NOFOLLOW) into
 * target[PATH_MAX].
 *
 * Magic links.  The walk never lets the kernel follow a link, it
 * re-resolves the link *text* under the root, so even a /proc magic link
 * cannot take it outside.  We still refuse them, with the ELOOP that
 * RESOLVE_NO_MAGICLINKS gives, so that both paths agree and nobody relies
 * on "/proc/self/root/..." meaning something inside a container.  A link
 * is magic when procfs resolves it to an object rather than a name:
 * fd/N, exe, cwd, root, map_files/... (readlink gives an absolute path, or
 * "/memfd:x (deleted)") and fd/N of sockets, pipes, anon inodes or ns/...
 * ("type:[inode]").  The plain procfs links that paths legitimately cross
 * (self, thread-self, mounts, net, ...) have relative targets without a
 * ':' ("1234", "self/net"), so "absolute or has ':'" separates the two. */
static int read_link(int lfd, char *target)
{
	struct statfs sfs;
	ssize_t n;

	n = readlinkat(lfd, "", target, PATH_MAX);
	if (n < 0)
		return -errno;
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	if (n == 0)
		return -ENOENT; /* what the kernel does with an empty link */
	target[n] = '\0';
	if (fstatfs(lfd, &sfs) < 0)
		return -errno;
	if (sfs.f_type == PROC_SUPER_MAGIC && (target[0] == '/' || strchr(target, ':') != NULL))
		return -ELOOP;
	return 0;
}

/* Replace the walk's remaining path by target + rest (rest points into
 * *buf and starts at the '/' after the link's name, or is "").  An
 * absolute target restarts at the root: '/' means the rootfs. */
static int expand(struct walker *w, char **buf, char **p, const char *target, const char *rest)
{
	size_t tl = strlen(target), rl = strlen(rest);
	char *nb;

	if (++w->links > OC_FS_MAX_SYMLINKS)
		return -ELOOP;
	if (tl + rl > OC_FS_MAX_WALK)
		return -ENAMETOOLONG;
	nb = oc_xmalloc(tl + rl + 1);
	memcpy(nb, target, tl);
	memcpy(nb + tl, rest, rl + 1);
	if (target[0] == '/') {
		while (w->depth > 0)
			walker_pop(w);
	}
	free(*buf);
	*buf = nb;
	*p = nb;
	return 0;
}

/* A component that must be a directory.  Returns 0 with its O_PATH fd,
 * 1 with the link text when it is a symlink, or -errno. */
static int dir_step(struct walker *w, const struct walk_req *r, const char *name, int *fdp, char *target)
{
	bool mkdirs = r->mode != WALK_OPEN;

	for (int tries = 0; tries < OC_FS_MAX_RETRIES; tries++) {
		cleanup_close int fd = -1;
		struct stat st;
		int ret;

		/* O_NOFOLLOW|O_PATH: a symlink is opened as itself and its
		 * text interpreted by us, never by the kernel. */
		fd = openat(walker_cur(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT || !mkdirs)
				return -errno;
			/* mkdirat never follows a link in the last
			 * component: a dangling link makes it fail with
			 * EEXIST, and the next lookup sees the link. */
			if (mkdirat(walker_cur(w), name, r->dir_mode) < 0 && errno != EEXIST)
				return -errno;
			continue;
		}
		if (fstat(fd, &st) < 0)
			return -errno;
		if (S_ISLNK(st.st_mode)) {
			ret = read_link(fd, target);
			return ret < 0 ? ret : 1;
		}
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		*fdp = steal_fd(&fd);
		return 0;
	}
	return -EAGAIN;
}

/* Is name (in the current directory) a symlink?  1 with its text, 0 no. */
static int probe_link(struct walker *w, const char *name, char *target)
{
	cleanup_close int lfd = -1;
	struct stat st;
	int ret;

	lfd = openat(walker_cur(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (lfd < 0)
		return -errno;
	if (fstat(lfd, &st) < 0)
		return -errno;
	if (!S_ISLNK(st.st_mode))
		return 0;
	ret = read_link(lfd, target);
	return ret < 0 ? ret : 1;
}

/* The last component in WALK_OPEN mode. */
static int open_step(struct walker *w, const struct walk_req *r, const char *name, int *fdp, char *target)
{
	bool follow = !(r->flags & O_NOFOLLOW);

	for (int tries = 0; tries < OC_FS_MAX_RETRIES; tries++) {
		cleanup_close int fd = -1;
		struct stat st;
		int e, ret;

		/* Always O_NOFOLLOW: a trailing link is followed by us, inside
		 * the root; with O_CREAT this is what stops a dangling link
		 * from creating its target on the host. */
		fd = openat(walker_cur(w), name, r->flags | O_NOFOLLOW | O_CLOEXEC, r->file_mode);
		if (fd >= 0) {
			if (follow && (r->flags & O_PATH)) {
				if (fstat(fd, &st) < 0)
					return -errno;
				if (S_ISLNK(st.st_mode)) {
					ret = read_link(fd, target);
					return ret < 0 ? ret : 1;
				}
			}
			*fdp = steal_fd(&fd);
			return 0;
		}
		e = errno;
		/* A trailing link under O_NOFOLLOW fails with ELOOP, or
		 * ENOTDIR with O_DIRECTORY; tell that from a real error. */
		if (!follow || (e != ELOOP && e != ENOTDIR))
			return -e;
		ret = probe_link(w, name, target);
		if (ret == -ENOENT)
			continue; /* removed since: look again */
		if (ret < 0)
			return ret;
		return ret == 1 ? 1 : -e;
	}
	return -EAGAIN;
}

/* The last component in WALK_CREATE_FILE mode. */
static int create_step(struct walker *w, const struct walk_req *r, const char *name, int *fdp, char *target)
{
	for (int tries = 0; tries < OC_FS_MAX_RETRIES; tries++) {
		cleanup_close int fd = -1;
		cleanup_close int pfd = -1;
		struct stat st, pst;
		int ret;

		/* O_EXCL|O_NOFOLLOW: never opens what is already there, so an
		 * image's FIFO or device node at the path is not opened (a
		 * FIFO would block us forever), and never follows a link. */
		fd = openat(walker_cur(w), name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
			    r->file_mode);
		if (fd >= 0) {
			if (fstat(fd, &st) < 0)
				return -errno;
			pfd = openat(walker_cur(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (pfd < 0)
				return -errno;
			if (fstat(pfd, &pst) < 0)
				return -errno;
			/* Swapped between create and reopen: start over
			 * rather than hand back something we did not make. */
			if (st.st_dev != pst.st_dev || st.st_ino != pst.st_ino)
				continue;
			*fdp = steal_fd(&pfd);
			return 0;
		}
		if (errno != EEXIST)
			return -errno;
		pfd = openat(walker_cur(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (pfd < 0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		if (fstat(pfd, &pst) < 0)
			return -errno;
		if (S_ISLNK(pst.st_mode)) {
			ret = read_link(pfd, target);
			return ret < 0 ? ret : 1;
		}
		*fdp = steal_fd(&pfd);
		return 0;
	}
	return -EAGAIN;
}

/* The walk ended on a directory ("", "/", "a/", "a/.."). */
static int finish_at_dir(struct walker *w, const struct walk_req *r, int *out)
{
	int fd;

	switch (r->mode) {
	case WALK_OPEN:
		fd = openat(walker_cur(w), ".", r->flags | O_CLOEXEC, r->file_mode);
		break;
	case WALK_MKDIR:
		fd = openat(walker_cur(w), ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		break;
	default:
		return -EISDIR;
	}
	if (fd < 0)
		return -errno;
	*out = fd;
	return 0;
}

static int walk(int rootfd, const char *path, const struct walk_req *r, int *out)
{
	struct walker w = {.rootfd = rootfd};
	cleanup_free char *buf = oc_xstrdup(path);
	cleanup_free char *target = oc_xmalloc(PATH_MAX);
	char *p = buf;
	int ret;

	for (;;) {
		char name[NAME_MAX + 1];
		char *end;
		bool last;
		size_t n;
		int fd = -1;

		while (*p == '/')
			p++;
		if (*p == '\0') {
			ret = finish_at_dir(&w, r, out);
			break;
		}
		end = strchrnul(p, '/');
		n = (size_t) (end - p);
		if (n > NAME_MAX) {
			ret = -ENAMETOOLONG;
			break;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		/* "a/" is not last: the trailing slash asks for a directory. */
		last = *end == '\0';

		if (strcmp(name, ".") == 0) {
			p = end;
			continue;
		}
		if (strcmp(name, "..") == 0) {
			/* At the root ".." stays at the root, as in chroot. */
			walker_pop(&w);
			p = end;
			continue;
		}

		if (last && r->mode == WALK_OPEN)
			ret = open_step(&w, r, name, &fd, target);
		else if (last && r->mode == WALK_CREATE_FILE)
			ret = create_step(&w, r, name, &fd, target);
		else
			ret = dir_step(&w, r, name, &fd, target);
		if (ret < 0)
			break;
		if (ret == 1) {
			ret = expand(&w, &buf, &p, target, end);
			if (ret < 0)
				break;
			continue;
		}
		if (last && r->mode != WALK_MKDIR) {
			*out = fd;
			break;
		}
		walker_push(&w, fd);
		p = end;
	}
	walker_release(&w);
	return ret;
}

/* ---- public entry points ------------------------------------------------- */

/* Run openat2 first unless disabled; fall back to the walk when the kernel
 * has no openat2 (< 5.6: ENOSYS) or a seccomp filter refuses it (EPERM, or
 * ENOSYS as in Docker's profile).  A genuine EPERM makes the walk fail the
 * same way, so falling back on it costs nothing. */
static int resolve(int rootfd, const char *path, int o2flags, const struct walk_req *r, int *out)
{
	int ret = -ENOSYS;

	if (!oc_fs_force_fallback && !openat2_missing) {
		ret = try_openat2(rootfd, path, o2flags, r->file_mode, out);
		if (ret == 0)
			return 0;
		if (ret == -ENOSYS)
			openat2_missing = true;
		/* Only WALK_OPEN must reproduce openat2 exactly; the other
		 * modes used it as a fast "already there" check. */
		if (r->mode == WALK_OPEN && ret != -ENOSYS && ret != -EPERM)
			return ret;
	}
	return walk(rootfd, path, r, out);
}

int oc_fs_open_in_root(int rootfd, const char *path, int flags, mode_t mode, int *out, oc_error_t *err)
{
	struct walk_req r = {.mode = WALK_OPEN, .flags = flags, .file_mode = mode};
	int fd = -1, ret;

	ret = resolve(rootfd, path, flags, &r, &fd);
	if (ret < 0)
		return oc_error_set(err, -ret, "open `%s` inside the rootfs", path);
	*out = fd;
	return 0;
}

int oc_fs_mkdir_p_in_root(int rootfd, const char *path, mode_t mode, int *out_fd, oc_error_t *err)
{
	struct walk_req r = {.mode = WALK_MKDIR, .dir_mode = mode};
	int fd = -1, ret;

	ret = resolve(rootfd, path, O_PATH | O_DIRECTORY, &r, &fd);
	if (ret < 0)
		return oc_error_set(err, -ret, "mkdir `%s` inside the rootfs", path);
	*out_fd = fd;
	return 0;
}

int oc_fs_create_file_in_root(int rootfd, const char *path, mode_t mode, int *out_fd, oc_error_t *err)
{
	struct walk_req r = {.mode = WALK_CREATE_FILE, .file_mode = mode, .dir_mode = 0755};
	int fd = -1, ret;

	ret = resolve(rootfd, path, O_PATH, &r, &fd);
	if (ret < 0)
		return oc_error_set(err, -ret, "create `%s` inside the rootfs", path);
	*out_fd = fd;
	return 0;
}

int oc_fs_fd_path(int fd, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/proc/self/fd/%d", fd);

	if (n < 0 || (size_t) n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int oc_fs_proc_fd_check(int fd, oc_error_t *err)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return oc_error_sys(err, "fstatfs /proc descriptor");
	/* A container (or a hostile mount over /proc) could put a tmpfs or
	 * FUSE there that serves fake attr/current, uid_map or fd entries. */
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return oc_error_set(err, 0, "descriptor %d is not on procfs (f_type %#lx)", fd,
				    (unsigned long) sfs.f_type);
	return 0;
}

int oc_fs_read_file(int dirfd, const char *path, size_t max, char **out, size_t *len, oc_error_t *err)
{
	cleanup_close int fd = -1;

	/* O_NONBLOCK: an image's FIFO at the path would block open() and
	 * read() forever; O_NOCTTY: a tty must not become ours. */
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return oc_error_sys(err, "open `%s`", path);
	return oc_read_fd(fd, path, max, 4096, out, len, err);
}

int oc_fs_write_file(int dirfd, const char *path, const char *data, size_t len, oc_error_t *err)
{
	cleanup_close int fd = -1;
	size_t done = 0;

	fd = openat(dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return oc_error_sys(err, "open `%s`", path);
	/* procfs knobs such as uid_map accept exactly one write(); a short
	 * write there surfaces as an error on the next call, not as a
	 * silently partial map. */
	while (done < len) {
		ssize_t r = write(fd, data + done, len - done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return oc_error_sys(err, "write `%s`", path);
		}
		if (r == 0)
			return oc_error_set(err, EIO, "write `%s`", path);
		done += (size_t) r;
	}
	return 0;
}

int oc_fs_same_inode(int fd1, int fd2)
{
	struct stat a, b;

	if (fstat(fd1, &a) < 0 || fstat(fd2, &b) < 0)
		return -1;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int oc_fs_check_inode(int fd, dev_t dev, ino_t ino, const char *what, oc_error_t *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return oc_error_sys(err, "fstat `%s`", what);
	if (st.st_dev != dev || st.st_ino != ino)
		return oc_error_set(err, 0, "`%s` changed while it was being set up (possible symlink race)", what);
	return 0;
}
