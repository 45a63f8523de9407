/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec: runc's flags, one engine call. */
#include <string.h>

#include "cli.h"
#include "ocichroot/common.h"

int oc_cli_exec(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	struct oc_exec_opts o = {0};
	struct oc_strlist env = {0}, gids = {0}, caps = {0};
	bool show_help = false;
	const struct oc_opt opts[] = {
		{"console-socket", 0, OC_OPT_STRING, &o.console_socket, "path to an AF_UNIX socket which will receive the pty master", NULL},
		{"cwd", 0, OC_OPT_STRING, &o.cwd, "current working directory in the container", NULL},
		{"env", 'e', OC_OPT_LIST, &env, "set environment variables (KEY=VALUE)", NULL},
		{"tty", 't', OC_OPT_BOOL, &o.tty, "allocate a pseudo-TTY", NULL},
		{"user", 'u', OC_OPT_STRING, &o.user, "UID (format: <uid>[:<gid>])", NULL},
		{"additional-gids", 'g', OC_OPT_LIST, &gids, "additional gids", NULL},
		{"process", 'p', OC_OPT_STRING, &o.process_file, "path to the process.json", NULL},
		{"detach", 'd', OC_OPT_BOOL, &o.detach, "detach from the container's process", NULL},
		{"pid-file", 0, OC_OPT_STRING, &o.pid_file, "specify the file to write the process id to", NULL},
		{"process-label", 0, OC_OPT_STRING, &o.process_label, "set the asm process label for the process commonly used with selinux", NULL},
		{"apparmor", 0, OC_OPT_STRING, &o.apparmor, "set the apparmor profile for the process", NULL},
		{"no-new-privs", 0, OC_OPT_BOOL, &o.no_new_privs, "set the no new privileges value for the process", NULL},
		{"cap", 'c', OC_OPT_LIST, &caps, "add a capability to the bounding set for the process", NULL},
		{"preserve-fds", 0, OC_OPT_INT, &o.preserve_fds, "pass N additional file descriptors to the container", NULL},
		{"cgroup", 0, OC_OPT_STRING, &o.cgroup, "run the process in an (existing) sub-cgroup(s)", NULL},
		{"ignore-paused", 0, OC_OPT_BOOL, &o.ignore_paused, "allow exec in a paused container", NULL},
		HELP_OPT(&show_help),
		{0},
	};
	int i = 0, ret;

	ret = oc_cli_begin("exec", opts, &show_help, argc, argv, &i, 1, -1, err);
	if (ret > 0)
		ret = 0; /* help printed */
	else if (ret == 0 && o.process_file == NULL && argc - i < 2)
		ret = oc_error_set(err, 0, "exec: no command given (args cannot be empty)");
	else if (ret == 0) {
		o.id = argv[i];
		o.args = argv + i + 1;
		o.n_args = argc - i - 1;
		o.env = env.items;
		o.n_env = env.n;
		o.additional_gids = gids.items;
		o.n_additional_gids = gids.n;
		o.caps = caps.items;
		o.n_caps = caps.n;
		ret = oc_engine_exec(rt, &o, exit_status, err);
	}
	free(env.items);
	free(gids.items);
	free(caps.items);
	return ret;
}
