/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The security modules built as if libseccomp, libselinux and libapparmor
 * were absent (OC_TEST_WITHOUT_LIBS): a config that asks for them fails
 * with a clear error, one that does not works. */
#include <string.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/json.h"
#include "ocichroot/lsm.h"
#include "ocichroot/seccomp.h"
#include "ocichroot/spec.h"
#include "../tap.h"

static void seccomp_cases(void)
{
	struct oc_spec_seccomp s = {.default_action = "SCMP_ACT_ALLOW"};
	struct oc_seccomp *sc = (struct oc_seccomp *) 1;
	oc_error_t err = OC_ERROR_INIT;
	cleanup_json_gen yajl_gen g = oc_json_gen_new(false, NULL);
	cleanup_free char *json = NULL;
	int fd = 5;

	TAP_OK(oc_seccomp_prepare(NULL, &sc, &err) == 0 && sc == NULL, "no seccomp asked: fine");
	TAP_OK(oc_seccomp_load(sc, &fd, &err) == 0 && fd == -1, "loading nothing");
	TAP_OK(oc_seccomp_prepare(&s, &sc, &err) < 0, "seccomp asked: refused");
	TAP_STREQ(err.msg, "seccomp requested in config.json but ocichroot was built without libseccomp",
		  "seccomp error text");
	oc_error_clear(&err);
	oc_seccomp_features_gen(g);
	json = oc_json_gen_finish(g);
	TAP_STREQ(json, "{\"enabled\":false}", "features say disabled");
}

static void lsm_cases(void)
{
	struct oc_spec_process aa = {.apparmor_profile = "docker-default"};
	struct oc_spec_process unconf = {.apparmor_profile = "unconfined"};
	struct oc_spec_process se = {.selinux_label = "system_u:system_r:container_t:s0"};
	struct oc_spec_process none = {.apparmor_profile = "", .selinux_label = ""};
	oc_error_t err = OC_ERROR_INIT;
	cleanup_json_gen yajl_gen g = oc_json_gen_new(false, NULL);
	cleanup_free char *json = NULL;
	char *opt = NULL;

	TAP_OK(oc_lsm_check(&none, "", &err) == 0, "no labels: fine");
	TAP_OK(oc_lsm_check(&unconf, NULL, &err) == 0, "\"unconfined\": fine");
	TAP_OK(oc_lsm_check(&aa, NULL, &err) < 0, "apparmor profile refused");
	TAP_STREQ(err.msg,
		  "apparmor profile \"docker-default\" requested in config.json but ocichroot was built without "
		  "libapparmor",
		  "apparmor error text");
	oc_error_clear(&err);
	TAP_OK(oc_lsm_apply_exec_labels(&aa, -1, &err) < 0, "apply refuses it too");
	oc_error_clear(&err);
	TAP_OK(oc_lsm_check(&se, NULL, &err) < 0, "selinux label refused");
	TAP_STREQ(err.msg, "selinux label requested in config.json but ocichroot was built without libselinux",
		  "selinux error text");
	oc_error_clear(&err);
	TAP_OK(oc_lsm_set_keycreate_label(&se, -1, &err) < 0, "key label refused too");
	oc_error_clear(&err);
	TAP_OK(oc_lsm_check(&none, "system_u:object_r:container_file_t:s0", &err) == 0 &&
		       oc_lsm_mount_label_option("system_u:object_r:container_file_t:s0", &opt, &err) == 0 &&
		       opt == NULL,
	       "mount label ignored");
	yajl_gen_map_open(g);
	oc_lsm_features_gen(g);
	yajl_gen_map_close(g);
	json = oc_json_gen_finish(g);
	TAP_STREQ(json, "{\"apparmor\":{\"enabled\":false},\"selinux\":{\"enabled\":false}}", "lsm features");
}

int main(void)
{
	seccomp_cases();
	lsm_cases();
	return tap_done();
}
