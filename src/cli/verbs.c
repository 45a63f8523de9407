/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ocichroot/common.h"

static const struct oc_verb verbs[] = {
	{"checkpoint", "", "checkpoint a running container (not implemented)", oc_cli_unsupported},
	{"create", "[command options] <container-id>", "create a container", oc_cli_create},
	{"delete", "[command options] <container-id>", "delete any resources held by the container", oc_cli_delete},
	{"events", "[command options] <container-id>", "display container events and usage statistics", oc_cli_events},
	{"exec", "[command options] <container-id> <command> [args...]", "execute new process inside the container", oc_cli_exec},
	{"features", "", "show the enabled features", oc_cli_features},
	{"kill", "[command options] <container-id> [signal]", "send a signal to the container's init process", oc_cli_kill},
	{"list", "[command options]", "lists containers started by ocichroot with the given root", oc_cli_list},
	{"pause", "<container-id>", "suspend all processes inside the container", oc_cli_pause},
	{"ps", "[command options] <container-id> [ps options]", "display the processes running inside a container", oc_cli_ps},
	{"restore", "", "restore a container from a previous checkpoint (not implemented)", oc_cli_unsupported},
	{"resume", "<container-id>", "resume all processes that have been previously paused", oc_cli_resume},
	{"run", "[command options] <container-id>", "create and run a container", oc_cli_run},
	{"spec", "[command options]", "create a new specification file", oc_cli_spec},
	{"start", "<container-id>", "executes the user defined process in a created container", oc_cli_start},
	{"state", "<container-id>", "output the state of a container", oc_cli_state},
	{"update", "[command options] <container-id>", "update container resource constraints", oc_cli_update},
};

const struct oc_verb *oc_cli_find_verb(const char *name)
{
	for (size_t i = 0; i < OC_ARRAY_SIZE(verbs); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

void oc_cli_print_verbs(void)
{
	printf("COMMANDS:\n");
	for (size_t i = 0; i < OC_ARRAY_SIZE(verbs); i++)
		printf("   %-12s %s\n", verbs[i].name, verbs[i].summary);
}
