/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command line: runc's verbs and flags. Every option is accepted as
 * `--opt v`, `--opt=v` and, as Go's flag package allows, `-opt v`. */
#ifndef OC_CLI_H
#define OC_CLI_H

#include <stdbool.h>

#include "ocichroot/engine.h"
#include "ocichroot/error.h"

enum oc_opt_kind { OC_OPT_BOOL, OC_OPT_STRING, OC_OPT_INT, OC_OPT_LIST };

struct oc_opt {
	const char *name;  /* long name, without dashes */
	char short_name;   /* 0 when none */
	enum oc_opt_kind kind;
	void *target;	   /* bool *, const char **, int *, or struct oc_strlist * */
	const char *help;
	const char *alias; /* a second long name, e.g. "log-format" */
};

struct oc_strlist {
	const char **items;
	int n;
};

/* Parse options from argv[*i] on, stopping at the first argument that is
 * not an option (or after "--"). */
int oc_cli_parse(const struct oc_opt *opts, int argc, char **argv, int *i, oc_error_t *err);
void oc_cli_print_options(const struct oc_opt *opts);

struct oc_verb {
	const char *name;
	const char *usage;
	const char *summary;
	int (*run)(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
};

const struct oc_verb *oc_cli_find_verb(const char *name);
void oc_cli_print_verbs(void);

/* verbs */
int oc_cli_create(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
int oc_cli_run(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
int oc_cli_start(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
int oc_cli_state(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
int oc_cli_kill(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
int oc_cli_delete(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
int oc_cli_list(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
int oc_cli_spec(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
int oc_cli_exec(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
int oc_cli_features(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
int oc_cli_pause(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
int oc_cli_resume(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
int oc_cli_ps(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
int oc_cli_update(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
int oc_cli_events(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);
int oc_cli_unsupported(const struct oc_runtime *rt, int argc, char **argv, int *exit_status, oc_error_t *err);

#define HELP_OPT(flag) {"help", 'h', OC_OPT_BOOL, (flag), "show help", NULL}

/* Print a verb's help; returns 0. */
int oc_cli_help(const char *verb, const char *usage, const char *summary, const struct oc_opt *opts);

/* The start of every verb: parse its options; with -h/--help print its
 * help (usage and summary from the verb table) and return 1; else check
 * that between min and max (-1: no limit) positional arguments remain
 * from argv[*i] on. 0: go on; -1: err is set. */
int oc_cli_begin(const char *verb, const struct oc_opt *opts, const bool *show_help, int argc, char **argv, int *i,
		 int min, int max, oc_error_t *err);
#define OC_CLI_BEGIN(verb, opts, help, argc, argv, i, min, max, err)                               \
	do {                                                                                       \
		int oc_cli_r_ = oc_cli_begin((verb), (opts), (help), (argc), (argv), (i), (min), (max), (err)); \
		if (oc_cli_r_ != 0)                                                                \
			return oc_cli_r_ < 0 ? -1 : 0;                                             \
	} while (0)

/* Set by the verb parsers when -h/--help was given: the verb printed its
 * help and there is nothing else to do. */
extern bool oc_cli_help_shown;

#endif
