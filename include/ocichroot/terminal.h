/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pseudo-terminals for process.terminal: creating the pty, handing its
 * master to a --console-socket (runc's protocol, so conmon, containerd
 * and recvtty work unchanged), and relaying it in the foreground. */
#ifndef OCICHROOT_TERMINAL_H
#define OCICHROOT_TERMINAL_H

#include "ocichroot/error.h"

/* The name runc sends with the master over the console socket. */
#define OC_TERM_MASTER_NAME "/dev/ptmx"

/* New pty from the current /dev/ptmx: master fd (O_RDWR|O_NOCTTY|
 * O_CLOEXEC, unlocked) and the slave's path (owned by the caller). */
int oc_term_open_pty(int *master, char **slave_path, oc_error_t *err);

/* New pty from the ptmx of a devpts instance open as dirfd (a container's
 * own /dev/pts, resolved inside its rootfs), master unlocked. */
int oc_term_open_pty_at(int devpts_dirfd, int *master, oc_error_t *err);

/* Open the slave of master without any path lookup (TIOCGPTPEER, Linux
 * 4.13): nothing in the container can swap /dev/pts/N under us. */
int oc_term_open_peer(int master, int *slave, oc_error_t *err);

/* Connect to the unix socket at socket_path and send fd with SCM_RIGHTS and
 * OC_TERM_MASTER_NAME as the message bytes, as runc does. */
int oc_term_send_fd(const char *socket_path, int fd, oc_error_t *err);

/* Send fd over an already connected unix socket; name (may be NULL: an
 * empty name is sent as one NUL byte) is the message payload. */
int oc_term_send_fd_on(int sock, int fd, const char *name, oc_error_t *err);

/* Receive exactly one fd (made O_CLOEXEC).  The payload is ignored. */
int oc_term_recv_fd(int sock, int *fd, oc_error_t *err);
/* Same, and return the payload (NUL-terminated, owned by the caller). */
int oc_term_recv_fd_name(int sock, int *fd, char **name, oc_error_t *err);

/* In the process that will exec the container's command: new session,
 * slave_fd as controlling terminal, and on stdin/stdout/stderr.  The caller
 * still owns slave_fd (close it when it is above 2). */
int oc_term_setup_slave(int slave_fd, oc_error_t *err);

int oc_term_set_size(int fd, unsigned rows, unsigned cols, oc_error_t *err);

/* Foreground `run` with a terminal and no console socket: our stdin in raw
 * mode while it is a tty (restored before returning), stdin -> master,
 * master -> stdout, SIGWINCH resizes the pty, until the master hangs up
 * (EIO once every slave fd is closed) or, when child_pidfd >= 0, the
 * child has exited and the master is drained.  Returns 0 then. */
int oc_term_relay(int master, int child_pidfd, oc_error_t *err);
/* Same with explicit input and output descriptors. */
int oc_term_relay_fds(int in_fd, int out_fd, int master, int child_pidfd, oc_error_t *err);

#endif
