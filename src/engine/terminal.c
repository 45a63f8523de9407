/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pseudo-terminals and the console socket (see terminal.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/terminal.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#ifndef DEVPTS_SUPER_MAGIC
#define DEVPTS_SUPER_MAGIC 0x1cd1
#endif

/* runc's receivers read the name into a buffer of this size. */
#define OC_TERM_MAX_NAME 4096
/* Room for more descriptors than we accept, so a peer sending several is
 * seen (and all of them closed) instead of half-delivered. */
#define OC_TERM_MAX_RECV_FDS 16

int oc_term_open_pty(int *master, char **slave_path, oc_error_t *err)
{
	cleanup_close int fd = -1;
	char name[PATH_MAX];
	int r;

	fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return oc_error_sys(err, "open `/dev/ptmx`");
	if (grantpt(fd) < 0)
		return oc_error_sys(err, "grantpt");
	if (unlockpt(fd) < 0)
		return oc_error_sys(err, "unlockpt");
	r = ptsname_r(fd, name, sizeof name);
	if (r != 0)
		return oc_error_set(err, r, "ptsname");
	*slave_path = oc_xstrdup(name);
	*master = steal_fd(&fd);
	return 0;
}

int oc_term_open_pty_at(int devpts_dirfd, int *master, oc_error_t *err)
{
	cleanup_close int fd = -1;
	struct statfs sfs;

	/* The directory comes from a container rootfs: unless it is a real
	 * devpts, its "ptmx" could be a FIFO that blocks us or a device
	 * node the image chose. */
	if (fstatfs(devpts_dirfd, &sfs) < 0)
		return oc_error_sys(err, "fstatfs devpts");
	if (sfs.f_type != DEVPTS_SUPER_MAGIC)
		return oc_error_set(err, 0, "`ptmx` directory is not a devpts filesystem");
	fd = openat(devpts_dirfd, "ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return oc_error_sys(err, "open `/dev/pts/ptmx`");
	if (unlockpt(fd) < 0)
		return oc_error_sys(err, "unlockpt");
	*master = steal_fd(&fd);
	return 0;
}

int oc_term_open_peer(int master, int *slave, oc_error_t *err)
{
	int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return oc_error_sys(err, "open pty peer");
	*slave = fd;
	return 0;
}

int oc_term_send_fd_on(int sock, int fd, const char *name, oc_error_t *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	/* A stream socket delivers SCM_RIGHTS only with at least one data
	 * byte, so an empty name is sent as a NUL. */
	const char *payload = name != NULL && *name != '\0' ? name : "";
	size_t plen = *payload ? strlen(payload) : 1;
	struct iovec iov = {.iov_base = (void *) payload, .iov_len = plen};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof u.buf,
	};
	struct cmsghdr *c;
	ssize_t r;

	if (plen > OC_TERM_MAX_NAME)
		return oc_error_set(err, ENAMETOOLONG, "send fd");
	memset(&u, 0, sizeof u);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		r = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return oc_error_sys(err, "send fd");
	if ((size_t) r != plen)
		return oc_error_set(err, EIO, "send fd: short write");
	return 0;
}

int oc_term_send_fd(const char *socket_path, int fd, oc_error_t *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	cleanup_close int sock = -1;

	if (strlen(socket_path) >= sizeof addr.sun_path)
		return oc_error_set(err, ENAMETOOLONG, "connect to console socket `%s`", socket_path);
	strcpy(addr.sun_path, socket_path);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return oc_error_sys(err, "socket");
	if (connect(sock, (struct sockaddr *) &addr, sizeof addr) < 0)
		return oc_error_sys(err, "connect to console socket `%s`", socket_path);
	if (oc_term_send_fd_on(sock, fd, OC_TERM_MASTER_NAME, err) < 0)
		return oc_error_prefix(err, "console socket `%s`", socket_path);
	return 0;
}

int oc_term_recv_fd_name(int sock, int *fd, char **name, oc_error_t *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * OC_TERM_MAX_RECV_FDS)];
		struct cmsghdr align;
	} u;
	cleanup_free char *payload = oc_xmalloc(OC_TERM_MAX_NAME + 1);
	struct iovec iov = {.iov_base = payload, .iov_len = OC_TERM_MAX_NAME};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof u.buf,
	};
	int fds[OC_TERM_MAX_RECV_FDS];
	size_t nfds = 0;
	ssize_t r;

	memset(&u, 0, sizeof u);
	/* MSG_CMSG_CLOEXEC: the fd must not leak into anything we exec
	 * between receiving and using it. */
	do
		r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return oc_error_sys(err, "receive fd");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0))
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n && nfds < OC_TERM_MAX_RECV_FDS; i++)
			memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	/* Exactly one: extra descriptors from a hostile peer are closed, not
	 * kept (they would leak into the container or fill our table). */
	if (nfds != 1 || (msg.msg_flags & MSG_CTRUNC)) {
		for (size_t i = 0; i < nfds; i++)
			close(fds[i]);
		if (r == 0 && nfds == 0)
			return oc_error_set(err, 0, "receive fd: connection closed");
		return oc_error_set(err, 0, "receive fd: expected one descriptor, got %zu%s", nfds,
				    (msg.msg_flags & MSG_CTRUNC) ? " (truncated)" : "");
	}
	payload[r] = '\0';
	*fd = fds[0];
	if (name != NULL)
		*name = steal_pointer(&payload);
	return 0;
}

int oc_term_recv_fd(int sock, int *fd, oc_error_t *err)
{
	return oc_term_recv_fd_name(sock, fd, NULL, err);
}

int oc_term_setup_slave(int slave_fd, oc_error_t *err)
{
	if (setsid() < 0)
		return oc_error_sys(err, "setsid");
	if (ioctl(slave_fd, TIOCSCTTY, 0) < 0)
		return oc_error_sys(err, "ioctl TIOCSCTTY");
	for (int i = 0; i <= 2; i++) {
		if (slave_fd == i) {
			/* dup2 onto itself would keep O_CLOEXEC and the
			 * terminal would vanish at execve. */
			if (fcntl(i, F_SETFD, 0) < 0)
				return oc_error_sys(err, "fcntl F_SETFD");
			continue;
		}
		if (dup2(slave_fd, i) < 0)
			return oc_error_sys(err, "dup2 terminal to fd %d", i);
	}
	return 0;
}

int oc_term_set_size(int fd, unsigned rows, unsigned cols, oc_error_t *err)
{
	struct winsize ws = {.ws_row = (unsigned short) rows, .ws_col = (unsigned short) cols};

	if (rows > USHRT_MAX || cols > USHRT_MAX)
		return oc_error_set(err, EINVAL, "set terminal size %ux%u", rows, cols);
	if (ioctl(fd, TIOCSWINSZ, &ws) < 0)
		return oc_error_sys(err, "set terminal size");
	return 0;
}

static void copy_size(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		(void) ioctl(to, TIOCSWINSZ, &ws);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t r = write(fd, buf, len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += r;
		len -= (size_t) r;
	}
	return 0;
}

/* State shared by the relay's helpers and restored by relay_end(). */
struct relay {
	int in, out, master, sigfd;
	bool raw, in_open, mask_set;
	int master_fl;
	struct termios saved;
	sigset_t oldmask;
	char pend[4096]; /* stdin bytes not yet accepted by the master */
	size_t npend, off;
};

static int relay_begin(struct relay *r, oc_error_t *err)
{
	struct termios t;
	sigset_t winch;

	r->master_fl = fcntl(r->master, F_GETFL);
	if (r->master_fl < 0)
		return oc_error_sys(err, "fcntl pty master");
	/* Non-blocking master: a container that stops reading its stdin
	 * must not stall us while it fills the pty with output. */
	if (fcntl(r->master, F_SETFL, r->master_fl | O_NONBLOCK) < 0)
		return oc_error_sys(err, "fcntl pty master");
	if (!isatty(r->in) || tcgetattr(r->in, &r->saved) < 0)
		return 0;
	t = r->saved;
	cfmakeraw(&t);
	if (tcsetattr(r->in, TCSANOW, &t) < 0)
		return oc_error_sys(err, "set terminal raw mode");
	r->raw = true;
	copy_size(r->in, r->master);
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &winch, &r->oldmask) < 0)
		return oc_error_sys(err, "sigprocmask");
	r->mask_set = true;
	r->sigfd = signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK);
	if (r->sigfd < 0)
		return oc_error_sys(err, "signalfd");
	return 0;
}

static void relay_end(struct relay *r)
{
	if (r->raw)
		(void) tcsetattr(r->in, TCSANOW, &r->saved);
	if (r->sigfd >= 0)
		close(r->sigfd);
	if (r->mask_set)
		(void) sigprocmask(SIG_SETMASK, &r->oldmask, NULL);
	if (r->master_fl >= 0)
		(void) fcntl(r->master, F_SETFL, r->master_fl);
}

/* Copy what the master has to out.  1 when the master hung up. */
static int relay_master_out(struct relay *r, oc_error_t *err)
{
	char buf[8192];

	for (;;) {
		ssize_t n = read(r->master, buf, sizeof buf);
		if (n > 0) {
			if (write_all(r->out, buf, (size_t) n) < 0)
				return oc_error_sys(err, "write terminal output");
			continue;
		}
		if (n == 0)
			return 1;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return 0;
		/* EIO: every slave descriptor is closed. */
		if (errno == EIO)
			return 1;
		return oc_error_sys(err, "read pty master");
	}
}

static int relay_in(struct relay *r)
{
	ssize_t n = read(r->in, r->pend, sizeof r->pend);

	if (n > 0) {
		r->npend = (size_t) n;
		r->off = 0;
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		r->in_open = false;
	}
	return 0;
}

static int relay_flush_in(struct relay *r, oc_error_t *err)
{
	while (r->off < r->npend) {
		ssize_t n = write(r->master, r->pend + r->off, r->npend - r->off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			if (errno == EIO)
				return 0; /* hung up: the read side reports it */
			return oc_error_sys(err, "write pty master");
		}
		r->off += (size_t) n;
	}
	r->npend = r->off = 0;
	return 0;
}

static int relay_loop(struct relay *r, int pidfd, oc_error_t *err)
{
	for (;;) {
		struct pollfd p[4];
		int np = 0, im = -1, ii = -1, is = -1, ip = -1, ret;

		im = np;
		p[np++] = (struct pollfd){.fd = r->master, .events = POLLIN | (r->npend ? POLLOUT : 0)};
		if (r->in_open && r->npend == 0) {
			ii = np;
			p[np++] = (struct pollfd){.fd = r->in, .events = POLLIN};
		}
		if (r->sigfd >= 0) {
			is = np;
			p[np++] = (struct pollfd){.fd = r->sigfd, .events = POLLIN};
		}
		if (pidfd >= 0) {
			ip = np;
			p[np++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
		}
		if (poll(p, (nfds_t) np, -1) < 0) {
			if (errno == EINTR)
				continue;
			return oc_error_sys(err, "poll");
		}
		if (p[im].revents & (POLLIN | POLLHUP | POLLERR)) {
			ret = relay_master_out(r, err);
			if (ret != 0)
				return ret < 0 ? ret : 0;
		}
		if ((p[im].revents & POLLOUT) && relay_flush_in(r, err) < 0)
			return -1;
		if (ii >= 0 && p[ii].revents) {
			relay_in(r);
			if (relay_flush_in(r, err) < 0)
				return -1;
		}
		if (is >= 0 && (p[is].revents & POLLIN)) {
			struct signalfd_siginfo si;
			while (read(r->sigfd, &si, sizeof si) > 0)
				;
			copy_size(r->in, r->master);
		}
		if (ip >= 0 && (p[ip].revents & POLLIN)) {
			/* The child is gone; something else may still hold
			 * the slave open, so take what is there and stop. */
			ret = relay_master_out(r, err);
			return ret < 0 ? ret : 0;
		}
	}
}

int oc_term_relay_fds(int in_fd, int out_fd, int master, int child_pidfd, oc_error_t *err)
{
	struct relay r = {.in = in_fd, .out = out_fd, .master = master, .sigfd = -1, .in_open = in_fd >= 0,
			  .master_fl = -1};
	int ret;

	ret = relay_begin(&r, err);
	if (ret == 0)
		ret = relay_loop(&r, child_pidfd, err);
	relay_end(&r);
	return ret;
}

int oc_term_relay(int master, int child_pidfd, oc_error_t *err)
{
	return oc_term_relay_fds(STDIN_FILENO, STDOUT_FILENO, master, child_pidfd, err);
}
