/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LSM labels: the checks before side effects (on hosts without AppArmor
 * or SELinux, the errors), the text written to the attr files (on a fake
 * proc tree, with the filesystem check pointed at the tree's own magic),
 * the refusal of an attr file that is not on procfs, and the mount label
 * option. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/apparmor.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <selinux/selinux.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/json.h"
#include "ocichroot/lsm.h"
#include "ocichroot/spec.h"
#include "../tap.h"

static void check_case(const char *profile, const char *label, const char *mount_label, const char *want,
		       const char *what)
{
	struct oc_spec_process p = {.apparmor_profile = (char *) profile, .selinux_label = (char *) label};
	oc_error_t err = OC_ERROR_INIT;
	int r = oc_lsm_check(&p, mount_label, &err);

	if (want == NULL)
		TAP_OK(r == 0, "%s: accepted (%s)", what, err.msg ? err.msg : "");
	else
		TAP_STREQ(err.msg, want, "%s", what);
	oc_error_clear(&err);
}

static void check_cases(void)
{
	bool aa = aa_is_enabled() == 1, se = is_selinux_enabled() == 1;

	check_case(NULL, NULL, NULL, NULL, "nothing asked");
	check_case("", "", "", NULL, "empty means none");
	check_case("bad\nprofile", NULL, NULL, "invalid apparmor profile \"bad\nprofile\"", "control char in profile");
	check_case(NULL, "a\tb", NULL, "invalid selinux label \"a\tb\"", "control char in label");
	check_case(NULL, NULL, "sys\"tem_u", "linux.mountLabel: invalid selinux label \"sys\"tem_u\"",
		   "quote in mount label");
	if (aa) {
		printf("ok %d - # SKIP AppArmor is enabled on this host\n", ++tap_n);
	} else {
		check_case("docker-default", NULL, NULL,
			   "apparmor profile \"docker-default\" is specified in config.json, but apparmor is not "
			   "enabled on this host",
			   "apparmor profile without AppArmor");
		check_case("unconfined", NULL, NULL, NULL, "\"unconfined\" without AppArmor");
	}
	if (se) {
		printf("ok %d - # SKIP SELinux is enabled on this host\n", ++tap_n);
	} else {
		check_case(NULL, "system_u:system_r:container_t:s0:c1,c2", NULL,
			   "selinux label is specified in config, but selinux is disabled or not supported",
			   "selinux label without SELinux");
		check_case(NULL, NULL, "system_u:object_r:container_file_t:s0:c1,c2", NULL,
			   "mount label without SELinux is ignored");
	}
}

static void mount_label_cases(void)
{
	oc_error_t err = OC_ERROR_INIT;
	cleanup_free char *o = oc_lsm_context_option("system_u:object_r:container_file_t:s0:c1,c2");
	char *opt = NULL;

	TAP_STREQ(o, "context=\"system_u:object_r:container_file_t:s0:c1,c2\"", "context option text");
	TAP_OK(oc_lsm_mount_label_option(NULL, &opt, &err) == 0 && opt == NULL, "no mount label, no option");
	if (is_selinux_enabled() != 1)
		TAP_OK(oc_lsm_mount_label_option("system_u:object_r:x_t:s0", &opt, &err) == 0 && opt == NULL,
		       "no option without SELinux");
	free(opt);
	opt = NULL;
	TAP_OK(oc_lsm_mount_label_option("a\"b", &opt, &err) < 0, "quote refused");
	oc_error_clear(&err);
}

static char *slurp(int dirfd, const char *path)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	char buf[256];
	ssize_t n;

	if (fd < 0)
		return oc_xstrdup("(absent)");
	n = read(fd, buf, sizeof buf - 1);
	buf[n < 0 ? 0 : n] = '\0';
	return oc_xstrdup(buf);
}

static void touch(int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

static void write_attr_cases(void)
{
	char dir[] = "/tmp/oc-lsm-XXXXXX";
	cleanup_close int dfd = -1;
	oc_error_t err = OC_ERROR_INIT;
	struct statfs sfs;
	long magic;

	if (mkdtemp(dir) == NULL || (dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 || fstatfs(dfd, &sfs) < 0)
		abort();
	magic = (long) sfs.f_type;
	mkdirat(dfd, "thread-self", 0700);
	mkdirat(dfd, "thread-self/attr", 0700);
	touch(dfd, "thread-self/attr/exec");

	/* no attr/apparmor/: the kernel without LSM stacking */
	TAP_OK(oc_lsm_write_attr(dfd, "thread-self/attr/apparmor/exec", "thread-self/attr/exec", "exec prof", magic,
				 &err) == 0,
	       "apparmor falls back to attr/exec");
	{
		cleanup_free char *t = slurp(dfd, "thread-self/attr/exec");
		TAP_STREQ(t, "exec prof", "text written");
	}
	mkdirat(dfd, "thread-self/attr/apparmor", 0700);
	touch(dfd, "thread-self/attr/apparmor/exec");
	touch(dfd, "thread-self/attr/exec");
	TAP_OK(oc_lsm_write_attr(dfd, "thread-self/attr/apparmor/exec", "thread-self/attr/exec", "exec p2", magic,
				 &err) == 0,
	       "apparmor's own attr directory preferred");
	{
		cleanup_free char *a = slurp(dfd, "thread-self/attr/apparmor/exec");
		cleanup_free char *b = slurp(dfd, "thread-self/attr/exec");
		TAP_OK(strcmp(a, "exec p2") == 0 && b[0] == '\0', "written to attr/apparmor/exec only (%s|%s)", a, b);
	}
	TAP_OK(oc_lsm_write_attr(dfd, "thread-self/attr/exec", NULL, "x", PROC_SUPER_MAGIC, &err) < 0,
	       "a file not on procfs is refused");
	TAP_STREQ(err.msg, "`/proc/thread-self/attr/exec` is not on procfs: Operation not permitted",
		  "not-procfs message");
	oc_error_clear(&err);
	TAP_OK(oc_lsm_write_attr(dfd, "thread-self/attr/keycreate", NULL, "x", magic, &err) < 0, "missing file");
	TAP_STREQ(err.msg, "open `/proc/thread-self/attr/keycreate`: No such file or directory", "missing message");
	oc_error_clear(&err);

	unlinkat(dfd, "thread-self/attr/apparmor/exec", 0);
	unlinkat(dfd, "thread-self/attr/apparmor", AT_REMOVEDIR);
	unlinkat(dfd, "thread-self/attr/exec", 0);
	unlinkat(dfd, "thread-self/attr", AT_REMOVEDIR);
	unlinkat(dfd, "thread-self", AT_REMOVEDIR);
	rmdir(dir);
}

/* The real /proc of a host without the LSM: the kernel refuses labels. */
static void apply_cases(void)
{
	cleanup_close int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct oc_spec_process none = {0}, unconf = {.apparmor_profile = "unconfined"};
	struct oc_spec_process se = {.selinux_label = "system_u:system_r:container_t:s0"};
	const char *want = "set selinux label \"system_u:system_r:container_t:s0\": write `/proc/thread-self/attr/exec`: ";
	oc_error_t err = OC_ERROR_INIT;

	TAP_OK(oc_lsm_apply_exec_labels(&none, procfd, &err) == 0 && oc_lsm_apply_exec_labels(NULL, procfd, &err) == 0,
	       "no labels: nothing written");
	TAP_OK(oc_lsm_set_keycreate_label(&none, procfd, &err) == 0, "no key label: nothing written");
	if (aa_is_enabled() == 1 || is_selinux_enabled() == 1) {
		printf("ok %d - # SKIP an LSM is enabled on this host\n", ++tap_n);
		return;
	}
	TAP_OK(oc_lsm_apply_exec_labels(&unconf, procfd, &err) == 0, "\"unconfined\" that cannot be set is fine");
	TAP_OK(oc_lsm_apply_exec_labels(&se, procfd, &err) < 0, "selinux label refused by the kernel");
	TAP_OK(err.msg && strncmp(err.msg, want, strlen(want)) == 0, "message: %s", err.msg ? err.msg : "");
	oc_error_clear(&err);
}

static void features_case(void)
{
	cleanup_json_gen yajl_gen g = oc_json_gen_new(false, NULL);
	cleanup_free char *json = NULL;

	yajl_gen_map_open(g);
	oc_lsm_features_gen(g);
	yajl_gen_map_close(g);
	json = oc_json_gen_finish(g);
	TAP_STREQ(json, "{\"apparmor\":{\"enabled\":true},\"selinux\":{\"enabled\":true}}", "features");
}

int main(void)
{
	check_cases();
	mount_label_cases();
	write_attr_cases();
	apply_cases();
	features_case();
	return tap_done();
}
