/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pause, resume, ps, update, events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ocichroot/common.h"

/* pause and resume: an id, nothing else */
static int one_id(const char *verb, int argc, char **argv, const char **id, oc_error_t *err)
{
	bool show_help = false;
	const struct oc_opt opts[] = {HELP_OPT(&show_help), {0}};
	int i = 0;
	int r = oc_cli_begin(verb, opts, &show_help, argc, argv, &i, 1, 1, err);

	if (r == 0)
		*id = argv[i];
	return r;
}

int oc_cli_pause(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	const char *id = NULL;
	int r = one_id("pause", argc, argv, &id, err);

	return r != 0 ? (r > 0 ? 0 : -1) : oc_engine_pause(rt, id, err);
}

int oc_cli_resume(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	const char *id = NULL;
	int r = one_id("resume", argc, argv, &id, err);

	return r != 0 ? (r > 0 ? 0 : -1) : oc_engine_resume(rt, id, err);
}

int oc_cli_ps(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	bool show_help = false;
	const char *format = "table";
	const struct oc_opt opts[] = {
		{"format", 'f', OC_OPT_STRING, &format, "select one of: table or json (default: \"table\")", NULL},
		HELP_OPT(&show_help),
		{0},
	};
	cleanup_free char *out = NULL;
	int i = 0;

	OC_CLI_BEGIN("ps", opts, &show_help, argc, argv, &i, 1, -1, err);
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return oc_error_set(err, 0, "invalid format option");
	if (oc_engine_ps(rt, argv[i], strcmp(format, "json") == 0, argv + i + 1, argc - i - 1, &out, err) < 0)
		return -1;
	fputs(out, stdout);
	if (strcmp(format, "json") == 0)
		putchar('\n');
	return 0;
}

int oc_cli_update(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	struct oc_update_opts o = {0};
	bool show_help = false;
	const struct oc_opt opts[] = {
		{"resources", 'r', OC_OPT_STRING, &o.resources_file, "path to a file with the resources to update, or '-' for stdin", NULL},
		{"memory", 0, OC_OPT_STRING, &o.memory, "memory limit (in bytes, k/m/g suffixes)", NULL},
		{"memory-swap", 0, OC_OPT_STRING, &o.memory_swap, "total memory usage (memory + swap); -1 for unlimited", NULL},
		{"memory-reservation", 0, OC_OPT_STRING, &o.memory_reservation, "memory reservation or soft limit", NULL},
		{"kernel-memory", 0, OC_OPT_STRING, &o.kernel_memory, "kernel memory limit (deprecated)", NULL},
		{"kernel-memory-tcp", 0, OC_OPT_STRING, &o.kernel_memory_tcp, "kernel TCP buffer limit (deprecated)", NULL},
		{"cpu-share", 0, OC_OPT_STRING, &o.cpu_shares, "CPU shares (relative weight vs. other containers)", "cpu-shares"},
		{"cpu-quota", 0, OC_OPT_STRING, &o.cpu_quota, "CPU CFS hardcap limit (in usecs)", NULL},
		{"cpu-period", 0, OC_OPT_STRING, &o.cpu_period, "CPU CFS period to be used for hardcapping (in usecs)", NULL},
		{"cpu-rt-period", 0, OC_OPT_STRING, &o.cpu_rt_period, "CPU realtime period (in usecs)", NULL},
		{"cpu-rt-runtime", 0, OC_OPT_STRING, &o.cpu_rt_runtime, "CPU realtime runtime (in usecs)", NULL},
		{"cpuset-cpus", 0, OC_OPT_STRING, &o.cpuset_cpus, "CPU(s) to use", NULL},
		{"cpuset-mems", 0, OC_OPT_STRING, &o.cpuset_mems, "memory node(s) to use", NULL},
		{"pids-limit", 0, OC_OPT_STRING, &o.pids_limit, "maximum number of pids allowed in the container", NULL},
		{"blkio-weight", 0, OC_OPT_STRING, &o.blkio_weight, "block IO weight, 10 to 1000", NULL},
		HELP_OPT(&show_help),
		{0},
	};
	int i = 0;

	OC_CLI_BEGIN("update", opts, &show_help, argc, argv, &i, 1, 1, err);
	return oc_engine_update(rt, argv[i], &o, err);
}

static void emit_line(const char *json)
{
	printf("%s\n", json);
	fflush(stdout);
}

/* Go durations as runc takes them: "5s", "100ms", "1m", "1.5s". */
static int parse_duration(const char *s, long *ms, oc_error_t *err)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0)
		return oc_error_set(err, 0, "--interval: invalid duration \"%s\"", s);
	if (strcmp(end, "ms") == 0)
		*ms = (long) v;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		*ms = (long) (v * 1000);
	else if (strcmp(end, "m") == 0)
		*ms = (long) (v * 60000);
	else if (strcmp(end, "h") == 0)
		*ms = (long) (v * 3600000);
	else
		return oc_error_set(err, 0, "--interval: invalid duration \"%s\"", s);
	if (*ms <= 0)
		return oc_error_set(err, 0, "--interval: duration must be greater than 0");
	return 0;
}

int oc_cli_events(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	bool show_help = false, stats = false;
	const char *interval = "5s";
	const struct oc_opt opts[] = {
		{"interval", 0, OC_OPT_STRING, &interval, "set the stats collection interval (default: 5s)", NULL},
		{"stats", 0, OC_OPT_BOOL, &stats, "display the container's stats then exit", NULL},
		HELP_OPT(&show_help),
		{0},
	};
	long ms = 0;
	int i = 0;

	OC_CLI_BEGIN("events", opts, &show_help, argc, argv, &i, 1, 1, err);
	if (parse_duration(interval, &ms, err) < 0)
		return -1;
	return oc_engine_events(rt, argv[i], stats, ms, emit_line, err);
}
