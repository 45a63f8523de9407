/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Safe path resolution inside a container rootfs (STYLE.md rules 6 and 7).
 *
 * A container path is never handed to the kernel as a plain string relative
 * to the host: it is resolved against a directory descriptor of the rootfs
 * with every symlink (absolute or relative) and ".." kept inside it, the
 * way RESOLVE_IN_ROOT does.  This is the defence against the class of
 * CVE-2021-30465 (a symlink swapped into a mount destination sends the mount
 * onto the host) and runc CVE-2025-31133/52565 (an image-controlled
 * /dev/null or /dev/console link redirects a bind mount).  Callers work on
 * the returned O_PATH descriptors and mount onto "/proc/self/fd/N".
 * Every descriptor returned here is O_CLOEXEC. */
#ifndef OCICHROOT_FS_H
#define OCICHROOT_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ocichroot/error.h"

/* Test hook: when true, openat2(2) is never tried and every resolution
 * goes through the manual walk, so unit tests cover both paths. */
extern bool oc_fs_force_fallback;

/* Open `path` (relative to the rootfs; a leading '/' is allowed) with
 * symlinks resolved as if rootfd were '/', and ".." at the root staying
 * there.  /proc magic links are refused (ELOOP).  flags are open(2) flags
 * (O_CLOEXEC is always added); mode is used with O_CREAT.  A final symlink
 * is followed unless flags has O_NOFOLLOW (then O_PATH|O_NOFOLLOW gives the
 * link itself, as with openat(2)). */
int oc_fs_open_in_root(int rootfd, const char *path, int flags, mode_t mode, int *out, oc_error_t *err);

/* Create every missing directory of `path` inside the rootfs (symlinked
 * components resolved inside it) and return an O_PATH descriptor of the
 * final directory.  ENOTDIR when a component exists and is not one. */
int oc_fs_mkdir_p_in_root(int rootfd, const char *path, mode_t mode, int *out_fd, oc_error_t *err);

/* Parent directories as oc_fs_mkdir_p_in_root (mode 0755), then an empty
 * regular file unless something already exists there; a leaf symlink is
 * resolved inside the rootfs (a dangling one gets its target created inside
 * the rootfs, never on the host).  Returns an O_PATH descriptor of whatever
 * is at the path: the caller checks its type. */
int oc_fs_create_file_in_root(int rootfd, const char *path, mode_t mode, int *out_fd, oc_error_t *err);

/* "/proc/self/fd/N" into buf.  0 on success, -1 with errno = ENAMETOOLONG
 * when buf is too small.  OC_FS_FD_PATH_MAX is always enough. */
#define OC_FS_FD_PATH_MAX 32
int oc_fs_fd_path(int fd, char *buf, size_t len);

/* Fails unless fd lives on a procfs (fstatfs f_type == PROC_SUPER_MAGIC). */
int oc_fs_proc_fd_check(int fd, oc_error_t *err);

/* Read at most `max` bytes of dirfd/path (dirfd may be AT_FDCWD); a larger
 * file is an error (EFBIG).  *out is NUL-terminated and owned by the
 * caller; *len excludes the NUL.  The final component is never followed
 * if it is a symlink (O_NOFOLLOW); a FIFO never blocks (O_NONBLOCK). */
int oc_fs_read_file(int dirfd, const char *path, size_t max, char **out, size_t *len, oc_error_t *err);

/* Write data to an existing file (O_WRONLY|O_TRUNC|O_NOFOLLOW, never
 * creates), looping over short writes.  Meant for procfs, sysfs and
 * cgroupfs knobs and for files created with oc_fs_create_file_in_root. */
int oc_fs_write_file(int dirfd, const char *path, const char *data, size_t len, oc_error_t *err);

/* 1 when fd1 and fd2 are the same inode (st_dev and st_ino), 0 when not,
 * -1 with errno when fstat fails. */
int oc_fs_same_inode(int fd1, int fd2);

/* Fails (with a message naming `what`) unless fd is still the inode
 * (dev, ino) recorded earlier: re-checking a destination after mounting
 * onto it detects a rename race between resolution and mount. */
int oc_fs_check_inode(int fd, dev_t dev, ino_t ino, const char *what, oc_error_t *err);

#endif
