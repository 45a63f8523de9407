/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The receiving end of linux.seccomp.listenerPath for the integration
 * tests (process-settings.bats):
 *
 *   seccomp-listener SOCKET STATE-FILE LOG-FILE
 *
 * listens on the unix socket SOCKET, takes one connection, receives the
 * seccomp notify descriptor (SCM_RIGHTS) and the container's process state
 * JSON, writes that JSON to STATE-FILE, then answers every notification
 * with a fake success (return value 0, the syscall is not run) and appends
 * "nr=N" per notification to LOG-FILE.  It ends when every process of the
 * filter is gone, or after 60 s. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "seccomp-listener: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Whether buf holds a whole JSON object: braces balanced outside strings. */
static int complete(const char *buf, size_t len)
{
	int depth = 0, in_str = 0, esc = 0;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{') {
			depth++;
		} else if (c == '}' && --depth == 0) {
			return 1;
		}
	}
	return 0;
}

/* The descriptor comes with the first bytes; the state may take several
 * reads.  Not until EOF: a runtime may keep the connection open while the
 * container runs (runc 1.1 does), and the container may be blocked on a
 * notification only we can answer. */
static int receive(int conn, const char *state_file, int *fd_out)
{
	char buf[65536], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf - 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *cm;
	size_t len;
	ssize_t n;
	FILE *f;

	n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return die("recvmsg");
	*fd_out = -1;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(fd_out, CMSG_DATA(cm), sizeof(int));
	if (*fd_out < 0) {
		fprintf(stderr, "seccomp-listener: no descriptor received\n");
		return 1;
	}
	len = (size_t) n;
	while (!complete(buf, len) && len < sizeof buf - 1 && (n = read(conn, buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t) n;
	buf[len] = '\0';
	f = fopen(state_file, "w");
	if (f == NULL)
		return die("open state file");
	fputs(buf, f);
	fclose(f);
	return 0;
}

static int answer(int nfd, const char *log_file)
{
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int waited = 0;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return die("SECCOMP_GET_NOTIF_SIZES");
	req = calloc(1, sizes.seccomp_notif > sizeof *req ? sizes.seccomp_notif : sizeof *req);
	resp = calloc(1, sizes.seccomp_notif_resp > sizeof *resp ? sizes.seccomp_notif_resp : sizeof *resp);
	if (req == NULL || resp == NULL)
		return die("calloc");
	while (waited < 600) {
		struct pollfd p = {.fd = nfd, .events = POLLIN};
		int r = poll(&p, 1, 100);
		FILE *f;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return die("poll");
		if (r == 0) {
			waited++;
			continue;
		}
		/* no process left that could make a notification */
		if (p.revents & (POLLHUP | POLLERR))
			return 0;
		memset(req, 0, sizes.seccomp_notif);
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return die("SECCOMP_IOCTL_NOTIF_RECV");
		}
		f = fopen(log_file, "a");
		if (f != NULL) {
			fprintf(f, "nr=%d\n", req->data.nr);
			fclose(f);
		}
		memset(resp, 0, sizes.seccomp_notif_resp);
		resp->id = req->id;
		resp->val = 0;
		resp->error = 0;
		/* ENOENT: the caller was killed meanwhile */
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
			return die("SECCOMP_IOCTL_NOTIF_SEND");
	}
	fprintf(stderr, "seccomp-listener: timed out\n");
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int sock, conn, nfd;

	if (argc != 4) {
		fprintf(stderr, "usage: seccomp-listener SOCKET STATE-FILE LOG-FILE\n");
		return 2;
	}
	if (strlen(argv[1]) >= sizeof addr.sun_path) {
		fprintf(stderr, "seccomp-listener: socket path too long\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return die("socket");
	unlink(argv[1]);
	if (bind(sock, (struct sockaddr *) &addr, sizeof addr) < 0)
		return die("bind");
	if (listen(sock, 1) < 0)
		return die("listen");
	conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return die("accept");
	if (receive(conn, argv[2], &nfd) != 0)
		return 1;
	close(conn);
	close(sock);
	return answer(nfd, argv[3]);
}
