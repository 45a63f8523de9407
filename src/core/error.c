/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"

int oc_error_setv(oc_error_t *err, int errnum, const char *fmt, va_list ap)
{
	char *base = NULL, *full = NULL;

	if (err == NULL)
		return -1;
	base = oc_xvasprintf(fmt, ap);
	if (errnum != 0) {
		if (asprintf(&full, "%s: %s", base, strerror(errnum)) < 0)
			abort();
		free(base);
	} else {
		full = base;
	}
	free(err->msg);
	err->msg = full;
	err->code = errnum;
	return -1;
}

int oc_error_set(oc_error_t *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	oc_error_setv(err, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int oc_error_prefix(oc_error_t *err, const char *fmt, ...)
{
	cleanup_free char *ctx = NULL;
	char *full = NULL;
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	ctx = oc_xvasprintf(fmt, ap);
	va_end(ap);
	if (asprintf(&full, "%s: %s", ctx, err->msg ? err->msg : "unknown error") < 0)
		abort();
	free(err->msg);
	err->msg = full;
	return -1;
}

void oc_error_clear(oc_error_t *err)
{
	if (err == NULL)
		return;
	free(err->msg);
	err->msg = NULL;
	err->code = 0;
}
