/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Resolution inside a rootfs: every case runs twice, once through
 * openat2(RESOLVE_IN_ROOT) and once through the manual walk. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/fs.h"
#include "../tap.h"

static char base[128];    /* temp dir holding root/ and outside/ */
static char rootdir[256]; /* the fake rootfs */
static char outside[256]; /* a host directory outside it */

static void must(int ok, const char *what)
{
	if (!ok) {
		printf("Bail out! setup: %s: %s\n", what, strerror(errno));
		exit(1);
	}
}

static void put(const char *rel, const char *content)
{
	char p[PATH_MAX * 2];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", rootdir, rel);
	f = fopen(p, "w");
	must(f != NULL, p);
	fputs(content, f);
	fclose(f);
}

static void link_in(const char *target, const char *rel)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof p, "%s/%s", rootdir, rel);
	must(symlink(target, p) == 0, p);
}

static void dir_in(const char *rel)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof p, "%s/%s", rootdir, rel);
	must(mkdir(p, 0755) == 0, p);
}

static void setup(void)
{
	char p[PATH_MAX * 2];

	snprintf(base, sizeof base, "/tmp/oc-test-fs-XXXXXX");
	must(mkdtemp(base) != NULL, "mkdtemp");
	snprintf(rootdir, sizeof rootdir, "%s/root", base);
	snprintf(outside, sizeof outside, "%s/outside", base);
	must(mkdir(rootdir, 0755) == 0, rootdir);
	must(mkdir(outside, 0755) == 0, outside);
	snprintf(p, sizeof p, "%s/secret", outside);
	FILE *f = fopen(p, "w");
	must(f != NULL, p);
	fputs("host\n", f);
	fclose(f);

	dir_in("etc");
	dir_in("race");
	dir_in("race/x");
	dir_in("race/xd");
	put("race/x/secret", "inside\n");
	put("race/xd/secret", "inside\n");
	link_in(outside, "race/xl");
	put("etc/passwd", "inside\n");
	dir_in("a");
	dir_in("a/b");
	link_in("/etc/passwd", "link_passwd");
	link_in("../../..", "a/b/up");
	link_in("/c2", "c1");
	link_in("etc", "c2");
	link_in("loop2", "loop1");
	link_in("loop1", "loop2");
	/* The host's outside/ dir, by absolute path and by climbing. */
	link_in(outside, "escdir");
	link_in("../outside", "escrel");
	snprintf(p, sizeof p, "%s/secret", outside);
	link_in(p, "escfile");
	for (int i = 1; i <= 2; i++) {
		char l[32];

		snprintf(p, sizeof p, "%s/d%d", outside, i);
		must(mkdir(p, 0755) == 0, p);
		snprintf(p, sizeof p, "%s/c%d", outside, i);
		must(mkdir(p, 0755) == 0, p);
		snprintf(p, sizeof p, "%s/d%d/marker", outside, i);
		snprintf(l, sizeof l, "odangle%d", i);
		link_in(p, l);
		snprintf(p, sizeof p, "%s/c%d/marker", outside, i);
		snprintf(l, sizeof l, "cdangle%d", i);
		link_in(p, l);
	}
	link_in("/nowhere/file", "dangle_deep");
	snprintf(p, sizeof p, "%s/fifo", rootdir);
	must(mkfifo(p, 0600) == 0, p);
}

static void cleanup(void)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", base);
}

static int host_exists(const char *rel)
{
	char p[PATH_MAX * 2];
	struct stat st;

	snprintf(p, sizeof p, "%s/%s", outside, rel);
	return lstat(p, &st) == 0;
}

/* Open path in the root for reading; return its content ("" on error). */
static const char *read_in(int root, const char *path, int *errnum)
{
	static char buf[256];
	cleanup_close int fd = -1;
	oc_error_t err = OC_ERROR_INIT;
	ssize_t n;

	buf[0] = '\0';
	*errnum = 0;
	if (oc_fs_open_in_root(root, path, O_RDONLY, 0, &fd, &err) < 0) {
		*errnum = err.code;
		oc_error_clear(&err);
		return buf;
	}
	n = read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int is_inside(int fd, const char *rel)
{
	char p[PATH_MAX * 2];
	struct stat a, b;

	snprintf(p, sizeof p, "%s/%s", rootdir, rel);
	if (fstat(fd, &a) < 0 || lstat(p, &b) < 0)
		return 0;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void resolution_cases(int root, const char *mode)
{
	oc_error_t err = OC_ERROR_INIT;
	int e, fd = -1;
	struct stat st;

	TAP_STREQ(read_in(root, "/etc/passwd", &e), "inside\n", "%s: plain absolute path", mode);
	TAP_STREQ(read_in(root, "link_passwd", &e), "inside\n", "%s: link to /etc/passwd stays inside", mode);
	TAP_STREQ(read_in(root, "../../../etc/passwd", &e), "inside\n", "%s: leading .. stays at root", mode);
	TAP_STREQ(read_in(root, "a/b/up/etc/passwd", &e), "inside\n", "%s: ../../.. link stays at root", mode);
	TAP_STREQ(read_in(root, "c1/passwd", &e), "inside\n", "%s: absolute link chain", mode);
	TAP_STREQ(read_in(root, "a/./b/../../etc//passwd", &e), "inside\n", "%s: . and .. and //", mode);

	read_in(root, "loop1", &e);
	TAP_OK(e == ELOOP, "%s: link loop is ELOOP (got %d)", mode, e);
	read_in(root, "etc/passwd/x", &e);
	TAP_OK(e == ENOTDIR, "%s: file as a directory is ENOTDIR (got %d)", mode, e);
	read_in(root, "etc/passwd/", &e);
	TAP_OK(e == ENOTDIR, "%s: trailing slash on a file is ENOTDIR (got %d)", mode, e);
	read_in(root, "escfile", &e);
	TAP_OK(e == ENOENT, "%s: absolute link to a host file is not followed out (got %d)", mode, e);
	read_in(root, "escrel/secret", &e);
	TAP_OK(e == ENOENT, "%s: ../outside link is not followed out (got %d)", mode, e);

	TAP_OK(oc_fs_open_in_root(root, "loop1", O_RDONLY, 0, &fd, &err) < 0 && err.msg != NULL &&
		       strcmp(err.msg, "open `loop1` inside the rootfs: Too many levels of symbolic links") == 0,
	       "%s: error text names the path", mode);
	oc_error_clear(&err);

	TAP_OK(oc_fs_open_in_root(root, "link_passwd", O_PATH | O_NOFOLLOW, 0, &fd, &err) == 0 &&
		       fstat(fd, &st) == 0 && S_ISLNK(st.st_mode),
	       "%s: O_PATH|O_NOFOLLOW gives the link itself", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	TAP_OK(oc_fs_open_in_root(root, "/", O_PATH | O_DIRECTORY, 0, &fd, &err) == 0 && is_inside(fd, "."),
	       "%s: \"/\" is the root", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	TAP_OK(oc_fs_open_in_root(root, "a/b/up", O_PATH | O_DIRECTORY, 0, &fd, &err) == 0 && is_inside(fd, "."),
	       "%s: a link to ../../.. is the root", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	TAP_OK(oc_fs_open_in_root(root, "a/b/up", O_RDONLY | O_DIRECTORY, 0, &fd, &err) == 0 && is_inside(fd, "."),
	       "%s: O_DIRECTORY through a final link", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	TAP_OK(oc_fs_open_in_root(root, "link_passwd", O_RDONLY | O_NOFOLLOW, 0, &fd, &err) < 0 && err.code == ELOOP,
	       "%s: O_NOFOLLOW on a final link is ELOOP", mode);
	oc_error_clear(&err);
	TAP_OK(oc_fs_open_in_root(root, "a/b/up/link_passwd", O_PATH, 0, &fd, &err) == 0 && is_inside(fd, "etc/passwd"),
	       "%s: O_PATH follows a final link inside", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	oc_error_clear(&err);
}

static void create_cases(int root, const char *mode, const char *sfx)
{
	oc_error_t err = OC_ERROR_INIT;
	char p[1024], q[1024];
	int fd = -1;
	struct stat st;

	/* O_CREAT through a dangling absolute link to a host path: the
	 * host directory d<sfx> exists, its namesake under the root not. */
	snprintf(p, sizeof p, "odangle%s", sfx);
	snprintf(q, sizeof q, "d%s/marker", sfx);
	TAP_OK(oc_fs_open_in_root(root, p, O_WRONLY | O_CREAT, 0644, &fd, &err) < 0 && err.code == ENOENT,
	       "%s: O_CREAT via dangling link to a host dir is ENOENT", mode);
	TAP_OK(!host_exists(q), "%s: ...did not create the host file", mode);
	oc_error_clear(&err);
	snprintf(q, sizeof q, "%s/d%s", outside, sfx);
	TAP_OK(oc_fs_mkdir_p_in_root(root, q, 0755, &fd, &err) == 0 && is_inside(fd, q + 1),
	       "%s: mkdir_p of the host dir's path makes it inside", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	TAP_OK(oc_fs_open_in_root(root, p, O_WRONLY | O_CREAT, 0644, &fd, &err) == 0,
	       "%s: O_CREAT via dangling link", mode);
	snprintf(q, sizeof q, "d%s/marker", sfx);
	TAP_OK(!host_exists(q), "%s: ...did not create the host file", mode);
	snprintf(q, sizeof q, "%s/d%s/marker", outside + 1, sfx);
	TAP_OK(fd >= 0 && is_inside(fd, q), "%s: ...created it under the rootfs", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;

	/* mkdir_p through a link to a host directory stays inside. */
	snprintf(p, sizeof p, "escdir/new%s/sub", sfx);
	TAP_OK(oc_fs_mkdir_p_in_root(root, p, 0755, &fd, &err) == 0, "%s: mkdir_p via link to host dir", mode);
	snprintf(q, sizeof q, "new%s", sfx);
	TAP_OK(!host_exists(q), "%s: ...no host directory created", mode);
	snprintf(q, sizeof q, "%s/new%s/sub", outside + 1, sfx);
	TAP_OK(fd >= 0 && is_inside(fd, q) && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode),
	       "%s: ...the directory is under the rootfs", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	snprintf(p, sizeof p, "escrel/rel%s", sfx);
	snprintf(q, sizeof q, "outside/rel%s", sfx);
	TAP_OK(oc_fs_mkdir_p_in_root(root, p, 0755, &fd, &err) == 0 && is_inside(fd, q),
	       "%s: mkdir_p via ../outside link lands at the root", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	TAP_OK(oc_fs_mkdir_p_in_root(root, "a/b", 0755, &fd, &err) == 0 && is_inside(fd, "a/b"),
	       "%s: mkdir_p of an existing dir", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	TAP_OK(oc_fs_mkdir_p_in_root(root, "etc/passwd/x", 0755, &fd, &err) < 0 && err.code == ENOTDIR,
	       "%s: mkdir_p through a file is ENOTDIR", mode);
	oc_error_clear(&err);

	/* create_file: dangling leaf link to a host path (its host
	 * directory exists, its parents under the root do not). */
	snprintf(p, sizeof p, "cdangle%s", sfx);
	TAP_OK(oc_fs_create_file_in_root(root, p, 0644, &fd, &err) == 0, "%s: create_file on a dangling link", mode);
	snprintf(q, sizeof q, "c%s/marker", sfx);
	TAP_OK(!host_exists(q), "%s: ...did not create the host marker", mode);
	snprintf(q, sizeof q, "%s/c%s/marker", outside + 1, sfx);
	TAP_OK(fd >= 0 && is_inside(fd, q) && fstat(fd, &st) == 0 && S_ISREG(st.st_mode),
	       "%s: ...created a regular file under the rootfs", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	TAP_OK(oc_fs_create_file_in_root(root, "dangle_deep", 0644, &fd, &err) == 0 &&
		       is_inside(fd, "nowhere/file"),
	       "%s: create_file creates the link target's parents inside", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	snprintf(p, sizeof p, "%s/nowhere/file", rootdir);
	unlink(p);
	snprintf(p, sizeof p, "%s/nowhere", rootdir);
	rmdir(p);
	snprintf(p, sizeof p, "x%s/y/z", sfx);
	TAP_OK(oc_fs_create_file_in_root(root, p, 0600, &fd, &err) == 0 && is_inside(fd, p) &&
		       fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600,
	       "%s: create_file with missing parents", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	TAP_OK(oc_fs_create_file_in_root(root, "link_passwd", 0644, &fd, &err) == 0 && is_inside(fd, "etc/passwd"),
	       "%s: create_file on an existing link resolves it inside", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	/* Would block forever if the FIFO were opened for writing. */
	TAP_OK(oc_fs_create_file_in_root(root, "fifo", 0644, &fd, &err) == 0 && fstat(fd, &st) == 0 &&
		       S_ISFIFO(st.st_mode),
	       "%s: create_file on a FIFO returns it without opening it", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	TAP_OK(oc_fs_create_file_in_root(root, "/", 0644, &fd, &err) == 0 || err.code == EISDIR,
	       "%s: create_file of / does not crash", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	oc_error_clear(&err);
}

/* /proc as the "rootfs": self is a plain procfs link, cwd a magic one. */
static void proc_cases(const char *mode)
{
	oc_error_t err = OC_ERROR_INIT;
	cleanup_close int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = -1;

	TAP_OK(oc_fs_open_in_root(proc, "self/status", O_RDONLY, 0, &fd, &err) == 0,
	       "%s: plain procfs link (self) is followed", mode);
	if (fd >= 0)
		close(fd);
	fd = -1;
	oc_error_clear(&err);
	TAP_OK(oc_fs_open_in_root(proc, "self/cwd", O_PATH, 0, &fd, &err) < 0 && err.code == ELOOP,
	       "%s: magic link self/cwd refused with ELOOP", mode);
	oc_error_clear(&err);
	TAP_OK(oc_fs_open_in_root(proc, "self/fd/0", O_RDONLY, 0, &fd, &err) < 0 && err.code == ELOOP,
	       "%s: magic link self/fd/0 refused with ELOOP", mode);
	oc_error_clear(&err);
	if (fd >= 0)
		close(fd);
}

static void helper_cases(void)
{
	oc_error_t err = OC_ERROR_INIT;
	char buf[OC_FS_FD_PATH_MAX], small[8], p[PATH_MAX * 2];
	cleanup_close int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int dir = open(rootdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int a = -1, b = -1;
	char *data = NULL;
	size_t len = 0;
	struct stat st;

	TAP_OK(oc_fs_fd_path(42, buf, sizeof buf) == 0, "fd_path fits");
	TAP_STREQ(buf, "/proc/self/fd/42", "fd_path text");
	TAP_OK(oc_fs_fd_path(42, small, sizeof small) < 0 && errno == ENAMETOOLONG, "fd_path too small");

	TAP_OK(oc_fs_proc_fd_check(proc, &err) == 0, "proc_fd_check accepts /proc");
	TAP_OK(oc_fs_proc_fd_check(dir, &err) < 0 && err.msg != NULL, "proc_fd_check refuses a non-procfs dir");
	oc_error_clear(&err);

	TAP_OK(oc_fs_write_file(dir, "etc/passwd", "new content\n", 12, &err) == 0, "write_file");
	TAP_OK(oc_fs_read_file(dir, "etc/passwd", 100, &data, &len, &err) == 0 && len == 12, "read_file");
	TAP_STREQ(data, "new content\n", "read_file content round-trips");
	free(data);
	data = NULL;
	TAP_OK(oc_fs_read_file(dir, "etc/passwd", 5, &data, &len, &err) < 0 && err.code == EFBIG && data == NULL,
	       "read_file over max is EFBIG");
	oc_error_clear(&err);
	TAP_OK(oc_fs_read_file(dir, "etc/passwd", 12, &data, &len, &err) == 0 && len == 12, "read_file of exactly max");
	free(data);
	data = NULL;
	TAP_OK(oc_fs_read_file(dir, "link_passwd", 100, &data, &len, &err) < 0 && err.code == ELOOP,
	       "read_file does not follow a final link");
	oc_error_clear(&err);
	TAP_OK(oc_fs_write_file(dir, "link_passwd", "x", 1, &err) < 0 && err.code == ELOOP,
	       "write_file does not follow a final link");
	oc_error_clear(&err);
	TAP_OK(oc_fs_write_file(dir, "nothere", "x", 1, &err) < 0 && err.code == ENOENT, "write_file never creates");
	oc_error_clear(&err);
	TAP_OK(oc_fs_read_file(dir, "fifo", 100, &data, &len, &err) == 0 && len == 0,
	       "read_file on a FIFO without writer does not block");
	free(data);
	data = NULL;
	TAP_OK(oc_fs_read_file(proc, "self/status", 1 << 20, &data, &len, &err) == 0 && len > 0 &&
		       strstr(data, "Name:") != NULL,
	       "read_file of a procfs file (size 0 in stat)");
	free(data);
	data = NULL;

	snprintf(p, sizeof p, "%s/etc/passwd", rootdir);
	a = open(p, O_PATH | O_CLOEXEC);
	b = openat(dir, "etc/passwd", O_RDONLY | O_CLOEXEC);
	TAP_OK(oc_fs_same_inode(a, b) == 1, "same_inode: same file");
	TAP_OK(oc_fs_same_inode(a, dir) == 0, "same_inode: different files");
	TAP_OK(fstat(a, &st) == 0 && oc_fs_check_inode(b, st.st_dev, st.st_ino, "/etc/passwd", &err) == 0,
	       "check_inode: unchanged");
	TAP_OK(oc_fs_check_inode(dir, st.st_dev, st.st_ino, "/etc/passwd", &err) < 0 && err.msg != NULL &&
		       strstr(err.msg, "`/etc/passwd`") != NULL,
	       "check_inode: changed is an error naming the path");
	oc_error_clear(&err);
}

/* A process keeps exchanging race/x between a real directory and a link
 * to the host's outside/ dir while we resolve "race/x/secret": the host
 * file must never come back, whichever way the race falls. */
static void race_case(int root, const char *mode)
{
	char d[512], l[512], t[512];
	long got_in = 0, leaked = 0;
	pid_t pid;

	snprintf(d, sizeof d, "%s/race/x", rootdir);
	snprintf(l, sizeof l, "%s/race/xl", rootdir);
	snprintf(t, sizeof t, "%s/race/xd", rootdir);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		for (;;) {
			renameat2(AT_FDCWD, l, AT_FDCWD, d, RENAME_EXCHANGE);
			renameat2(AT_FDCWD, t, AT_FDCWD, d, RENAME_EXCHANGE);
		}
	}
	for (int i = 0; i < 20000; i++) {
		int e;
		const char *c = read_in(root, "race/x/secret", &e);

		if (strcmp(c, "host\n") == 0)
			leaked++;
		else if (strcmp(c, "inside\n") == 0)
			got_in++;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	TAP_OK(leaked == 0 && got_in > 0, "%s: swap race never reaches the host (%ld inside, %ld leaked)", mode, got_in,
	       leaked);
}

int main(void)
{
	cleanup_close int root = -1;

	setup();
	root = open(rootdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	must(root >= 0, rootdir);

	oc_fs_force_fallback = false;
	resolution_cases(root, "openat2");
	create_cases(root, "openat2", "1");
	proc_cases("openat2");
	race_case(root, "openat2");
	oc_fs_force_fallback = true;
	resolution_cases(root, "walk");
	create_cases(root, "walk", "2");
	proc_cases("walk");
	race_case(root, "walk");
	oc_fs_force_fallback = false;
	helper_cases();

	cleanup();
	return tap_done();
}
