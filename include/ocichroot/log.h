/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging: text on stderr or runc's JSON lines ({"level","msg","time"}) in
 * the --log file. Warnings and debug lines may come from any layer; errors
 * are written by main.c alone through oc_log_error_final(). */
#ifndef OCICHROOT_LOG_H
#define OCICHROOT_LOG_H

#include <stdbool.h>

enum oc_log_level { OC_LOG_DEBUG = 0, OC_LOG_INFO, OC_LOG_WARNING, OC_LOG_ERROR };

/* path may be NULL (stderr only); json selects the runc JSON format. */
int oc_log_init(const char *path, bool json, bool debug);
void oc_log(enum oc_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The final error of a command: to the log (if any) and to stderr. */
void oc_log_error_final(const char *msg);
bool oc_log_debug_enabled(void);

#define oc_debug(...) oc_log(OC_LOG_DEBUG, __VA_ARGS__)
#define oc_info(...) oc_log(OC_LOG_INFO, __VA_ARGS__)
#define oc_warn(...) oc_log(OC_LOG_WARNING, __VA_ARGS__)

#endif
