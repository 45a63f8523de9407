/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AppArmor profile and SELinux labels (see include/ocichroot/lsm.h). */
#include <fcntl.h>
#include <stdarg.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/vfs.h>

#include "config.h"
#include "ocichroot/common.h"
#include "ocichroot/json.h"
#include "ocichroot/log.h"
#include "ocichroot/lsm.h"

/* Lets the unit tests build this file as if the libraries were absent. */
#ifdef OC_TEST_WITHOUT_LIBS
#undef HAVE_APPARMOR
#define HAVE_APPARMOR 0
#undef HAVE_SELINUX
#define HAVE_SELINUX 0
#endif

#if HAVE_APPARMOR
#include <sys/apparmor.h>
#endif
#if HAVE_SELINUX
#include <selinux/selinux.h>
#endif

static bool is_set(const char *s)
{
	return s != NULL && s[0] != '\0';
}

static bool apparmor_enabled(void)
{
#if HAVE_APPARMOR
	return aa_is_enabled() == 1;
#else
	return false;
#endif
}

static bool selinux_enabled(void)
{
#if HAVE_SELINUX
	return is_selinux_enabled() == 1;
#else
	return false;
#endif
}

/* Labels end up in a mount option or in a line the kernel parses. */
static bool has_bad_char(const char *s, bool quote)
{
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (quote && *p == '"'))
			return true;
	return false;
}

/* Where member `key` of the process object is (NULL: a process built
 * without a document, as the unit tests do). */
static const struct oc_json *where(const struct oc_spec_process *p, const char *key)
{
	return p != NULL ? oc_json_at(p->json, key) : NULL;
}

/* With a position (config.json checked by create or exec):
 * "FILE:LINE:COL: process.KEY: MSG", as the spec checks say it. */
static int lsm_error(const struct oc_json *at, const char *key, oc_error_t *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int lsm_error(const struct oc_json *at, const char *key, oc_error_t *err, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = oc_xvasprintf(fmt, ap);
	va_end(ap);
	if (at == NULL)
		return oc_error_set(err, 0, "%s", msg);
	return oc_json_error(at, err, "process.%s: %s", key, msg);
}

static int check_apparmor(const char *profile, const struct oc_json *at, oc_error_t *err)
{
	if (!is_set(profile))
		return 0;
	if (has_bad_char(profile, false))
		return lsm_error(at, "apparmorProfile", err, "invalid apparmor profile \"%s\"", profile);
	/* nothing to confine with: what "unconfined" asks for */
	if (strcmp(profile, "unconfined") == 0 && !apparmor_enabled())
		return 0;
	if (!HAVE_APPARMOR)
		return lsm_error(at, "apparmorProfile", err,
				     "apparmor profile \"%s\" requested in config.json but "
				     "ocichroot was built without libapparmor",
				     profile);
	if (!apparmor_enabled())
		return lsm_error(at, "apparmorProfile", err,
				     "apparmor profile \"%s\" is specified in config.json, but "
				     "apparmor is not enabled on this host",
				     profile);
	return 0;
}

static int check_selinux(const char *label, const struct oc_json *at, oc_error_t *err)
{
	if (!is_set(label))
		return 0;
	if (has_bad_char(label, false))
		return lsm_error(at, "selinuxLabel", err, "invalid selinux label \"%s\"", label);
	if (!HAVE_SELINUX)
		return lsm_error(at, "selinuxLabel", err,
				     "selinux label requested in config.json but ocichroot was "
				     "built without libselinux");
	if (!selinux_enabled())
		return lsm_error(at, "selinuxLabel", err,
				     "selinux label is specified in config, but selinux is "
				     "disabled or not supported");
#if HAVE_SELINUX
	if (security_check_context(label) < 0)
		return oc_error_sys(err, "invalid selinux label \"%s\"", label);
#endif
	return 0;
}

int oc_lsm_check(const struct oc_spec_process *p, const char *mount_label, oc_error_t *err)
{
	if (p != NULL && (check_apparmor(p->apparmor_profile, where(p, "apparmorProfile"), err) < 0 ||
			  check_selinux(p->selinux_label, where(p, "selinuxLabel"), err) < 0))
		return -1;
	if (is_set(mount_label)) {
		if (has_bad_char(mount_label, true))
			return oc_error_set(err, 0, "linux.mountLabel: invalid selinux label \"%s\"", mount_label);
		if (!selinux_enabled())
			oc_debug("linux.mountLabel ignored: selinux is not enabled");
	}
	return 0;
}

int oc_lsm_write_attr(int dirfd, const char *attr, const char *fallback, const char *text, long fs_magic,
		      oc_error_t *err)
{
	cleanup_close int fd = -1;
	struct statfs sfs;
	size_t len = strlen(text);
	ssize_t n;

	fd = openat(dirfd, attr, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT && fallback != NULL) {
		attr = fallback;
		fd = openat(dirfd, attr, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0)
		return oc_error_sys(err, "open `/proc/%s`", attr);
	/* what we opened must be procfs itself, not a file the container
	 * mounted over it to make the write a no-op */
	if (fstatfs(fd, &sfs) < 0)
		return oc_error_sys(err, "fstatfs `/proc/%s`", attr);
	if ((long) sfs.f_type != fs_magic)
		return oc_error_set(err, EPERM, "`/proc/%s` is not on procfs", attr);
	n = write(fd, text, len);
	if (n < 0)
		return oc_error_sys(err, "write `/proc/%s`", attr);
	if ((size_t) n != len)
		return oc_error_set(err, EIO, "write `/proc/%s`: short write", attr);
	return 0;
}

static int apply_apparmor(const char *profile, int procfd, oc_error_t *err)
{
	cleanup_free char *text = NULL;

	if (!is_set(profile))
		return 0;
	if (!HAVE_APPARMOR && strcmp(profile, "unconfined") != 0)
		return check_apparmor(profile, NULL, err);
	text = oc_xasprintf("exec %s", profile);
	if (oc_lsm_write_attr(procfd, "thread-self/attr/apparmor/exec", "thread-self/attr/exec", text, PROC_SUPER_MAGIC,
			      err) < 0) {
		if (strcmp(profile, "unconfined") != 0)
			return oc_error_prefix(err, "set apparmor profile \"%s\"", profile);
		oc_debug("apparmor profile \"unconfined\" not set: %s", err->msg);
		oc_error_clear(err);
	}
	return 0;
}

int oc_lsm_apply_exec_labels(const struct oc_spec_process *p, int procfd, oc_error_t *err)
{
	if (p == NULL)
		return 0;
	if (apply_apparmor(p->apparmor_profile, procfd, err) < 0)
		return -1;
	if (!is_set(p->selinux_label))
		return 0;
	if (!HAVE_SELINUX)
		return check_selinux(p->selinux_label, NULL, err);
	if (oc_lsm_write_attr(procfd, "thread-self/attr/exec", NULL, p->selinux_label, PROC_SUPER_MAGIC, err) < 0)
		return oc_error_prefix(err, "set selinux label \"%s\"", p->selinux_label);
	return 0;
}

int oc_lsm_set_keycreate_label(const struct oc_spec_process *p, int procfd, oc_error_t *err)
{
	if (p == NULL || !is_set(p->selinux_label))
		return 0;
	if (!HAVE_SELINUX)
		return check_selinux(p->selinux_label, NULL, err);
	if (oc_lsm_write_attr(procfd, "thread-self/attr/keycreate", NULL, p->selinux_label, PROC_SUPER_MAGIC, err) < 0)
		return oc_error_prefix(err, "set selinux key label \"%s\"", p->selinux_label);
	return 0;
}

char *oc_lsm_context_option(const char *label)
{
	return oc_xasprintf("context=\"%s\"", label);
}

int oc_lsm_mount_label_option(const char *label, char **opt, oc_error_t *err)
{
	if (is_set(label) && has_bad_char(label, true))
		return oc_error_set(err, 0, "linux.mountLabel: invalid selinux label \"%s\"", label);
	*opt = is_set(label) && selinux_enabled() ? oc_lsm_context_option(label) : NULL;
	return 0;
}

void oc_lsm_features_gen(yajl_gen g)
{
	oc_json_gen_str(g, "apparmor");
	yajl_gen_map_open(g);
	oc_json_gen_kbool(g, "enabled", HAVE_APPARMOR);
	yajl_gen_map_close(g);
	oc_json_gen_str(g, "selinux");
	yajl_gen_map_open(g);
	oc_json_gen_kbool(g, "enabled", HAVE_SELINUX);
	yajl_gen_map_close(g);
}
