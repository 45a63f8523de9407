/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runc-compatible logging.  With --log-format json every record is one line
 * {"level":"…","msg":"…","time":"…"}: podman reads the whole log of a failed
 * command as one JSON object and containerd keeps the last error line, so at
 * default verbosity only warnings and the final error are written. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/log.h"

static int log_fd = -1;
static bool log_json;
static bool log_debug;

int oc_log_init(const char *path, bool json, bool debug)
{
	log_json = json;
	log_debug = debug;
	if (path != NULL && *path != '\0') {
		int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
		if (log_fd >= 0)
			close(log_fd);
		log_fd = fd;
	}
	return 0;
}

bool oc_log_debug_enabled(void)
{
	return log_debug;
}

static const char *level_name(enum oc_log_level l)
{
	switch (l) {
	case OC_LOG_DEBUG:
		return "debug";
	case OC_LOG_INFO:
		return "info";
	case OC_LOG_WARNING:
		return "warning";
	default:
		return "error";
	}
}

static void json_escape(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		buf += w;
		len -= (size_t) w;
	}
}

/* One record is formatted in memory and written with a single write() so that
 * lines of concurrent processes sharing a log never interleave. */
static void emit(int fd, bool json, enum oc_log_level level, const char *msg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char ts[64];
	struct timespec now;
	struct tm tm;

	if (f == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	if (json) {
		fputs("{\"level\":\"", f);
		fputs(level_name(level), f);
		fputs("\",\"msg\":\"", f);
		json_escape(f, msg);
		fprintf(f, "\",\"time\":\"%s.%09ldZ\"}\n", ts, now.tv_nsec);
	} else if (fd == 2) {
		if (level == OC_LOG_ERROR)
			fprintf(f, "ocichroot: %s\n", msg);
		else
			fprintf(f, "ocichroot: %s: %s\n", level_name(level), msg);
	} else {
		fprintf(f, "time=\"%s.%09ldZ\" level=%s msg=\"", ts, now.tv_nsec, level_name(level));
		json_escape(f, msg);
		fputs("\"\n", f);
	}
	fclose(f);
	write_all(fd, buf, len);
	free(buf);
}

void oc_log(enum oc_log_level level, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;
	int saved = errno;

	if (level == OC_LOG_DEBUG && !log_debug)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return;
	if (log_fd >= 0)
		emit(log_fd, log_json, level, msg);
	/* Without a log file, warnings go to stderr; with one, stderr stays
	 * clean for the engine that captures it (conmon, the shim). */
	else if (level >= OC_LOG_WARNING || log_debug)
		emit(2, false, level, msg);
	errno = saved;
}

void oc_log_error_final(const char *msg)
{
	if (log_fd >= 0)
		emit(log_fd, log_json, OC_LOG_ERROR, msg);
	emit(2, false, OC_LOG_ERROR, msg);
}
