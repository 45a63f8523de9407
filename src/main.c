/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Global options, the verb table, and the only place that prints errors and
 * chooses exit codes (STYLE.md rule 2). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config.h"
#include "ocichroot/common.h"
#include "ocichroot/log.h"
#include "ocichroot/state.h"

static void print_version(void)
{
	printf("ocichroot version %s\ncommit: %s\nspec: %s\n", OC_VERSION, OC_COMMIT, OC_SPEC_VERSION);
	printf("%cSECCOMP %cSELINUX %cAPPARMOR +CAP +IDMAP +YAJL\n", HAVE_SECCOMP ? '+' : '-',
	       HAVE_SELINUX ? '+' : '-', HAVE_APPARMOR ? '+' : '-');
}

static void print_help(const struct oc_opt *opts)
{
	printf("NAME:\n   ocichroot - an OCI runtime with chroot-isolated execution\n\n"
	       "USAGE:\n   ocichroot [global options] command [command options] [arguments...]\n\n"
	       "VERSION:\n   %s\n\n",
	       OC_VERSION);
	oc_cli_print_verbs();
	printf("\nGLOBAL ");
	oc_cli_print_options(opts);
}

static int fail(oc_error_t *err)
{
	oc_log_error_final(err->msg ? err->msg : "unknown error");
	oc_error_clear(err);
	return 1;
}

int main(int argc, char **argv)
{
	struct oc_runtime rt = {0};
	const char *log_format = "text", *rootless = "auto", *cgroup_manager = NULL, *policy = NULL;
	bool show_help = false, show_version = false;
	const struct oc_opt opts[] = {
		{"debug", 0, OC_OPT_BOOL, &rt.debug, "enable debug logging", NULL},
		{"log", 0, OC_OPT_STRING, &rt.log_path, "set the log file to write ocichroot logs to (default is stderr)", NULL},
		{"log-format", 0, OC_OPT_STRING, &log_format, "set the log format ('text' (default), or 'json')", NULL},
		{"root", 0, OC_OPT_STRING, &rt.root, "root directory for storage of container state", NULL},
		{"systemd-cgroup", 0, OC_OPT_BOOL, &rt.systemd_cgroup, "use systemd cgroup paths (slice:prefix:name)", NULL},
		{"rootless", 0, OC_OPT_STRING, &rootless, "ignore cgroup permission errors ('true', 'false', or 'auto')", NULL},
		{"cgroup-manager", 0, OC_OPT_STRING, &cgroup_manager, "cgroup manager: cgroupfs, systemd or disabled", NULL},
		{"policy", 0, OC_OPT_STRING, &policy, "when the host refuses part of the config: 'strict' (fail) or 'best-effort' (fall back, record, warn)", NULL},
		{"criu", 0, OC_OPT_STRING, &(const char *){NULL}, "accepted for runc compatibility, unused", NULL},
		{"version", 'v', OC_OPT_BOOL, &show_version, "print the version", NULL},
		{"help", 'h', OC_OPT_BOOL, &show_help, "show help", NULL},
		{0},
	};
	oc_error_t err = OC_ERROR_INIT;
	const struct oc_verb *verb;
	int i = 1, status = 0;

	if (oc_cli_parse(opts, argc, argv, &i, &err) < 0)
		return fail(&err);
	if (show_version) {
		print_version();
		return 0;
	}
	if (strcmp(log_format, "json") == 0)
		rt.log_json = true;
	else if (strcmp(log_format, "text") != 0)
		return oc_error_set(&err, 0, "invalid log-format: %s", log_format), fail(&err);
	if (oc_log_init(rt.log_path, rt.log_json, rt.debug) < 0)
		return oc_error_sys(&err, "open log file `%s`", rt.log_path), fail(&err);
	if (strcmp(rootless, "true") == 0)
		rt.rootless = OC_ROOTLESS_TRUE;
	else if (strcmp(rootless, "false") == 0)
		rt.rootless = OC_ROOTLESS_FALSE;
	else if (strcmp(rootless, "auto") != 0)
		return oc_error_set(&err, 0, "invalid value for --rootless: %s", rootless), fail(&err);
	rt.cgroup_manager = rt.systemd_cgroup ? OC_CGROUP_SYSTEMD : OC_CGROUP_CGROUPFS;
	if (cgroup_manager != NULL) {
		if (strcmp(cgroup_manager, "cgroupfs") == 0)
			rt.cgroup_manager = OC_CGROUP_CGROUPFS;
		else if (strcmp(cgroup_manager, "systemd") == 0)
			rt.cgroup_manager = OC_CGROUP_SYSTEMD;
		else if (strcmp(cgroup_manager, "disabled") == 0)
			rt.cgroup_manager = OC_CGROUP_DISABLED;
		else
			return oc_error_set(&err, 0, "invalid --cgroup-manager: %s", cgroup_manager), fail(&err);
	}
	if (policy != NULL) {
		if (strcmp(policy, "strict") == 0)
			rt.policy = OC_POLICY_STRICT;
		else if (strcmp(policy, "best-effort") == 0)
			rt.policy = OC_POLICY_BEST_EFFORT;
		else
			return oc_error_set(&err, 0, "invalid --policy: %s (strict or best-effort)", policy), fail(&err);
	}
	if (rt.root == NULL)
		rt.root = oc_state_default_root();
	if (show_help || i >= argc) {
		print_help(opts);
		return show_help ? 0 : 1;
	}
	verb = oc_cli_find_verb(argv[i]);
	if (verb == NULL)
		return oc_error_set(&err, 0, "No help topic for '%s'", argv[i]), fail(&err);
	i++;
	if (verb->run(&rt, argc - i, argv + i, &status, &err) < 0)
		return fail(&err);
	return status;
}
