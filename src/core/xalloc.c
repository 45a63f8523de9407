/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocichroot/common.h"

static OC_NORETURN void oom(void)
{
	static const char msg[] = "ocichroot: out of memory\n";
	ssize_t r = write(2, msg, sizeof msg - 1);
	(void) r;
	abort();
}

void *oc_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *oc_xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (p == NULL)
		oom();
	return p;
}

void *oc_xrealloc(void *p, size_t n)
{
	void *r = realloc(p, n ? n : 1);
	if (r == NULL)
		oom();
	return r;
}

char *oc_xstrdup(const char *s)
{
	char *r = strdup(s);
	if (r == NULL)
		oom();
	return r;
}

char *oc_xstrndup(const char *s, size_t n)
{
	char *r = strndup(s, n);
	if (r == NULL)
		oom();
	return r;
}

char *oc_xvasprintf(const char *fmt, va_list ap)
{
	char *r = NULL;

	if (vasprintf(&r, fmt, ap) < 0)
		oom();
	return r;
}

char *oc_xasprintf(const char *fmt, ...)
{
	char *r;
	va_list ap;

	va_start(ap, fmt);
	r = oc_xvasprintf(fmt, ap);
	va_end(ap);
	return r;
}
