/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pty creation, fd passing over a unix socket (runc's console socket
 * protocol), terminal size, and the foreground relay with a fake child. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/terminal.h"
#include "../tap.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* Read what is there within a short time (the pty may split writes). */
static size_t read_some(int fd, char *buf, size_t len)
{
	size_t n = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	while (n < len - 1 && poll(&p, 1, 300) > 0) {
		ssize_t r = read(fd, buf + n, len - 1 - n);
		if (r <= 0)
			break;
		n += (size_t) r;
	}
	buf[n] = '\0';
	return n;
}

static void pty_cases(void)
{
	oc_error_t err = OC_ERROR_INIT;
	cleanup_close int master = -1, slave = -1, peer = -1;
	cleanup_free char *path = NULL;
	char buf[256];
	struct winsize ws = {0};

	TAP_OK(oc_term_open_pty(&master, &path, &err) == 0 && master >= 0, "open_pty");
	if (master < 0) {
		printf("# %s\n", err.msg);
		oc_error_clear(&err);
		return;
	}
	TAP_OK(path != NULL && strncmp(path, "/dev/pts/", 9) == 0, "slave path %s", path ? path : "(null)");
	TAP_OK(fcntl(master, F_GETFD) & FD_CLOEXEC, "master is O_CLOEXEC");
	slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	TAP_OK(slave >= 0, "slave opens (pty is unlocked)");
	TAP_OK(write(slave, "hi\n", 3) == 3, "write on slave");
	read_some(master, buf, sizeof buf);
	TAP_STREQ(buf, "hi\r\n", "read on master (with ONLCR)");

	TAP_OK(oc_term_open_peer(master, &peer, &err) == 0, "open_peer (TIOCGPTPEER)");
	TAP_OK(write(master, "x\n", 2) == 2, "write on master");
	read_some(peer, buf, sizeof buf);
	TAP_STREQ(buf, "x\n", "peer reads what the master wrote");
	read_some(master, buf, sizeof buf); /* the echo */

	TAP_OK(oc_term_set_size(master, 30, 100, &err) == 0 && ioctl(slave, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 30 &&
		       ws.ws_col == 100,
	       "set_size seen on the slave (%ux%u)", ws.ws_row, ws.ws_col);
	TAP_OK(oc_term_set_size(master, 70000, 1, &err) < 0 && err.code == EINVAL, "set_size range checked");
	oc_error_clear(&err);
}

static void fd_passing_cases(void)
{
	oc_error_t err = OC_ERROR_INIT;
	cleanup_close int master = -1, slave = -1, got = -1, lst = -1, conn = -1;
	cleanup_free char *path = NULL;
	cleanup_free char *name = NULL;
	int sv[2];
	char buf[256], sockpath[108];
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	if (oc_term_open_pty(&master, &path, &err) < 0) {
		TAP_OK(0, "open_pty for fd passing: %s", err.msg);
		return;
	}
	slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);

	/* Over a connected socketpair. */
	TAP_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
	TAP_OK(oc_term_send_fd_on(sv[0], master, "/dev/ptmx", &err) == 0, "send_fd_on");
	TAP_OK(oc_term_recv_fd_name(sv[1], &got, &name, &err) == 0 && got >= 0, "recv_fd_name");
	TAP_STREQ(name, "/dev/ptmx", "payload is the name, as runc sends it");
	TAP_OK(got >= 0 && (fcntl(got, F_GETFD) & FD_CLOEXEC), "received fd is O_CLOEXEC");
	TAP_OK(got >= 0 && write(got, "via\n", 4) == 4, "write on the received master");
	read_some(slave, buf, sizeof buf);
	TAP_STREQ(buf, "via\n", "slave reads it: the received fd is the master");
	read_some(master, buf, sizeof buf);
	if (got >= 0)
		close(got);
	got = -1;

	/* Two descriptors in one message: refused, both closed. */
	{
		int two[2] = {master, slave};
		union {
			char b[CMSG_SPACE(sizeof two)];
			struct cmsghdr a;
		} u;
		struct iovec iov = {.iov_base = (void *) "x", .iov_len = 1};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b};
		struct cmsghdr *c;
		int before = dup(0), after;

		close(before);
		memset(&u, 0, sizeof u);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof two);
		memcpy(CMSG_DATA(c), two, sizeof two);
		TAP_OK(sendmsg(sv[0], &msg, 0) == 1, "send two fds");
		TAP_OK(oc_term_recv_fd(sv[1], &got, &err) < 0 && got == -1 && err.msg && strstr(err.msg, "got 2"),
		       "recv_fd refuses two descriptors");
		oc_error_clear(&err);
		after = dup(0);
		close(after);
		TAP_OK(after == before, "the extra descriptors were closed (%d == %d)", after, before);
	}

	close(sv[0]);
	TAP_OK(oc_term_recv_fd(sv[1], &got, &err) < 0 && err.msg && strstr(err.msg, "connection closed"),
	       "recv_fd on a closed peer: %s", err.msg ? err.msg : "(no error)");
	oc_error_clear(&err);
	close(sv[1]);

	/* Through a console socket path, the way conmon/containerd listen. */
	snprintf(sockpath, sizeof sockpath, "/tmp/oc-test-console-%d.sock", (int) getpid());
	unlink(sockpath);
	strcpy(addr.sun_path, sockpath);
	lst = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	TAP_OK(lst >= 0 && bind(lst, (struct sockaddr *) &addr, sizeof addr) == 0 && listen(lst, 1) == 0,
	       "listening console socket");
	TAP_OK(oc_term_send_fd(sockpath, master, &err) == 0, "send_fd to the console socket");
	conn = accept4(lst, NULL, NULL, SOCK_CLOEXEC);
	free(name);
	name = NULL;
	TAP_OK(conn >= 0 && oc_term_recv_fd_name(conn, &got, &name, &err) == 0, "receive on the accepted connection");
	TAP_STREQ(name, OC_TERM_MASTER_NAME, "console socket payload");
	unlink(sockpath);
	TAP_OK(oc_term_send_fd(sockpath, master, &err) < 0 && err.msg && strstr(err.msg, sockpath) != NULL,
	       "send_fd to a missing socket names it: %s", err.msg ? err.msg : "(no error)");
	oc_error_clear(&err);
}

/* The fake container: terminal on 0/1/2, say hello, echo one line. */
static OC_NORETURN void fake_child(const char *slave_path)
{
	oc_error_t err = OC_ERROR_INIT;
	char line[64];
	int fd = open(slave_path, O_RDWR | O_NOCTTY);

	if (fd < 0 || oc_term_setup_slave(fd, &err) < 0)
		_exit(2);
	if (fd > 2)
		close(fd);
	if (!isatty(0) || tcgetpgrp(0) != getpgrp())
		_exit(3);
	if (write(1, "hello\n", 6) != 6)
		_exit(4);
	if (fgets(line, sizeof line, stdin) == NULL)
		_exit(5);
	printf("got:%s", line);
	fflush(stdout);
	_exit(0);
}

/* use_tty: our "stdin" is the slave of another pty, as when a user runs
 * `ocichroot run` from a terminal: raw mode on, and restored after. */
static void relay_case(bool use_pidfd, bool use_tty)
{
	const char *mode = use_tty ? "tty stdin" : use_pidfd ? "pidfd" : "hangup";
	oc_error_t err = OC_ERROR_INIT;
	cleanup_close int master = -1, pidfd = -1, outer = -1;
	cleanup_free char *path = NULL;
	cleanup_free char *outer_path = NULL;
	int in[2], out[2], status = 0, r;
	struct termios before, after;
	char buf[512];
	pid_t pid;

	if (oc_term_open_pty(&master, &path, &err) < 0 || pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		TAP_OK(0, "%s: relay setup", mode);
		return;
	}
	if (use_tty) {
		close(in[0]);
		close(in[1]);
		if (oc_term_open_pty(&outer, &outer_path, &err) < 0 ||
		    (in[0] = open(outer_path, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 || tcgetattr(in[0], &before) < 0) {
			TAP_OK(0, "%s: relay setup", mode);
			return;
		}
		/* Our writes on the outer master are what the user types. */
		in[1] = dup(outer);
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		fake_child(path);
	if (use_pidfd) {
		pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
		if (pidfd < 0)
			printf("# pidfd_open: %s, relaying without it\n", strerror(errno));
	}
	TAP_OK(write(in[1], "ping\n", 5) == 5, "%s: input queued", mode);
	close(in[1]);
	in[1] = -1;
	alarm(20);
	r = oc_term_relay_fds(in[0], out[1], master, pidfd, &err);
	alarm(0);
	TAP_OK(r == 0, "%s: relay returns 0 when the child is done%s%s", mode, err.msg ? ": " : "",
	       err.msg ? err.msg : "");
	oc_error_clear(&err);
	if (use_tty)
		TAP_OK(tcgetattr(in[0], &after) == 0 && after.c_lflag == before.c_lflag &&
			       after.c_iflag == before.c_iflag && after.c_oflag == before.c_oflag,
		       "%s: terminal mode restored", mode);
	close(out[1]);
	close(in[0]);
	read_some(out[0], buf, sizeof buf);
	close(out[0]);
	waitpid(pid, &status, 0);
	TAP_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: child ran with a controlling tty (status %d)", mode,
	       status);
	TAP_OK(strstr(buf, "hello\r\n") != NULL, "%s: child output relayed", mode);
	TAP_OK(strstr(buf, "got:ping\r\n") != NULL, "%s: our input reached the child and back", mode);
	TAP_OK((fcntl(master, F_GETFL) & O_NONBLOCK) == 0, "%s: master flags restored", mode);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	pty_cases();
	fd_passing_cases();
	relay_case(false, false);
	relay_case(true, false);
	relay_case(false, true);
	return tap_done();
}
