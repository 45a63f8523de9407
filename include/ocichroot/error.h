/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The error object (STYLE.md rule 1). A fallible function returns an int,
 * >= 0 on success and < 0 on failure, and takes `oc_error_t *err` last.
 * The failing line fills it once; callers pass it up or add context with
 * oc_error_prefix(). Only main.c prints it. */
#ifndef OCICHROOT_ERROR_H
#define OCICHROOT_ERROR_H

#include <stdarg.h>

typedef struct oc_error {
	int code;  /* errno captured where the failure happened, 0 if none */
	char *msg; /* heap-allocated, never NULL once set */
} oc_error_t;

#define OC_ERROR_INIT {0, NULL}

/* Fill err with the formatted message; when errnum != 0, ": strerror(errnum)"
 * is appended, the form runc uses and podman matches on. Returns -1. */
int oc_error_set(oc_error_t *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int oc_error_setv(oc_error_t *err, int errnum, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/* Same as oc_error_set with errnum = errno at the call. */
#define oc_error_sys(err, ...) oc_error_set((err), errno, __VA_ARGS__)

/* Prefix context: "context: previous message". Returns -1. */
int oc_error_prefix(oc_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void oc_error_clear(oc_error_t *err);
#define cleanup_error __attribute__((cleanup(oc_error_clear)))

#endif
