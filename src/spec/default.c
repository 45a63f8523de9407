/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ocichroot spec`: the example config runc writes (runc 1.1, `runc spec`
 * and `runc spec --rootless`), field for field and in the same order, so
 * that tools and people who start from it get what they expect. */
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ocichroot/common.h"
#include "ocichroot/json.h"
#include "ocichroot/spec.h"

static const char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};

static const char *const masked_paths[] = {
	"/proc/acpi",	     "/proc/asound",	 "/proc/kcore",	      "/proc/keys",    "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
};

static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

struct def_mount {
	const char *destination, *type, *source;
	const char *options[8]; /* NULL-terminated */
};

static const struct def_mount mounts[] = {
	{"/proc", "proc", "proc", {NULL}},
	{"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
	{"/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL}},
	{"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
	{"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
	{"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro", NULL}},
	{"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

/* a rootless container cannot mount sysfs: bind the host's, read-only */
static const struct def_mount rootless_sys = {"/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro", NULL}};

static void gen_strs(yajl_gen g, const char *key, const char *const *v, size_t n)
{
	oc_json_gen_kstrv(g, key, (char *const *) v, n);
}

static void gen_process(yajl_gen g)
{
	static const char *const args[] = {"sh"};
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"TERM=xterm",
	};
	static const char *const sets[] = {"bounding", "effective", "permitted", "ambient"};

	oc_json_gen_str(g, "process");
	yajl_gen_map_open(g);
	oc_json_gen_kbool(g, "terminal", true);
	oc_json_gen_str(g, "user");
	yajl_gen_map_open(g);
	oc_json_gen_kint(g, "uid", 0);
	oc_json_gen_kint(g, "gid", 0);
	yajl_gen_map_close(g);
	gen_strs(g, "args", args, OC_ARRAY_SIZE(args));
	gen_strs(g, "env", env, OC_ARRAY_SIZE(env));
	oc_json_gen_kstr(g, "cwd", "/");
	/* no inheritable set: runc dropped it (CVE-2022-29162) */
	oc_json_gen_str(g, "capabilities");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < OC_ARRAY_SIZE(sets); i++)
		gen_strs(g, sets[i], default_caps, OC_ARRAY_SIZE(default_caps));
	yajl_gen_map_close(g);
	oc_json_gen_str(g, "rlimits");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	oc_json_gen_kstr(g, "type", "RLIMIT_NOFILE");
	oc_json_gen_kuint(g, "hard", 1024);
	oc_json_gen_kuint(g, "soft", 1024);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	oc_json_gen_kbool(g, "noNewPrivileges", true);
	yajl_gen_map_close(g);
}

static void gen_mount(yajl_gen g, const struct def_mount *m, bool rootless)
{
	size_t n = 0;

	yajl_gen_map_open(g);
	oc_json_gen_kstr(g, "destination", m->destination);
	oc_json_gen_kstr(g, "type", m->type);
	oc_json_gen_kstr(g, "source", m->source);
	if (m->options[0] != NULL) {
		oc_json_gen_str(g, "options");
		yajl_gen_array_open(g);
		for (; m->options[n] != NULL; n++) {
			/* the ids do not exist in a rootless user namespace */
			if (rootless && (strncmp(m->options[n], "gid=", 4) == 0 || strncmp(m->options[n], "uid=", 4) == 0))
				continue;
			oc_json_gen_str(g, m->options[n]);
		}
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

static void gen_idmap(yajl_gen g, const char *key, unsigned long long host)
{
	oc_json_gen_str(g, key);
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	oc_json_gen_kuint(g, "containerID", 0);
	oc_json_gen_kuint(g, "hostID", host);
	oc_json_gen_kuint(g, "size", 1);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

static void gen_linux(yajl_gen g, bool rootless)
{
	static const char *const ns[] = {"pid", "network", "ipc", "uts", "mount"};

	oc_json_gen_str(g, "linux");
	yajl_gen_map_open(g);
	if (rootless) {
		gen_idmap(g, "uidMappings", geteuid());
		gen_idmap(g, "gidMappings", getegid());
	} else {
		oc_json_gen_str(g, "resources");
		yajl_gen_map_open(g);
		oc_json_gen_str(g, "devices");
		yajl_gen_array_open(g);
		yajl_gen_map_open(g);
		oc_json_gen_kbool(g, "allow", false);
		oc_json_gen_kstr(g, "access", "rwm");
		yajl_gen_map_close(g);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	oc_json_gen_str(g, "namespaces");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < OC_ARRAY_SIZE(ns); i++) {
		/* a rootless container cannot create a network it could use */
		if (rootless && strcmp(ns[i], "network") == 0)
			continue;
		yajl_gen_map_open(g);
		oc_json_gen_kstr(g, "type", ns[i]);
		yajl_gen_map_close(g);
	}
	if (rootless) {
		yajl_gen_map_open(g);
		oc_json_gen_kstr(g, "type", "user");
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	gen_strs(g, "maskedPaths", masked_paths, OC_ARRAY_SIZE(masked_paths));
	gen_strs(g, "readonlyPaths", readonly_paths, OC_ARRAY_SIZE(readonly_paths));
	yajl_gen_map_close(g);
}

char *oc_spec_default_json(bool rootless)
{
	cleanup_json_gen yajl_gen g = oc_json_gen_new(true, "\t");
	char *out;
	size_t n;

	yajl_gen_map_open(g);
	oc_json_gen_kstr(g, "ociVersion", OC_SPEC_VERSION);
	gen_process(g);
	oc_json_gen_str(g, "root");
	yajl_gen_map_open(g);
	oc_json_gen_kstr(g, "path", "rootfs");
	oc_json_gen_kbool(g, "readonly", true);
	yajl_gen_map_close(g);
	oc_json_gen_kstr(g, "hostname", "runc");
	oc_json_gen_str(g, "mounts");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < OC_ARRAY_SIZE(mounts); i++) {
		if (rootless && strcmp(mounts[i].destination, "/sys") == 0)
			gen_mount(g, &rootless_sys, true);
		else
			gen_mount(g, &mounts[i], rootless);
	}
	yajl_gen_array_close(g);
	gen_linux(g, rootless);
	yajl_gen_map_close(g);

	out = oc_json_gen_finish(g);
	/* like runc: no newline after the closing brace */
	n = strlen(out);
	while (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	return out;
}
