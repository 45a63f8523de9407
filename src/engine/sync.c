/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one parent/child protocol (STYLE.md rule 9): fixed-header messages on
 * a SOCK_SEQPACKET socketpair, so every message arrives whole or not at all;
 * every length is checked against what was received, and EOF means the peer
 * died. */
#include <string.h>
#include <sys/socket.h>

#include "engine-int.h"
#include "ocichroot/common.h"

#define HDR_SIZE offsetof(struct oc_sync_msg, text)

int oc_sync_send(int fd, enum oc_sync_type type, int32_t code, const char *text, int pass_fd, oc_error_t *err)
{
	struct oc_sync_msg m = {.type = type, .code = code};
	size_t len = text ? strlen(text) : 0;
	struct iovec iov;
	struct msghdr mh = {0};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	ssize_t w;

	if (len > OC_SYNC_MAX_TEXT)
		len = OC_SYNC_MAX_TEXT;
	m.len = (uint32_t) len;
	if (len)
		memcpy(m.text, text, len);
	iov.iov_base = &m;
	iov.iov_len = HDR_SIZE + len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (pass_fd >= 0) {
		struct cmsghdr *c;

		memset(&cbuf, 0, sizeof cbuf);
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof cbuf.buf;
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
	}
	do
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return oc_error_sys(err, "send to the container's init");
	return 0;
}

int oc_sync_recv(int fd, struct oc_sync_msg *m, int *recv_fd, oc_error_t *err)
{
	struct iovec iov = {.iov_base = m, .iov_len = sizeof *m - 1};
	struct msghdr mh = {0};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	ssize_t r;

	*recv_fd = -1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof cbuf.buf;
	do
		r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return oc_error_sys(err, "receive from the container's init");
	if (r == 0)
		return oc_error_set(err, ECONNRESET, "container init exited before it was set up");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(recv_fd, CMSG_DATA(c), sizeof(int));
	}
	/* A short or inconsistent message is a protocol error, never trusted. */
	if ((size_t) r < HDR_SIZE || m->len > OC_SYNC_MAX_TEXT || HDR_SIZE + m->len != (size_t) r ||
	    (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		if (*recv_fd >= 0)
			close(*recv_fd);
		*recv_fd = -1;
		return oc_error_set(err, EPROTO, "malformed message from the container's init");
	}
	m->text[m->len] = '\0';
	return 0;
}

int oc_sync_expect(int fd, enum oc_sync_type type, oc_error_t *err)
{
	struct oc_sync_msg m;
	int passed = -1;

	if (oc_sync_recv(fd, &m, &passed, err) < 0)
		return -1;
	if (passed >= 0)
		close(passed);
	if (m.type != (uint32_t) type)
		return oc_error_set(err, EPROTO, "unexpected message %u from the runtime", m.type);
	return 0;
}
