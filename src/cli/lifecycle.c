/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create, run, start, kill, delete: flags in, one engine call out. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ocichroot/common.h"

static int create_or_run(const struct oc_runtime *rt, int argc, char **argv, bool run, int *exit_status,
			 oc_error_t *err)
{
	struct oc_create_opts o = {0};
	bool show_help = false;
	const struct oc_opt opts[] = {
		{"bundle", 'b', OC_OPT_STRING, &o.bundle, "path to the root of the bundle directory, defaults to the current directory", NULL},
		{"console-socket", 0, OC_OPT_STRING, &o.console_socket, "path to an AF_UNIX socket which will receive the pty master", NULL},
		{"pid-file", 0, OC_OPT_STRING, &o.pid_file, "specify the file to write the process id to", NULL},
		{"no-pivot", 0, OC_OPT_BOOL, &o.no_pivot, "do not use pivot root to jail process inside rootfs (chroot)", NULL},
		{"no-new-keyring", 0, OC_OPT_BOOL, &o.no_new_keyring, "do not create a new session keyring for the container", NULL},
		{"preserve-fds", 0, OC_OPT_INT, &o.preserve_fds, "pass N additional file descriptors to the container (stdio + N in total)", NULL},
		{"detach", 'd', OC_OPT_BOOL, &o.detach, "detach from the container's process", NULL},
		{"keep", 0, OC_OPT_BOOL, &o.keep, "do not delete the container after it exits", NULL},
		HELP_OPT(&show_help),
		{0},
	};
	const struct oc_opt *table = opts;
	struct oc_opt create_opts[OC_ARRAY_SIZE(opts)];
	const char *verb = run ? "run" : "create";
	int i = 0, k = 0;

	if (!run) {
		/* create has neither --detach nor --keep */
		for (const struct oc_opt *p = opts; p->name; p++)
			if (strcmp(p->name, "detach") != 0 && strcmp(p->name, "keep") != 0)
				create_opts[k++] = *p;
		create_opts[k] = (struct oc_opt){0};
		table = create_opts;
	}
	OC_CLI_BEGIN(verb, table, &show_help, argc, argv, &i, 1, 1, err);
	o.id = argv[i];
	if (!run)
		return oc_engine_create(rt, &o, err);
	o.foreground = !o.detach;
	return oc_engine_run(rt, &o, exit_status, err);
}

int oc_cli_create(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	return create_or_run(rt, argc, argv, false, exit_status, err);
}

int oc_cli_run(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	return create_or_run(rt, argc, argv, true, exit_status, err);
}

int oc_cli_start(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	bool show_help = false;
	const struct oc_opt opts[] = {HELP_OPT(&show_help), {0}};
	int i = 0;

	OC_CLI_BEGIN("start", opts, &show_help, argc, argv, &i, 1, 1, err);
	return oc_engine_start(rt, argv[i], err);
}

int oc_cli_kill(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	bool show_help = false, all = false;
	const struct oc_opt opts[] = {
		{"all", 'a', OC_OPT_BOOL, &all, "send the specified signal to all processes inside the container", NULL},
		HELP_OPT(&show_help),
		{0},
	};
	int i = 0, sig = SIGTERM;

	OC_CLI_BEGIN("kill", opts, &show_help, argc, argv, &i, 1, 2, err);
	if (argc - i == 2) {
		sig = oc_signal_parse(argv[i + 1]);
		if (sig < 0)
			return oc_error_set(err, 0, "unknown signal \"%s\"", argv[i + 1]);
	}
	return oc_engine_kill(rt, argv[i], sig, all, err);
}

int oc_cli_delete(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	bool show_help = false, force = false;
	const struct oc_opt opts[] = {
		{"force", 'f', OC_OPT_BOOL, &force, "forcibly deletes the container if it is still running (uses SIGKILL)", NULL},
		HELP_OPT(&show_help),
		{0},
	};
	int i = 0;

	OC_CLI_BEGIN("delete", opts, &show_help, argc, argv, &i, 1, 1, err);
	return oc_engine_delete(rt, argv[i], force, err);
}

int oc_cli_unsupported(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	/* Non-zero even for --help: podman probes `checkpoint --help` to learn
	 * whether a runtime can checkpoint. */
	return oc_error_set(err, 0, "checkpoint and restore are not supported by ocichroot");
}
