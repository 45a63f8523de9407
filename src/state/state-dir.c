/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state root and the per-container directories: ids, creation with
 * exclusive mkdir, locking, removal, listing. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/state.h"

/* Deeper than anything we create; stops a runaway walk over a tree that
 * someone else planted in the state dir. */
#define REMOVE_MAX_DEPTH 16

static int error_code(oc_error_t *err, int code, const char *msg)
{
	oc_error_set(err, 0, "%s", msg);
	if (err != NULL)
		err->code = code;
	return -1;
}

static int not_exist(oc_error_t *err)
{
	return error_code(err, ENOENT, "container does not exist");
}

static bool id_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '+' || c == '-' || c == '.';
}

int oc_state_id_validate(const char *id, oc_error_t *err)
{
	size_t len;

	/* The id becomes a directory name under the root: no '/', no "..",
	 * nothing a shell or a log line could misread. */
	if (id == NULL)
		return error_code(err, EINVAL, "invalid container ID format");
	len = strnlen(id, OC_STATE_ID_MAX + 1);
	if (len == 0 || len > OC_STATE_ID_MAX || strstr(id, "..") != NULL || strcmp(id, ".") == 0)
		return error_code(err, EINVAL, "invalid container ID format");
	for (size_t i = 0; i < len; i++)
		if (!id_char_ok((unsigned char) id[i]))
			return error_code(err, EINVAL, "invalid container ID format");
	return 0;
}

const char *oc_state_default_root(void)
{
	static char buf[PATH_MAX];
	const char *xdg;
	int n;

	if (buf[0] != '\0')
		return buf;
	if (geteuid() == 0)
		return strcpy(buf, "/run/ocichroot");
	xdg = getenv("XDG_RUNTIME_DIR");
	/* A relative XDG_RUNTIME_DIR is invalid per the basedir spec. */
	if (xdg != NULL && xdg[0] == '/') {
		n = snprintf(buf, sizeof buf, "%s/ocichroot", xdg);
		if (n > 0 && (size_t) n < sizeof buf)
			return buf;
	}
	snprintf(buf, sizeof buf, "/run/user/%u/ocichroot", (unsigned) geteuid());
	return buf;
}

static int mkdir_parents(const char *path, oc_error_t *err)
{
	cleanup_free char *p = oc_xstrdup(path);

	for (char *s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0711) < 0 && errno != EEXIST)
			return oc_error_sys(err, "mkdir `%s`", p);
		*s = '/';
	}
	return 0;
}

int oc_state_root_open(const char *path, int *rootfd, oc_error_t *err)
{
	cleanup_close int fd = -1;
	bool created = false;

	if (path == NULL || path[0] == '\0')
		return oc_error_set(err, 0, "empty state root path");
	if (mkdir(path, 0700) == 0) {
		created = true;
	} else if (errno == ENOENT) {
		if (mkdir_parents(path, err) < 0)
			return -1;
		if (mkdir(path, 0700) == 0)
			created = true;
		else if (errno != EEXIST)
			return oc_error_sys(err, "mkdir `%s`", path);
	} else if (errno != EEXIST) {
		return oc_error_sys(err, "mkdir `%s`", path);
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return oc_error_sys(err, "open `%s`", path);
	/* Undo the umask on a root we made; one we found is the admin's. */
	if (created && fchmod(fd, 0700) < 0)
		return oc_error_sys(err, "chmod `%s`", path);
	*rootfd = steal_fd(&fd);
	return 0;
}

static int open_container_dir(int rootfd, const char *id, int *dirfd, oc_error_t *err)
{
	/* O_NOFOLLOW: a symlink planted in the root must not redirect our
	 * writes (or a delete) elsewhere. */
	int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			return not_exist(err);
		return oc_error_sys(err, "open `%s`", id);
	}
	*dirfd = fd;
	return 0;
}

int oc_state_create_dir(int rootfd, const char *id, int *dirfd, oc_error_t *err)
{
	cleanup_close int fd = -1;

	if (oc_state_id_validate(id, err) < 0)
		return -1;
	/* mkdir is the atomic claim on the id: the kernel lets exactly one
	 * of two racing creates succeed. */
	if (mkdirat(rootfd, id, 0711) < 0) {
		if (errno == EEXIST)
			return error_code(err, EEXIST, "container with given ID already exists");
		return oc_error_sys(err, "mkdir `%s`", id);
	}
	if (open_container_dir(rootfd, id, &fd, err) < 0)
		return -1;
	/* 0711 like runc, whatever the umask: a user-namespaced init may
	 * need to traverse it. */
	if (fchmod(fd, 0711) < 0)
		return oc_error_sys(err, "chmod `%s`", id);
	*dirfd = steal_fd(&fd);
	return 0;
}

int oc_state_open_dir(int rootfd, const char *id, int *dirfd, oc_error_t *err)
{
	if (oc_state_id_validate(id, err) < 0)
		return -1;
	return open_container_dir(rootfd, id, dirfd, err);
}

int oc_state_lock(int dirfd, bool exclusive, int *lockfd, oc_error_t *err)
{
	cleanup_close int fd = -1;
	struct stat st;

	fd = openat(dirfd, OC_STATE_LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		/* Creating in a directory that was rmdir()ed gives ENOENT. */
		if (errno == ENOENT)
			return not_exist(err);
		return oc_error_sys(err, "open `%s`", OC_STATE_LOCK_FILE);
	}
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		if (errno != EINTR)
			return oc_error_sys(err, "lock `%s`", OC_STATE_LOCK_FILE);
	}
	/* A delete may have run while we waited: its rmdir leaves the
	 * directory inode with no links. Acting on it would recreate state
	 * for a container that no longer exists. */
	if (fstat(dirfd, &st) < 0)
		return oc_error_sys(err, "stat container directory");
	if (st.st_nlink == 0)
		return not_exist(err);
	*lockfd = steal_fd(&fd);
	return 0;
}

static int remove_tree(int parentfd, const char *name, int depth, oc_error_t *err);

static int remove_contents(int fd, int depth, oc_error_t *err)
{
	cleanup_dir DIR *d = NULL;
	int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	struct dirent *de;

	if (dfd < 0)
		return oc_error_sys(err, "dup");
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return oc_error_sys(err, "fdopendir");
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0)
				return oc_error_sys(err, "readdir");
			return 0;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		/* Unlink first: for a symlink this removes the link itself,
		 * never what it points to; only a real directory fails. */
		if (unlinkat(fd, de->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno != EISDIR)
			return oc_error_sys(err, "unlink `%s`", de->d_name);
		if (remove_tree(fd, de->d_name, depth + 1, err) < 0)
			return -1;
	}
}

static int remove_tree(int parentfd, const char *name, int depth, oc_error_t *err)
{
	cleanup_close int fd = -1;

	if (unlinkat(parentfd, name, AT_REMOVEDIR) == 0)
		return 0;
	if (errno != ENOTEMPTY && errno != EEXIST)
		return oc_error_sys(err, "remove `%s`", name);
	if (depth >= REMOVE_MAX_DEPTH)
		return oc_error_set(err, ELOOP, "remove `%s`", name);
	fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return oc_error_sys(err, "open `%s`", name);
	if (remove_contents(fd, depth, err) < 0)
		return oc_error_prefix(err, "remove `%s`", name);
	if (unlinkat(parentfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return oc_error_sys(err, "remove `%s`", name);
	return 0;
}

int oc_state_remove_dir(int rootfd, const char *id, oc_error_t *err)
{
	struct stat st;

	if (oc_state_id_validate(id, err) < 0)
		return -1;
	if (fstatat(rootfd, id, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return not_exist(err);
		return oc_error_sys(err, "stat `%s`", id);
	}
	if (!S_ISDIR(st.st_mode))
		return not_exist(err);
	return remove_tree(rootfd, id, 0, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static bool is_container_dir(int rootfd, const char *name)
{
	cleanup_free char *p = NULL;
	struct stat st;

	if (oc_state_id_validate(name, NULL) < 0)
		return false;
	if (fstatat(rootfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return false;
	p = oc_xasprintf("%s/%s", name, OC_STATE_FILE);
	return fstatat(rootfd, p, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

int oc_state_list(int rootfd, char ***ids, size_t *n, oc_error_t *err)
{
	cleanup_dir DIR *d = NULL;
	cleanup_strv char **v = NULL;
	size_t count = 0, cap = 8;
	struct dirent *de;
	int fd;

	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return oc_error_sys(err, "open state root");
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return oc_error_sys(err, "open state root");
	}
	v = oc_xcalloc(cap + 1, sizeof(char *));
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0)
				return oc_error_sys(err, "read state root");
			break;
		}
		if (!is_container_dir(rootfd, de->d_name))
			continue;
		if (count == cap) {
			cap *= 2;
			v = oc_xrealloc(v, (cap + 1) * sizeof(char *));
		}
		v[count++] = oc_xstrdup(de->d_name);
		v[count] = NULL;
	}
	qsort(v, count, sizeof(char *), cmp_str);
	*ids = steal_pointer(&v);
	*n = count;
	return 0;
}

bool oc_state_has_exec_fifo(int dirfd)
{
	struct stat st;

	return fstatat(dirfd, OC_STATE_EXEC_FIFO, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

char *oc_state_dir_owner(int dirfd)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	struct stat st;

	if (fstat(dirfd, &st) < 0)
		return oc_xstrdup("");
	if (getpwuid_r(st.st_uid, &pw, buf, sizeof buf, &res) == 0 && res != NULL)
		return oc_xstrdup(res->pw_name);
	return oc_xasprintf("#%u", (unsigned) st.st_uid);
}
