/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ownership helpers shared by every module (STYLE.md rule 4). */
#ifndef OCICHROOT_COMMON_H
#define OCICHROOT_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define OC_UNUSED __attribute__((unused))
#define OC_NORETURN __attribute__((noreturn))
#define OC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void oc_freep(void *p)
{
	free(*(void **) p);
}

/* Never retry close(): on Linux the fd is gone even on EINTR. */
static inline void oc_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void oc_fclosep(FILE **f)
{
	if (*f != NULL)
		fclose(*f);
}

static inline void oc_closedirp(DIR **d)
{
	if (*d != NULL)
		closedir(*d);
}

/* A NULL-terminated vector of owned strings. */
static inline void oc_strvfree(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

static inline void oc_strvfreep(char ***v)
{
	oc_strvfree(*v);
}

#define cleanup_free __attribute__((cleanup(oc_freep)))
#define cleanup_close __attribute__((cleanup(oc_closep)))
#define cleanup_fclose __attribute__((cleanup(oc_fclosep)))
#define cleanup_dir __attribute__((cleanup(oc_closedirp)))
#define cleanup_strv __attribute__((cleanup(oc_strvfreep)))

static inline void *oc_steal_ptr(void *pp)
{
	void **p = (void **) pp;
	void *r = *p;
	*p = NULL;
	return r;
}

static inline int oc_steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

#define steal_pointer(pp) oc_steal_ptr(pp)
#define steal_fd(p) oc_steal_fd(p)

/* Allocation failure is not a recoverable condition for a short-lived
 * runtime process; these abort with a message instead of returning NULL. */
void *oc_xmalloc(size_t n);
void *oc_xcalloc(size_t n, size_t m);
void *oc_xrealloc(void *p, size_t n);
char *oc_xstrdup(const char *s);
char *oc_xstrndup(const char *s, size_t n);
char *oc_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *oc_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
