/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * recvtty: the receiving end of --console-socket, for the integration tests.
 *
 *   recvtty SOCKET [OUTPUT]
 *
 * Listens on the unix socket SOCKET, accepts one connection, receives the
 * pty master through SCM_RIGHTS and copies everything the container writes
 * to OUTPUT (default stdout) until the slave side is closed (EIO).  The
 * socket exists before the first accept(), so a test may start recvtty in
 * the background and wait for the socket file to appear.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	return 1;
}

static int recv_fd(int conn)
{
	char name[256];
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	int fd;

	memset(u.buf, 0, sizeof(u.buf));
	if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	/* Anything but exactly one descriptor is a runtime bug worth failing on. */
	if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int))) {
		errno = EBADMSG;
		return -1;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[4096];
	int lfd, conn, master, out = STDOUT_FILENO;
	ssize_t n;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: recvtty SOCKET [OUTPUT]\n");
		return 2;
	}
	if (strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "recvtty: socket path too long\n");
		return 2;
	}
	if (argc == 3) {
		out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0)
			return die("open output");
	}
	strcpy(addr.sun_path, argv[1]);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return die("socket");
	if (bind(lfd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
		return die("bind");
	if (listen(lfd, 1) < 0)
		return die("listen");
	conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return die("accept");
	master = recv_fd(conn);
	if (master < 0)
		return die("recvmsg");
	close(conn);
	close(lfd);
	unlink(argv[1]);

	for (;;) {
		n = read(master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		/* EIO is how a pty master reports that the last slave fd closed. */
		if (n < 0 && errno == EIO)
			break;
		if (n < 0)
			return die("read");
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t) (n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return die("write");
			off += w;
		}
	}
	return 0;
}
