/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Entry points of the spec module: read, parse, decode, validate. */
#include <string.h>
#include <sys/resource.h>

#include "ocichroot/common.h"
#include "spec-internal.h"

static const char *const ns_names[OC_NS__MAX] = {
	[OC_NS_PID] = "pid",	   [OC_NS_NETWORK] = "network", [OC_NS_IPC] = "ipc",	   [OC_NS_UTS] = "uts",
	[OC_NS_MOUNT] = "mount", [OC_NS_USER] = "user",	    [OC_NS_CGROUP] = "cgroup", [OC_NS_TIME] = "time",
};

const char *oc_ns_type_name(enum oc_ns_type t)
{
	if ((unsigned) t >= OC_NS__MAX)
		return "unknown";
	return ns_names[t];
}

int oc_ns_type_from_name(const char *name)
{
	for (int i = 0; i < OC_NS__MAX; i++)
		if (strcmp(ns_names[i], name) == 0)
			return i;
	return -1;
}

static const char *const hook_names[OC_HOOK__MAX] = {
	[OC_HOOK_PRESTART] = "prestart",
	[OC_HOOK_CREATE_RUNTIME] = "createRuntime",
	[OC_HOOK_CREATE_CONTAINER] = "createContainer",
	[OC_HOOK_START_CONTAINER] = "startContainer",
	[OC_HOOK_POSTSTART] = "poststart",
	[OC_HOOK_POSTSTOP] = "poststop",
};

const char *oc_hook_kind_name(enum oc_hook_kind k)
{
	if ((unsigned) k >= OC_HOOK__MAX)
		return "unknown";
	return hook_names[k];
}

const struct oc_spec_namespace *oc_spec_find_namespace(const struct oc_spec *s, enum oc_ns_type t)
{
	if (s == NULL || s->linux == NULL)
		return NULL;
	for (size_t i = 0; i < s->linux->n_namespaces; i++)
		if (s->linux->namespaces[i].type == t)
			return &s->linux->namespaces[i];
	return NULL;
}

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	{"RLIMIT_AS", RLIMIT_AS},
	{"RLIMIT_CORE", RLIMIT_CORE},
	{"RLIMIT_CPU", RLIMIT_CPU},
	{"RLIMIT_DATA", RLIMIT_DATA},
	{"RLIMIT_FSIZE", RLIMIT_FSIZE},
	{"RLIMIT_LOCKS", RLIMIT_LOCKS},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	{"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE},
	{"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_NPROC", RLIMIT_NPROC},
	{"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	{"RLIMIT_RTTIME", RLIMIT_RTTIME},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	{"RLIMIT_STACK", RLIMIT_STACK},
};

int oc_spec_rlimit_resource(const char *name)
{
	for (size_t i = 0; i < OC_ARRAY_SIZE(rlimits); i++)
		if (strcmp(rlimits[i].name, name) == 0)
			return rlimits[i].resource;
	return -1;
}

int oc_spec_parse(const char *buf, size_t len, const char *filename, struct oc_spec **out, oc_error_t *err)
{
	cleanup_json_doc struct oc_json_doc *doc = NULL;
	cleanup_spec struct oc_spec *s = NULL;

	if (oc_json_parse(buf, len, filename, OC_SPEC_MAX_SIZE, OC_SPEC_MAX_DEPTH, &doc, err) < 0)
		return -1;
	s = oc_xcalloc(1, sizeof(*s));
	s->doc = steal_pointer(&doc);
	if (oc_spec_decode(oc_json_doc_root(s->doc), s, err) < 0)
		return -1;
	if (oc_spec_validate(s, err) < 0)
		return -1;
	*out = steal_pointer(&s);
	return 0;
}

int oc_spec_load(const char *path, struct oc_spec **out, oc_error_t *err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;

	if (oc_json_read_file(path, OC_SPEC_MAX_SIZE, &buf, &len, err) < 0)
		return -1;
	return oc_spec_parse(buf, len, path, out, err);
}

int oc_spec_parse_process(const char *buf, size_t len, const char *filename, struct oc_spec_process **out,
			  oc_error_t *err)
{
	cleanup_json_doc struct oc_json_doc *doc = NULL;
	cleanup_spec_process struct oc_spec_process *p = NULL;

	if (oc_json_parse(buf, len, filename, OC_SPEC_MAX_SIZE, OC_SPEC_MAX_DEPTH, &doc, err) < 0)
		return -1;
	p = oc_xcalloc(1, sizeof(*p));
	p->doc = steal_pointer(&doc);
	if (oc_spec_decode_process(oc_json_doc_root(p->doc), "", p, err) < 0)
		return -1;
	if (oc_spec_validate_process(p, "", err) < 0)
		return -1;
	*out = steal_pointer(&p);
	return 0;
}

int oc_spec_parse_resources(const char *buf, size_t len, const char *filename, struct oc_spec_resources **out,
			    oc_error_t *err)
{
	cleanup_json_doc struct oc_json_doc *doc = NULL;
	cleanup_spec_resources struct oc_spec_resources *r = NULL;

	if (oc_json_parse(buf, len, filename, OC_SPEC_MAX_SIZE, OC_SPEC_MAX_DEPTH, &doc, err) < 0)
		return -1;
	r = oc_xcalloc(1, sizeof(*r));
	r->doc = steal_pointer(&doc);
	if (oc_spec_decode_resources(oc_json_doc_root(r->doc), "", r, err) < 0)
		return -1;
	if (oc_spec_validate_resources(r, "", err) < 0)
		return -1;
	*out = steal_pointer(&r);
	return 0;
}
