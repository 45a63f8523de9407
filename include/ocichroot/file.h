/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCICHROOT_FILE_H
#define OCICHROOT_FILE_H

#include <stddef.h>

#include "ocichroot/error.h"

/* Read fd to its end into a malloc'd, NUL-terminated buffer, refusing more
 * than max bytes ("PATH: larger than MAX bytes", code EFBIG); hint is the
 * expected size (0 when unknown). path names the file in errors. */
int oc_read_fd(int fd, const char *path, size_t max, size_t hint, char **out, size_t *len, oc_error_t *err);

#endif
