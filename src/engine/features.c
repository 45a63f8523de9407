/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `features` (runtime-spec features.md): what this binary supports, asked
 * of the modules that implement each part rather than kept in a list of
 * our own that could drift from the code. */
#include <sys/capability.h>

#include "config.h"
#include "engine-int.h"
#include "ocichroot/common.h"
#include "ocichroot/json.h"
#include "ocichroot/lsm.h"
#include "ocichroot/mountopt.h"
#include "ocichroot/seccomp.h"

static void gen_key(yajl_gen g, const char *k)
{
	oc_json_gen_str(g, k);
}

static void gen_hooks(yajl_gen g)
{
	gen_key(g, "hooks");
	yajl_gen_array_open(g);
	for (int k = 0; k < OC_HOOK__MAX; k++)
		oc_json_gen_str(g, oc_hook_kind_name(k));
	yajl_gen_array_close(g);
}

static void gen_mount_options(yajl_gen g)
{
	const char *n;

	gen_key(g, "mountOptions");
	yajl_gen_array_open(g);
	for (size_t i = 0; (n = oc_mountopt_known(i)) != NULL; i++)
		oc_json_gen_str(g, n);
	yajl_gen_array_close(g);
}

static void gen_capabilities(yajl_gen g)
{
	gen_key(g, "capabilities");
	yajl_gen_array_open(g);
	for (cap_value_t v = 0; v < (cap_value_t) cap_max_bits(); v++) {
		char *name = cap_to_name(v);
		if (name == NULL)
			continue;
		/* libcap says "cap_chown"; the spec writes "CAP_CHOWN" */
		for (char *c = name; *c; c++)
			*c = (char) (*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
		oc_json_gen_str(g, name);
		cap_free(name);
	}
	yajl_gen_array_close(g);
}

char *oc_engine_features(void)
{
	cleanup_json_gen yajl_gen g = oc_json_gen_new(true, "    ");

	yajl_gen_map_open(g);
	oc_json_gen_kstr(g, "ociVersionMin", "1.0.0");
	oc_json_gen_kstr(g, "ociVersionMax", OC_SPEC_VERSION);
	gen_hooks(g);
	gen_mount_options(g);
	gen_key(g, "linux");
	yajl_gen_map_open(g);
	gen_key(g, "namespaces");
	yajl_gen_array_open(g);
	for (int t = 0; t < OC_NS__MAX; t++)
		oc_json_gen_str(g, oc_ns_type_name(t));
	yajl_gen_array_close(g);
	gen_capabilities(g);
	gen_key(g, "cgroup");
	yajl_gen_map_open(g);
	oc_json_gen_kbool(g, "v1", true);
	oc_json_gen_kbool(g, "v2", true);
	oc_json_gen_kbool(g, "systemd", false);
	oc_json_gen_kbool(g, "systemdUser", false);
	oc_json_gen_kbool(g, "rdma", true);
	yajl_gen_map_close(g);
	gen_key(g, "seccomp");
	oc_seccomp_features_gen(g);
	oc_lsm_features_gen(g);
	gen_key(g, "intelRdt");
	yajl_gen_map_open(g);
	oc_json_gen_kbool(g, "enabled", false);
	yajl_gen_map_close(g);
	gen_key(g, "mountExtensions");
	yajl_gen_map_open(g);
	gen_key(g, "idmap");
	yajl_gen_map_open(g);
	oc_json_gen_kbool(g, "enabled", true);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	gen_key(g, "annotations");
	yajl_gen_map_open(g);
	oc_json_gen_kstr(g, "org.opencontainers.runc.checkpoint.enabled", "false");
	oc_json_gen_kstr(g, "run.ocichroot.version", OC_VERSION);
	oc_json_gen_kstr(g, "run.ocichroot.commit", OC_COMMIT);
	oc_json_gen_kstr(g, "run.ocichroot.policy.default", oc_policy_restricted_host() ? "best-effort" : "strict");
	{
		cleanup_free char *steps = oc_probe_host_steps();
		oc_json_gen_kstr(g, "run.ocichroot.degradation", steps);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	return oc_json_gen_finish(g);
}
