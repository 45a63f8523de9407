/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Liveness (pid + start time, so that a recycled pid never passes for the
 * container), the computed status, status names and timestamps. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/state.h"

/* Field 22 of /proc/PID/stat; fields are counted from 1 and the state
 * letter, the first one after comm, is field 3. */
#define STAT_FIELD_STATE 3
#define STAT_FIELD_STARTTIME 22

static int parse_stat(const char *buf, pid_t pid, char *state, unsigned long long *start, oc_error_t *err)
{
	/* comm is whatever the process chose (prctl PR_SET_NAME), spaces
	 * and parentheses included: only the last ')' is ours. */
	const char *p = strrchr(buf, ')');
	unsigned long long v;
	char *end;
	char st;

	if (p == NULL || p[1] != ' ' || p[2] == '\0' || (p[3] != ' ' && p[3] != '\0'))
		goto bad;
	st = p[2];
	p += 3;
	for (int field = STAT_FIELD_STATE + 1; field < STAT_FIELD_STARTTIME; field++) {
		if (*p != ' ')
			goto bad;
		p++;
		p += strcspn(p, " ");
	}
	if (*p != ' ' || p[1] < '0' || p[1] > '9')
		goto bad;
	errno = 0;
	v = strtoull(p + 1, &end, 10);
	if (errno != 0 || (*end != ' ' && *end != '\n' && *end != '\0'))
		goto bad;
	*state = st;
	*start = v;
	return 0;
bad:
	return oc_error_set(err, 0, "parse `/proc/%d/stat`: unexpected format", (int) pid);
}

int oc_proc_state(pid_t pid, char *state, unsigned long long *start, oc_error_t *err)
{
	cleanup_close int fd = -1;
	char path[64], buf[4096];
	unsigned long long s_start = 0;
	struct statfs sfs;
	size_t len = 0;
	ssize_t r;
	char s_state = 0;

	if (pid <= 0)
		return oc_error_set(err, 0, "invalid pid %d", (int) pid);
	snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT || errno == ESRCH)
			goto gone;
		return oc_error_sys(err, "open `%s`", path);
	}
	/* Only procfs may tell us a process is alive (STYLE rule 7). */
	if (fstatfs(fd, &sfs) < 0)
		return oc_error_sys(err, "statfs `%s`", path);
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return oc_error_set(err, 0, "`%s` is not on procfs", path);
	while (len < sizeof buf - 1) {
		r = read(fd, buf + len, sizeof buf - 1 - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* The task went away between open and read. */
			if (errno == ESRCH)
				goto gone;
			return oc_error_sys(err, "read `%s`", path);
		}
		if (r == 0)
			break;
		len += (size_t) r;
	}
	buf[len] = '\0';
	if (parse_stat(buf, pid, &s_state, &s_start, err) < 0)
		return -1;
	if (state != NULL)
		*state = s_state;
	if (start != NULL)
		*start = s_start;
	return 0;
gone:
	if (state != NULL)
		*state = 0;
	return 0;
}

int oc_proc_start_time(pid_t pid, unsigned long long *out, oc_error_t *err)
{
	unsigned long long start = 0;
	char state = 0;

	if (oc_proc_state(pid, &state, &start, err) < 0)
		return -1;
	if (state == 0)
		return oc_error_set(err, ESRCH, "process %d does not exist", (int) pid);
	*out = start;
	return 0;
}

bool oc_proc_alive(pid_t pid, unsigned long long start)
{
	unsigned long long now = 0;
	char state = 0;

	if (pid <= 0)
		return false;
	/* An unreadable /proc says nothing; we count that as dead rather
	 * than trust a bare pid that may have been recycled. */
	if (oc_proc_state(pid, &state, &now, NULL) < 0)
		return false;
	/* A zombie has finished: its exit status waits for a reaper, the
	 * container is stopped (as runc sees it). */
	if (state == 0 || state == 'Z' || state == 'X' || state == 'x')
		return false;
	return now == start;
}

enum oc_status oc_state_status(int dirfd, const struct oc_state *st)
{
	if (st->status_saved == OC_STATUS_CREATING)
		return oc_proc_alive(st->creator_pid, st->creator_start) ? OC_STATUS_CREATING : OC_STATUS_STOPPED;
	if (!oc_proc_alive(st->pid, st->pid_start))
		return OC_STATUS_STOPPED;
	/* Hook for pause: the cgroup freezer has the final word, callers
	 * that know cgroups may refine this. */
	if (st->status_saved == OC_STATUS_PAUSED)
		return OC_STATUS_PAUSED;
	/* init blocks on exec.fifo until `start` opens it; start removes it. */
	if (oc_state_has_exec_fifo(dirfd))
		return OC_STATUS_CREATED;
	return OC_STATUS_RUNNING;
}

static const char *const status_names[] = {
	[OC_STATUS_CREATING] = "creating",
	[OC_STATUS_CREATED] = "created",
	[OC_STATUS_RUNNING] = "running",
	[OC_STATUS_STOPPED] = "stopped",
	[OC_STATUS_PAUSED] = "paused",
};

const char *oc_status_name(enum oc_status status)
{
	if ((unsigned) status >= OC_ARRAY_SIZE(status_names))
		return "unknown";
	return status_names[status];
}

int oc_status_from_name(const char *name)
{
	for (size_t i = 0; i < OC_ARRAY_SIZE(status_names); i++)
		if (strcmp(status_names[i], name) == 0)
			return (int) i;
	return -1;
}

char *oc_rfc3339_now(void)
{
	struct timespec ts;
	char date[32], frac[16] = "";
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
	/* Go's RFC3339Nano, which runc prints: trailing zeros dropped. */
	if (ts.tv_nsec != 0) {
		size_t n;

		snprintf(frac, sizeof frac, ".%09ld", ts.tv_nsec);
		n = strlen(frac);
		while (frac[n - 1] == '0')
			frac[--n] = '\0';
	}
	return oc_xasprintf("%s%sZ", date, frac);
}
