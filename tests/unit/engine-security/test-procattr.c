/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Personality, scheduler, io priority, cpu affinity, capabilities: the
 * validation table (each bad input, its exact error) and each setting
 * applied in a forked child and read back from the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/procattr.h"
#include "ocichroot/spec.h"
#include "../tap.h"

/* process members `proc` and linux members `lnx`, on line 1; the process
 * members start at column 78. */
static struct oc_spec *parse(const char *proc, const char *lnx)
{
	cleanup_free char *buf = oc_xasprintf("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":"
					      "[\"sh\"],\"cwd\":\"/\"%s%s},\"linux\":{%s}}",
					      *proc ? "," : "", proc, lnx);
	oc_error_t err = OC_ERROR_INIT;
	struct oc_spec *s = NULL;

	if (oc_spec_parse(buf, strlen(buf), "config.json", &s, &err) < 0) {
		printf("# parse: %s\n", err.msg);
		oc_error_clear(&err);
		return NULL;
	}
	return s;
}

struct vcase {
	const char *proc, *lnx;
	const char *want; /* NULL: valid */
};

static void validate_cases(void)
{
	static const struct vcase cases[] = {
		{"\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"nice\":5}", "", NULL},
		{"\"scheduler\":{\"policy\":\"SCHED_FIFO\",\"priority\":10,\"flags\":[\"SCHED_FLAG_RESET_ON_FORK\"]}", "",
		 NULL},
		{"\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"runtime\":10000,\"deadline\":20000,\"period\":30000}", "",
		 NULL},
		{"\"ioPriority\":{\"class\":\"IOPRIO_CLASS_IDLE\",\"priority\":7}", "", NULL},
		{"\"execCPUAffinity\":{\"initial\":\"0-3,7\",\"final\":\"0\"}", "", NULL},
		{"", "\"personality\":{\"domain\":\"LINUX32\"}", NULL},
		{"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1024,\"hard\":1024}]", "", NULL},
		{"\"scheduler\":{\"policy\":\"SCHED_FIFO\"}", "",
		 "config.json:1:90: process.scheduler.priority: 0 is out of range for SCHED_FIFO (1..99)"},
		{"\"scheduler\":{\"policy\":\"SCHED_RR\",\"priority\":100}", "",
		 "config.json:1:122: process.scheduler.priority: 100 is out of range for SCHED_RR (1..99)"},
		{"\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"priority\":5}", "",
		 "config.json:1:125: process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority"},
		{"\"scheduler\":{\"policy\":\"SCHED_BATCH\",\"runtime\":5}", "",
		 "config.json:1:90: process.scheduler: runtime, deadline and period are only for SCHED_DEADLINE"},
		{"\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"runtime\":5}", "",
		 "config.json:1:90: process.scheduler: SCHED_DEADLINE needs a runtime and a deadline greater than 0"},
		{"\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"runtime\":5,\"deadline\":4}", "",
		 "config.json:1:90: process.scheduler: SCHED_DEADLINE needs runtime <= deadline <= period (5, 4, 4)"},
		{"\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"runtime\":5,\"deadline\":9,\"period\":8}", "",
		 "config.json:1:90: process.scheduler: SCHED_DEADLINE needs runtime <= deadline <= period (5, 9, 8)"},
		{"\"execCPUAffinity\":{\"initial\":\"3-1\"}", "",
		 "config.json:1:107: process.execCPUAffinity.initial: invalid cpu list \"3-1\""},
		{"\"execCPUAffinity\":{\"final\":\"0,,1\"}", "",
		 "config.json:1:105: process.execCPUAffinity.final: invalid cpu list \"0,,1\""},
		{"\"execCPUAffinity\":{\"final\":\"1-\"}", "",
		 "config.json:1:105: process.execCPUAffinity.final: invalid cpu list \"1-\""},
		{"\"execCPUAffinity\":{\"final\":\"99999\"}", "",
		 "config.json:1:105: process.execCPUAffinity.final: invalid cpu list \"99999\""},
		{"", "\"personality\":{\"domain\":\"LINUX\",\"flags\":[\"ADDR_NO_RANDOMIZE\"]}",
		 "config.json:1:129: linux.personality.flags[0]: unsupported flag \"ADDR_NO_RANDOMIZE\""},
	};

	for (size_t i = 0; i < OC_ARRAY_SIZE(cases); i++) {
		cleanup_spec struct oc_spec *s = parse(cases[i].proc, cases[i].lnx);
		oc_error_t err = OC_ERROR_INIT;
		int r;

		if (s == NULL) {
			TAP_OK(0, "case %zu parses", i);
			continue;
		}
		r = oc_procattr_validate(s, &err);
		if (cases[i].want == NULL)
			TAP_OK(r == 0, "case %zu valid (%s)", i, err.msg ? err.msg : "");
		else
			TAP_STREQ(err.msg, cases[i].want, "case %zu refused", i);
		oc_error_clear(&err);
	}
}

static void nr_open_case(void)
{
	cleanup_spec struct oc_spec *s =
		parse("\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1024,\"hard\":1099511627776}]", "");
	oc_error_t err = OC_ERROR_INIT;
	cleanup_free char *want = NULL;
	char buf[32] = "";
	FILE *f = fopen("/proc/sys/fs/nr_open", "r");

	if (f == NULL || fgets(buf, sizeof buf, f) == NULL || s == NULL) {
		printf("ok %d - # SKIP no fs.nr_open\n", ++tap_n);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	want = oc_xasprintf("config.json:1:132: process.rlimits[0]: RLIMIT_NOFILE hard limit 1099511627776 is greater "
			    "than fs.nr_open (%s)",
			    buf);
	TAP_OK(oc_procattr_validate(s, &err) < 0, "nofile above nr_open refused");
	TAP_STREQ(err.msg, want, "nr_open message");
	oc_error_clear(&err);
}

static void cpus_cases(void)
{
	oc_error_t err = OC_ERROR_INIT;
	cpu_set_t *set = NULL;
	size_t size = 0;
	static const char *const bad[] = {"", "-1", "1,", ",1", "a", "1-2-3", "2-1", "0x1", "65536", " 1"};

	TAP_OK(oc_procattr_parse_cpus("0-3,7", &set, &size, &err) == 0, "parse 0-3,7");
	if (set != NULL) {
		TAP_OK(CPU_COUNT_S(size, set) == 5 && CPU_ISSET_S(0, size, set) && CPU_ISSET_S(3, size, set) &&
			       !CPU_ISSET_S(4, size, set) && CPU_ISSET_S(7, size, set),
		       "cpus 0,1,2,3,7");
		CPU_FREE(set);
	}
	set = NULL;
	TAP_OK(oc_procattr_parse_cpus("1000", &set, &size, &err) == 0 && size >= 1001 / 8 &&
		       CPU_COUNT_S(size, set) == 1 && CPU_ISSET_S(1000, size, set),
	       "a set sized for cpu 1000");
	CPU_FREE(set);
	for (size_t i = 0; i < OC_ARRAY_SIZE(bad); i++) {
		cleanup_free char *want = oc_xasprintf("invalid cpu list \"%s\"", bad[i]);
		set = NULL;
		TAP_OK(oc_procattr_parse_cpus(bad[i], &set, &size, &err) < 0 && set == NULL, "\"%s\" refused", bad[i]);
		TAP_STREQ(err.msg, want, "\"%s\" message", bad[i]);
		oc_error_clear(&err);
	}
}

static int wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Apply in a child; the child's exit code names the failed check.
 * 77: the kernel refused for lack of privilege (skip). */
static int apply_in_child(const char *proc, const char *lnx, int (*check)(void))
{
	cleanup_spec struct oc_spec *s = parse(proc, lnx);
	pid_t pid;

	if (s == NULL)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		oc_error_t err = OC_ERROR_INIT;
		if (oc_procattr_validate(s, &err) < 0 || oc_procattr_apply(s, &err) < 0) {
			printf("# %s\n", err.msg);
			fflush(stdout);
			_exit(err.code == EPERM ? 77 : 10);
		}
		_exit(check());
	}
	return wait_child(pid);
}

static int check_linux32(void)
{
	return (personality(0xffffffff) & PER_MASK) == PER_LINUX32 ? 0 : 1;
}

static int check_batch(void)
{
	return sched_getscheduler(0) == SCHED_BATCH && getpriority(PRIO_PROCESS, 0) == 5 ? 0 : 1;
}

static int check_fifo(void)
{
	struct sched_param sp;

	return sched_getscheduler(0) == (SCHED_FIFO | SCHED_RESET_ON_FORK) && sched_getparam(0, &sp) == 0 &&
			       sp.sched_priority == 3
		       ? 0
		       : 1;
}

static int check_ioprio(void)
{
	/* ioprio_get(IOPRIO_WHO_PROCESS, self): class BE (2) << 13 | 6 */
	return syscall(SYS_ioprio_get, 1, 0) == ((2 << 13) | 6) ? 0 : 1;
}

static int check_affinity(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof set, &set) < 0)
		return 2;
	return CPU_COUNT(&set) == 1 && CPU_ISSET(0, &set) ? 0 : 1;
}

static void skip_or_ok(int r, const char *what)
{
	if (r == 77)
		printf("ok %d - %s # SKIP refused for lack of privilege here\n", ++tap_n, what);
	else
		TAP_OK(r == 0, "%s (child status %d)", what, r);
}

static void apply_cases(void)
{
	TAP_OK(apply_in_child("", "\"personality\":{\"domain\":\"LINUX32\"}", check_linux32) == 0,
	       "personality LINUX32 applied");
	TAP_OK(apply_in_child("\"scheduler\":{\"policy\":\"SCHED_BATCH\",\"nice\":5}", "", check_batch) == 0,
	       "SCHED_BATCH with nice 5 applied");
	skip_or_ok(apply_in_child("\"scheduler\":{\"policy\":\"SCHED_FIFO\",\"priority\":3,\"flags\":"
				  "[\"SCHED_FLAG_RESET_ON_FORK\"]}",
				  "", check_fifo),
		   "SCHED_FIFO priority 3 with reset-on-fork applied");
	TAP_OK(apply_in_child("\"ioPriority\":{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":6}", "", check_ioprio) == 0,
	       "io priority BE 6 applied");
	TAP_OK(apply_in_child("\"execCPUAffinity\":{\"initial\":\"0-1\",\"final\":\"0\"}", "", check_affinity) == 0,
	       "cpu affinity: final wins");
	TAP_OK(apply_in_child("\"execCPUAffinity\":{\"initial\":\"0\"}", "", check_affinity) == 0,
	       "cpu affinity: initial when no final");
}

/* ---- capabilities ----------------------------------------------------- */

static uint64_t status_mask(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	uint64_t v = UINT64_MAX;
	size_t n = strlen(key);

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, key, n) == 0 && line[n] == ':')
			v = strtoull(line + n + 1, NULL, 16);
	if (f)
		fclose(f);
	return v;
}

static char *names_chown[] = {"CAP_CHOWN", NULL};
static char *names_bound[] = {"CAP_CHOWN", "CAP_KILL", NULL};

static void caps_validate_cases(void)
{
	char *bad[] = {"CAP_NOPE", NULL};
	char *num[] = {"0", NULL};
	struct oc_spec_capabilities c = {.bounding = bad, .n_bounding = 1};
	oc_error_t err = OC_ERROR_INIT;

	TAP_OK(oc_caps_validate(NULL, &err) == 0, "no capabilities object");
	TAP_OK(oc_caps_validate(&c, &err) < 0, "unknown capability refused");
	TAP_STREQ(err.msg, "process.capabilities.bounding[0]: unknown capability \"CAP_NOPE\"", "message");
	oc_error_clear(&err);
	c = (struct oc_spec_capabilities){.ambient = num, .n_ambient = 1};
	TAP_OK(oc_caps_validate(&c, &err) < 0, "a number is no capability name");
	TAP_STREQ(err.msg, "process.capabilities.ambient[0]: unknown capability \"0\"", "message");
	oc_error_clear(&err);
	c = (struct oc_spec_capabilities){.effective = names_bound, .n_effective = 2};
	TAP_OK(oc_caps_validate(&c, &err) == 0, "known capabilities accepted");
}

/* In a child, as root: keep CAP_CHOWN and CAP_KILL in the bounding set,
 * become uid 1000 with CAP_CHOWN effective/permitted; ambient CAP_CHOWN
 * only when `inh` lists it too. */
static int caps_child(bool inh)
{
	struct oc_spec_capabilities c = {
		.bounding = names_bound,
		.n_bounding = 2,
		.effective = names_chown,
		.n_effective = 1,
		.permitted = names_chown,
		.n_permitted = 1,
		.inheritable = inh ? names_chown : NULL,
		.n_inheritable = inh ? 1 : 0,
		.ambient = names_chown,
		.n_ambient = 1,
	};
	oc_error_t err = OC_ERROR_INIT;
	uint64_t chown_bit = UINT64_C(1) << CAP_CHOWN, kill_bit = UINT64_C(1) << CAP_KILL;

	if (oc_caps_prepare(&c, &err) < 0)
		return 10;
	if (setresgid(1000, 1000, 1000) < 0 || setresuid(1000, 1000, 1000) < 0)
		return 11;
	if (oc_caps_apply(&c, &err) < 0) {
		printf("# %s\n", err.msg);
		return 12;
	}
	if (status_mask("CapBnd") != (chown_bit | kill_bit))
		return 13;
	if (status_mask("CapEff") != chown_bit || status_mask("CapPrm") != chown_bit)
		return 14;
	if (status_mask("CapInh") != (inh ? chown_bit : 0))
		return 15;
	if (status_mask("CapAmb") != (inh ? chown_bit : 0))
		return 16;
	if (prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) != 0)
		return 17;
	return 0;
}

static void caps_apply_cases(void)
{
	for (int inh = 0; inh < 2; inh++) {
		pid_t pid;

		if (geteuid() != 0) {
			printf("ok %d - # SKIP capabilities need root\n", ++tap_n);
			continue;
		}
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(caps_child(inh));
		TAP_OK(wait_child(pid) == 0, "caps applied across setuid, %s", inh ? "ambient raised" : "inheritable empty, ambient left out");
	}
}

int main(void)
{
	validate_cases();
	nr_open_case();
	cpus_cases();
	apply_cases();
	caps_validate_cases();
	caps_apply_cases();
	return tap_done();
}
