/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ocichroot/common.h"

static const struct oc_opt *find_long(const struct oc_opt *opts, const char *name, size_t len)
{
	for (const struct oc_opt *o = opts; o->name; o++) {
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
		if (o->alias && strlen(o->alias) == len && strncmp(o->alias, name, len) == 0)
			return o;
	}
	return NULL;
}

static const struct oc_opt *find_short(const struct oc_opt *opts, char c)
{
	for (const struct oc_opt *o = opts; o->name; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

static int set_value(const struct oc_opt *o, const char *shown, const char *v, oc_error_t *err)
{
	char *end;
	long n;

	switch (o->kind) {
	case OC_OPT_BOOL:
		if (v == NULL || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
			*(bool *) o->target = true;
		else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
			*(bool *) o->target = false;
		else
			return oc_error_set(err, 0, "invalid boolean value \"%s\" for flag %s", v, shown);
		return 0;
	case OC_OPT_STRING:
		*(const char **) o->target = v;
		return 0;
	case OC_OPT_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0 || n < INT_MIN || n > INT_MAX)
			return oc_error_set(err, 0, "invalid value \"%s\" for flag %s", v, shown);
		*(int *) o->target = (int) n;
		return 0;
	case OC_OPT_LIST: {
		struct oc_strlist *l = o->target;
		l->items = oc_xrealloc(l->items, (size_t) (l->n + 1) * sizeof(char *));
		l->items[l->n++] = v;
		return 0;
	}
	}
	return 0;
}

int oc_cli_parse(const struct oc_opt *opts, int argc, char **argv, int *i, oc_error_t *err)
{
	while (*i < argc) {
		const char *a = argv[*i];
		const struct oc_opt *o;
		const char *name, *eq, *v = NULL;

		if (a[0] != '-' || a[1] == '\0')
			return 0;
		if (strcmp(a, "--") == 0) {
			(*i)++;
			return 0;
		}
		name = a + (a[1] == '-' ? 2 : 1);
		eq = strchr(name, '=');
		o = find_long(opts, name, eq ? (size_t) (eq - name) : strlen(name));
		if (o == NULL && a[1] != '-' && strlen(name) >= 1) {
			/* -x, -xVALUE, or a cluster of boolean shorts */
			o = find_short(opts, name[0]);
			if (o != NULL && o->kind != OC_OPT_BOOL && name[1] != '\0') {
				v = name[1] == '=' ? name + 2 : name + 1;
				eq = NULL;
				(*i)++;
				if (set_value(o, a, v, err) < 0)
					return -1;
				continue;
			}
			if (o != NULL && o->kind == OC_OPT_BOOL && name[1] != '\0') {
				for (const char *c = name; *c; c++) {
					const struct oc_opt *b = find_short(opts, *c);
					if (b == NULL || b->kind != OC_OPT_BOOL)
						return oc_error_set(err, 0, "flag provided but not defined: -%c", *c);
					*(bool *) b->target = true;
				}
				(*i)++;
				continue;
			}
		}
		if (o == NULL)
			return oc_error_set(err, 0, "flag provided but not defined: %s", a);
		(*i)++;
		if (eq != NULL) {
			v = eq + 1;
		} else if (o->kind != OC_OPT_BOOL) {
			if (*i >= argc)
				return oc_error_set(err, 0, "flag needs an argument: %s", a);
			v = argv[(*i)++];
		}
		if (set_value(o, a, v, err) < 0)
			return -1;
	}
	return 0;
}

void oc_cli_print_options(const struct oc_opt *opts)
{
	printf("OPTIONS:\n");
	for (const struct oc_opt *o = opts; o->name; o++) {
		char left[64];
		const char *arg = o->kind == OC_OPT_BOOL ? "" : " value";

		if (o->short_name)
			snprintf(left, sizeof left, "--%s%s, -%c%s", o->name, arg, o->short_name, arg);
		else
			snprintf(left, sizeof left, "--%s%s", o->name, arg);
		printf("   %-32s %s\n", left, o->help ? o->help : "");
	}
}

bool oc_cli_help_shown;

int oc_cli_help(const char *verb, const char *usage, const char *summary, const struct oc_opt *opts)
{
	printf("NAME:\n   ocichroot %s - %s\n\nUSAGE:\n   ocichroot %s %s\n\n", verb, summary, verb, usage);
	oc_cli_print_options(opts);
	oc_cli_help_shown = true;
	return 0;
}

int oc_cli_begin(const char *verb, const struct oc_opt *opts, const bool *show_help, int argc, char **argv, int *i,
		 int min, int max, oc_error_t *err)
{
	const struct oc_verb *v = oc_cli_find_verb(verb);
	int have;

	if (oc_cli_parse(opts, argc, argv, i, err) < 0)
		return -1;
	if (*show_help) {
		oc_cli_help(verb, v ? v->usage : "", v ? v->summary : "", opts);
		return 1;
	}
	have = argc - *i;
	if (have >= min && (max < 0 || have <= max))
		return 0;
	if (min == max)
		return oc_error_set(err, 0, "\"%s\" requires exactly %d argument(s)", verb, min);
	if (max < 0)
		return oc_error_set(err, 0, "\"%s\" requires a minimum of %d argument(s)", verb, min);
	return oc_error_set(err, 0, "\"%s\" requires a minimum of %d and a maximum of %d arguments", verb, min, max);
}
