/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/file.h"

int oc_read_fd(int fd, const char *path, size_t max, size_t hint, char **out, size_t *len, oc_error_t *err)
{
	cleanup_free char *buf = NULL;
	size_t n = 0, cap = hint < max ? hint + 1 : max + 1;

	buf = oc_xmalloc(cap + 1);
	/* the size may change under us: read until EOF, never past max */
	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (n > max)
				break;
			cap = cap > max / 2 ? max + 1 : cap * 2;
			buf = oc_xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return oc_error_sys(err, "read `%s`", path);
		}
		if (r == 0)
			break;
		n += (size_t) r;
	}
	if (n > max) {
		oc_error_set(err, 0, "%s: larger than %zu bytes", path, max);
		err->code = EFBIG;
		return -1;
	}
	buf[n] = '\0';
	*out = steal_pointer(&buf);
	if (len != NULL)
		*len = n;
	return 0;
}
