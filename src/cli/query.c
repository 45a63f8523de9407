/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state, list, spec. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ocichroot/common.h"

int oc_cli_state(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	bool show_help = false;
	const struct oc_opt opts[] = {HELP_OPT(&show_help), {0}};
	cleanup_free char *json = NULL;
	int i = 0;

	OC_CLI_BEGIN("state", opts, &show_help, argc, argv, &i, 1, 1, err);
	if (oc_engine_state(rt, argv[i], &json, err) < 0)
		return -1;
	printf("%s\n", json);
	return 0;
}

int oc_cli_list(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	bool show_help = false, quiet = false;
	const char *format = "table";
	const struct oc_opt opts[] = {
		{"format", 'f', OC_OPT_STRING, &format, "select one of: table or json (default: \"table\")", NULL},
		{"quiet", 'q', OC_OPT_BOOL, &quiet, "display only container IDs", NULL},
		HELP_OPT(&show_help),
		{0},
	};
	struct oc_list_entry *l = NULL;
	size_t n = 0;
	int i = 0;

	OC_CLI_BEGIN("list", opts, &show_help, argc, argv, &i, 0, 0, err);
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return oc_error_set(err, 0, "invalid format option");
	if (oc_engine_list(rt, &l, &n, err) < 0)
		return -1;
	if (quiet) {
		for (size_t k = 0; k < n; k++)
			printf("%s\n", l[k].id);
	} else if (strcmp(format, "json") == 0) {
		/* runc prints null for an empty list */
		if (n == 0)
			printf("null\n");
		else {
			printf("[");
			for (size_t k = 0; k < n; k++)
				printf("%s%s", k ? "," : "", l[k].json);
			printf("]\n");
		}
	} else {
		int w = 2;
		for (size_t k = 0; k < n; k++)
			if ((int) strlen(l[k].id) > w)
				w = (int) strlen(l[k].id);
		printf("%-*s   %-10s %-10s %-40s %-30s %s\n", w, "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
		for (size_t k = 0; k < n; k++)
			printf("%-*s   %-10d %-10s %-40s %-30s %s\n", w, l[k].id, l[k].pid, l[k].status, l[k].bundle,
			       l[k].created, l[k].owner);
	}
	oc_engine_list_free(l, n);
	return 0;
}

int oc_cli_spec(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	bool show_help = false, rootless = false;
	const char *bundle = NULL;
	const struct oc_opt opts[] = {
		{"bundle", 'b', OC_OPT_STRING, &bundle, "path to the root of the bundle directory", NULL},
		{"rootless", 0, OC_OPT_BOOL, &rootless, "generate a configuration for a rootless container", NULL},
		HELP_OPT(&show_help),
		{0},
	};
	int i = 0;

	OC_CLI_BEGIN("spec", opts, &show_help, argc, argv, &i, 0, 0, err);
	return oc_engine_write_spec(bundle, rootless, err);
}

int oc_cli_features(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err)
{
	bool show_help = false;
	const struct oc_opt opts[] = {HELP_OPT(&show_help), {0}};
	cleanup_free char *json = NULL;
	int i = 0;

	OC_CLI_BEGIN("features", opts, &show_help, argc, argv, &i, 0, 0, err);
	json = oc_engine_features();
	printf("%s\n", json);
	return 0;
}
