/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroupfs: discovery of the mounted hierarchies, the container's
 * directories (create, join, load, destroy), processes (enter, list,
 * signal) and the freezer. Resources are in cgroup-apply.c, the v2 device
 * program in cgroup-bpf.c, statistics in cgroup-stats.c. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/log.h"

#include "cgroup-int.h"

static char *test_root;

void oc_cgroup_set_root_for_tests(const char *root)
{
	free(test_root);
	test_root = root ? oc_xstrdup(root) : NULL;
}

const char *oc_cgroup_layout_name(enum oc_cg_layout l)
{
	switch (l) {
	case OC_CG_V1:
		return "v1";
	case OC_CG_V2:
		return "v2";
	default:
		return "hybrid";
	}
}

/* ---- file helpers --------------------------------------------------------- */

int oc_cg_write(const char *dir, const char *file, const char *value, oc_error_t *err)
{
	cleanup_free char *p = oc_xasprintf("%s/%s", dir, file);
	cleanup_close int fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return oc_error_sys(err, "write `%s`", p);
	size_t len = strlen(value);
	ssize_t w = write(fd, value, len);
	if (w < 0)
		return oc_error_sys(err, "write `%s`", p);
	if ((size_t) w != len)
		return oc_error_set(err, 0, "write `%s`: short write", p);
	return 0;
}

int oc_cg_writef(const char *dir, const char *file, oc_error_t *err, const char *fmt, ...)
{
	va_list ap;
	cleanup_free char *v = NULL;
	va_start(ap, fmt);
	int r = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (r < 0)
		abort();
	return oc_cg_write(dir, file, v, err);
}

int oc_cg_read(const char *dir, const char *file, char **out, oc_error_t *err)
{
	cleanup_free char *p = oc_xasprintf("%s/%s", dir, file);
	cleanup_close int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return oc_error_sys(err, "open `%s`", p);
	size_t cap = 4096, len = 0;
	cleanup_free char *buf = oc_xmalloc(cap);
	for (;;) {
		if (cap - len < 2) {
			cap *= 2;
			buf = oc_xrealloc(buf, cap);
		}
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return oc_error_sys(err, "read `%s`", p);
		}
		if (r == 0)
			break;
		len += (size_t) r;
	}
	buf[len] = '\0';
	*out = steal_pointer(&buf);
	return 0;
}

int oc_cg_read_line(const char *dir, const char *file, char **out, oc_error_t *err)
{
	char *s = NULL;
	if (oc_cg_read(dir, file, &s, err) < 0)
		return -1;
	s[strcspn(s, "\n")] = '\0';
	*out = s;
	return 0;
}

int oc_cg_read_u64(const char *dir, const char *file, uint64_t *out, oc_error_t *err)
{
	cleanup_free char *s = NULL;
	if (oc_cg_read_line(dir, file, &s, err) < 0)
		return -1;
	if (strcmp(s, "max") == 0) {
		*out = UINT64_MAX;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return oc_error_set(err, 0, "parse `%s/%s`: not a number: %s", dir, file, s);
	*out = v;
	return 0;
}

bool oc_cg_exists(const char *dir, const char *file)
{
	cleanup_free char *p = oc_xasprintf("%s/%s", dir, file);
	return access(p, F_OK) == 0;
}

bool oc_cg_kv(const char *text, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, key, kl) == 0 && l[kl] == ' ') {
			*out = strtoull(l + kl + 1, NULL, 10);
			return true;
		}
	}
	return false;
}

bool oc_cg_list_has(const char *list, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = list; p && *p;) {
		size_t l = strcspn(p, ", \n");
		if (l == nl && strncmp(p, name, nl) == 0)
			return true;
		p += l;
		p += strspn(p, ", \n");
	}
	return false;
}

bool oc_cg_v2_has(const char *dir, const char *name)
{
	cleanup_free char *c = NULL;
	oc_error_t e = OC_ERROR_INIT;
	if (oc_cg_read(dir, "cgroup.controllers", &c, &e) < 0) {
		oc_error_clear(&e);
		return false;
	}
	return oc_cg_list_has(c, name);
}

/* ---- discovery ------------------------------------------------------------- */

struct hier {
	char *key;   /* controller list, "name=x", or "unified" */
	char *mount; /* mountpoint */
	char *own;   /* the runtime's own cgroup, as a path below mount */
	bool v2;
};

static void hiers_free(struct hier *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].key);
		free(h[i].mount);
		free(h[i].own);
	}
	free(h);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
		    r[3] <= '7') {
			*w++ = (char) (((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

struct own_cg {
	char *ctrls; /* "" for v2 */
	char *path;
};

static void owns_free(struct own_cg *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(o[i].ctrls);
		free(o[i].path);
	}
	free(o);
}

static int read_own_cgroups(struct own_cg **out, size_t *n_out, oc_error_t *err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
	if (f == NULL)
		return oc_error_sys(err, "open `/proc/self/cgroup`");
	struct own_cg *o = NULL;
	size_t n = 0;
	cleanup_free char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL)
			continue;
		o = oc_xrealloc(o, (n + 1) * sizeof(*o));
		o[n].ctrls = oc_xstrndup(c1 + 1, (size_t) (c2 - c1 - 1));
		o[n].path = oc_xstrdup(c2 + 1);
		n++;
	}
	*out = o;
	*n_out = n;
	return 0;
}

/* Every name of the own-cgroup entry appears in the super options. */
static bool ctrls_match(const char *ctrls, const char *superopts)
{
	if (*ctrls == '\0')
		return false;
	for (const char *p = ctrls; *p;) {
		size_t l = strcspn(p, ",");
		cleanup_free char *name = oc_xstrndup(p, l);
		if (!oc_cg_list_has(superopts, name))
			return false;
		p += l;
		p += strspn(p, ",");
	}
	return true;
}

/* The own cgroup as seen through a mount of the subtree `mroot`. */
static char *own_below_mount(const char *path, const char *mroot)
{
	if (strcmp(mroot, "/") == 0)
		return oc_xstrdup(path);
	size_t l = strlen(mroot);
	if (strncmp(path, mroot, l) == 0 && (path[l] == '/' || path[l] == '\0'))
		return oc_xstrdup(path[l] ? path + l : "/");
	/* Outside the mounted subtree (a cgroup namespace): the mount's
	 * root is the closest we can see. */
	return oc_xstrdup("/");
}

static int add_hier(struct hier **h, size_t *n, const char *key, const char *mount, const char *own, bool v2)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*h)[i].key, key) == 0)
			return 0; /* first visible mount of a hierarchy wins */
	*h = oc_xrealloc(*h, (*n + 1) * sizeof(**h));
	(*h)[*n] = (struct hier){oc_xstrdup(key), oc_xstrdup(mount), oc_xstrdup(own), v2};
	(*n)++;
	return 0;
}

static int discover_test(struct hier **out, size_t *n_out, oc_error_t *err)
{
	struct hier *h = NULL;
	size_t n = 0;
	if (oc_cg_exists(test_root, "cgroup.controllers")) {
		add_hier(&h, &n, "unified", test_root, "/", true);
		*out = h;
		*n_out = n;
		return 0;
	}
	cleanup_dir DIR *d = opendir(test_root);
	if (d == NULL)
		return oc_error_sys(err, "open `%s`", test_root);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		cleanup_free char *m = oc_xasprintf("%s/%s", test_root, de->d_name);
		bool v2 = strcmp(de->d_name, "unified") == 0;
		add_hier(&h, &n, de->d_name, m, "/", v2);
	}
	*out = h;
	*n_out = n;
	return 0;
}

static int discover(struct hier **out, size_t *n_out, oc_error_t *err)
{
	if (test_root != NULL)
		return discover_test(out, n_out, err);

	struct own_cg *own = NULL;
	size_t n_own = 0;
	if (read_own_cgroups(&own, &n_own, err) < 0)
		return -1;
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL) {
		owns_free(own, n_own);
		return oc_error_sys(err, "open `/proc/self/mountinfo`");
	}
	struct hier *h = NULL;
	size_t n = 0;
	cleanup_free char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		unsigned maj, min;
		char root[PATH_MAX], mp[PATH_MAX];
		if (sscanf(line, "%*u %*u %u:%u %4095s %4095s", &maj, &min, root, mp) != 4)
			continue;
		char *sep = strstr(line, " - ");
		if (sep == NULL)
			continue;
		char fstype[64], super[1024];
		if (sscanf(sep + 3, "%63s %*s %1023s", fstype, super) != 2)
			continue;
		bool v2 = strcmp(fstype, "cgroup2") == 0;
		if (!v2 && strcmp(fstype, "cgroup") != 0)
			continue;
		unescape_octal(root);
		unescape_octal(mp);
		/* A hierarchy covered by a later mount (cgroup2 mounted over
		 * /sys/fs/cgroup in a private namespace) is not usable. */
		struct stat st;
		if (stat(mp, &st) < 0 || st.st_dev != makedev(maj, min))
			continue;
		const char *key = NULL, *ownp = "/";
		for (size_t i = 0; i < n_own; i++) {
			if (v2 ? own[i].ctrls[0] == '\0' : ctrls_match(own[i].ctrls, super)) {
				key = v2 ? "unified" : own[i].ctrls;
				ownp = own[i].path;
				break;
			}
		}
		if (v2 && key == NULL)
			key = "unified";
		if (key == NULL)
			continue; /* a v1 hierarchy this process is not part of */
		cleanup_free char *o = own_below_mount(ownp, root);
		add_hier(&h, &n, key, mp, o, v2);
	}
	owns_free(own, n_own);
	*out = h;
	*n_out = n;
	return 0;
}

static enum oc_cg_layout layout_of(const struct hier *h, size_t n)
{
	bool v1 = false, v2 = false;
	for (size_t i = 0; i < n; i++) {
		if (h[i].v2)
			v2 = true;
		else
			v1 = true;
	}
	return v1 && v2 ? OC_CG_HYBRID : v2 ? OC_CG_V2 : OC_CG_V1;
}

int oc_cgroup_detect(enum oc_cg_layout *out, oc_error_t *err)
{
	struct hier *h = NULL;
	size_t n = 0;
	if (discover(&h, &n, err) < 0)
		return -1;
	if (n == 0) {
		hiers_free(h, n);
		return oc_error_set(err, 0, "no cgroup hierarchy is mounted");
	}
	*out = layout_of(h, n);
	hiers_free(h, n);
	return 0;
}

/* ---- paths ------------------------------------------------------------------- */

/* Clean like a path below "/": "..", "." and empty parts go, and ".."
 * never climbs above the start. Keeps a leading "/" when there was one. */
static char *clean_path(const char *p)
{
	bool abs = p[0] == '/';
	size_t cap = strlen(p) + 2;
	char *out = oc_xmalloc(cap);
	size_t len = 0;
	out[0] = '\0';
	for (const char *s = p; *s;) {
		size_t l = strcspn(s, "/");
		if (l == 0 || (l == 1 && s[0] == '.')) {
			/* skip */
		} else if (l == 2 && s[0] == '.' && s[1] == '.') {
			char *slash = strrchr(out, '/');
			len = slash ? (size_t) (slash - out) : 0;
			out[len] = '\0';
		} else {
			out[len++] = '/';
			memcpy(out + len, s, l);
			len += l;
			out[len] = '\0';
		}
		s += l;
		s += strspn(s, "/");
	}
	if (abs) {
		if (len == 0) {
			out[0] = '/';
			out[1] = '\0';
		}
		return out;
	}
	/* relative: drop the leading '/' */
	memmove(out, out + (len ? 1 : 0), len);
	out[len ? len - 1 : 0] = '\0';
	return out;
}

int oc_cgroup_expand_slice(const char *slice, char **out, oc_error_t *err)
{
	static const char suffix[] = ".slice";
	size_t sl = strlen(slice), xl = strlen(suffix);
	if (sl <= xl || strcmp(slice + sl - xl, suffix) != 0 || strchr(slice, '/') != NULL)
		return oc_error_set(err, 0, "invalid slice name: %s", slice);
	if (strcmp(slice, "-.slice") == 0) {
		*out = oc_xstrdup("/");
		return 0;
	}
	size_t nl = sl - xl;
	if (slice[0] == '-' || slice[nl - 1] == '-' || strstr(slice, "--") != NULL)
		return oc_error_set(err, 0, "invalid slice name: %s", slice);
	size_t cap = 2 * sl * (sl + 1) + 2, len = 0;
	char *p = oc_xmalloc(cap);
	p[0] = '\0';
	for (size_t i = 0; i <= nl; i++) {
		if (i == nl || slice[i] == '-') {
			len += (size_t) snprintf(p + len, cap - len, "/%.*s%s", (int) i, slice, suffix);
		}
	}
	*out = p;
	return 0;
}

static int systemd_path(const struct oc_cgroup_config *cfg, char **out, oc_error_t *err)
{
	static bool warned;
	if (!warned) {
		warned = true;
		oc_warn("systemd cgroup manager requested but systemd is not used: the slice and scope are made on cgroupfs");
	}
	cleanup_free char *slice = NULL, *prefix = NULL, *name = NULL;
	const char *p = cfg->cgroups_path;
	if (p == NULL || *p == '\0') {
		slice = oc_xstrdup(cfg->rootless ? "user.slice" : "system.slice");
		prefix = oc_xstrdup("ocichroot");
		name = oc_xstrdup(cfg->id);
	} else {
		const char *c1 = strchr(p, ':');
		const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL || strchr(c2 + 1, ':') != NULL)
			return oc_error_set(err, 0,
					    "expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"%s\" instead",
					    p);
		slice = oc_xstrndup(p, (size_t) (c1 - p));
		prefix = oc_xstrndup(c1 + 1, (size_t) (c2 - c1 - 1));
		name = oc_xstrdup(c2 + 1);
		if (*slice == '\0') {
			free(slice);
			slice = oc_xstrdup("system.slice");
		}
	}
	if (*name == '\0' || strchr(name, '/') != NULL || strchr(prefix, '/') != NULL)
		return oc_error_set(err, 0, "invalid systemd cgroupsPath: \"%s\"", p ? p : "");
	cleanup_free char *exp = NULL;
	if (oc_cgroup_expand_slice(slice, &exp, err) < 0)
		return -1;
	size_t nl = strlen(name);
	const char *sep = strcmp(exp, "/") == 0 ? "" : "/";
	if (nl > 6 && strcmp(name + nl - 6, ".slice") == 0)
		*out = oc_xasprintf("%s%s%s", exp, sep, name); /* a sub-slice, as runc */
	else if (*prefix == '\0')
		*out = oc_xasprintf("%s%s%s.scope", exp, sep, name);
	else
		*out = oc_xasprintf("%s%s%s-%s.scope", exp, sep, prefix, name);
	return 0;
}

int oc_cgroup_inner_path(const struct oc_cgroup_config *cfg, char **out, oc_error_t *err)
{
	if (cfg->systemd)
		return systemd_path(cfg, out, err);
	if (cfg->cgroups_path == NULL || *cfg->cgroups_path == '\0') {
		if (cfg->id == NULL || *cfg->id == '\0' || strchr(cfg->id, '/') != NULL)
			return oc_error_set(err, 0, "invalid container id for a cgroup: \"%s\"",
					    cfg->id ? cfg->id : "");
		*out = oc_xasprintf("/ocichroot/%s", cfg->id);
		return 0;
	}
	char *c = clean_path(cfg->cgroups_path);
	if (*c == '\0' || strcmp(c, "/") == 0) {
		free(c);
		return oc_error_set(err, 0, "cgroupsPath \"%s\" names the root cgroup", cfg->cgroups_path);
	}
	*out = c;
	return 0;
}

/* ---- the object ---------------------------------------------------------------- */

void oc_cgroup_free(struct oc_cgroup *cg)
{
	if (cg == NULL)
		return;
	for (size_t i = 0; i < cg->n_dirs; i++) {
		free(cg->dirs[i].key);
		free(cg->dirs[i].path);
	}
	free(cg->dirs);
	for (size_t i = 0; i < cg->n_skipped; i++)
		free(cg->skipped[i]);
	free(cg->skipped);
	free(cg);
}

enum oc_cg_layout oc_cgroup_layout(const struct oc_cgroup *cg)
{
	return cg->layout;
}

static void set_layout(struct oc_cgroup *cg)
{
	bool v1 = false, v2 = false;
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (cg->dirs[i].v2)
			v2 = true;
		else
			v1 = true;
	}
	for (size_t i = 0; i < cg->n_skipped; i++) {
		if (strcmp(cg->skipped[i], "unified") == 0)
			v2 = true;
		else
			v1 = true;
	}
	cg->layout = v1 && v2 ? OC_CG_HYBRID : v2 ? OC_CG_V2 : OC_CG_V1;
}

const char *oc_cgroup_dir(const struct oc_cgroup *cg, const char *controller)
{
	if (cg == NULL)
		return NULL;
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (strcmp(cg->dirs[i].key, controller) == 0 || (!cg->dirs[i].v2 && oc_cg_list_has(cg->dirs[i].key, controller)))
			return cg->dirs[i].path;
	}
	return NULL;
}

static const struct oc_cg_dir *find_v2(const struct oc_cgroup *cg)
{
	for (size_t i = 0; i < cg->n_dirs; i++)
		if (cg->dirs[i].v2)
			return &cg->dirs[i];
	return NULL;
}

/* Controllers that v2 has without listing them in cgroup.controllers. */
static bool v2_implicit(const char *name)
{
	return strcmp(name, "devices") == 0 || strcmp(name, "freezer") == 0;
}

const struct oc_cg_dir *oc_cg_find2(const struct oc_cgroup *cg, const char *v1name, const char *v2name)
{
	for (size_t i = 0; i < cg->n_dirs; i++)
		if (!cg->dirs[i].v2 && oc_cg_list_has(cg->dirs[i].key, v1name))
			return &cg->dirs[i];
	const struct oc_cg_dir *u = find_v2(cg);
	if (u == NULL)
		return NULL;
	/* On a hybrid host a controller bound to a v1 hierarchy that we
	 * skipped must not silently fall through to unified. */
	for (size_t i = 0; i < cg->n_skipped; i++)
		if (oc_cg_list_has(cg->skipped[i], v1name))
			return NULL;
	if (v2_implicit(v2name) || oc_cg_v2_has(u->path, v2name))
		return u;
	return NULL;
}

const struct oc_cg_dir *oc_cg_find(const struct oc_cgroup *cg, const char *name)
{
	return oc_cg_find2(cg, name, name);
}

const struct oc_cg_dir *oc_cg_v2_dir(const struct oc_cgroup *cg)
{
	return find_v2(cg);
}

bool oc_cg_skipped(const struct oc_cgroup *cg, const char *v1name)
{
	for (size_t i = 0; i < cg->n_skipped; i++)
		if (oc_cg_list_has(cg->skipped[i], v1name) || strcmp(cg->skipped[i], "unified") == 0)
			return true;
	return false;
}

bool oc_cg_v1_has(const struct oc_cgroup *cg, const char *name)
{
	for (size_t i = 0; i < cg->n_dirs; i++)
		if (!cg->dirs[i].v2 && oc_cg_list_has(cg->dirs[i].key, name))
			return true;
	return false;
}

static void add_dir(struct oc_cgroup *cg, const char *key, const char *path, bool v2, bool owned)
{
	cg->dirs = oc_xrealloc(cg->dirs, (cg->n_dirs + 1) * sizeof(*cg->dirs));
	cg->dirs[cg->n_dirs++] = (struct oc_cg_dir){oc_xstrdup(key), oc_xstrdup(path), v2, owned};
}

/* ---- create ---------------------------------------------------------------------- */

/* A new v1 cpuset has empty cpus and mems, and no process may join it
 * until they are filled: copy them from the parent. */
static int cpuset_fill(const char *parent, const char *dir, oc_error_t *err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	for (size_t i = 0; i < OC_ARRAY_SIZE(files); i++) {
		cleanup_free char *cur = NULL, *pv = NULL;
		if (oc_cg_read_line(dir, files[i], &cur, err) < 0)
			return -1;
		if (*cur != '\0')
			continue;
		if (oc_cg_read_line(parent, files[i], &pv, err) < 0)
			return -1;
		if (oc_cg_write(dir, files[i], pv, err) < 0)
			return -1;
	}
	return 0;
}

/* Enable in `dir` (for its children) every controller it has, one at a
 * time: a controller that cannot be enabled (the runtime's own cgroup has
 * processes, a threaded subtree) is left to the resource that needs it,
 * which then fails naming it. */
static void v2_enable_all(const char *dir)
{
	cleanup_free char *avail = NULL, *on = NULL;
	oc_error_t e = OC_ERROR_INIT;
	if (oc_cg_read(dir, "cgroup.controllers", &avail, &e) < 0 || oc_cg_read(dir, "cgroup.subtree_control", &on, &e) < 0) {
		oc_error_clear(&e);
		return;
	}
	for (char *p = avail; *p;) {
		size_t l = strcspn(p, " \n");
		if (l == 0)
			break;
		cleanup_free char *name = oc_xstrndup(p, l);
		if (!oc_cg_list_has(on, name)) {
			if (oc_cg_writef(dir, "cgroup.subtree_control", &e, "+%s", name) < 0) {
				oc_debug("cgroup: cannot enable %s in %s: %s", name, dir, e.msg);
				oc_error_clear(&e);
			}
		}
		p += l;
		p += strspn(p, " \n");
	}
}

static bool is_perm_error(int e)
{
	return e == EPERM || e == EACCES || e == EROFS;
}

/* mkdir -p of `rel` below `base`; *created tells whether the last level
 * was made now. */
static int mkdir_levels(const char *base, const char *rel, bool v2, bool cpuset, bool *created, oc_error_t *err)
{
	cleanup_free char *cur = oc_xstrdup(base);
	bool made = false;
	for (const char *s = rel; *s;) {
		size_t l = strcspn(s, "/");
		if (l == 0) {
			s++;
			continue;
		}
		if (v2)
			v2_enable_all(cur);
		char *next = oc_xasprintf("%s/%.*s", cur, (int) l, s);
		made = mkdir(next, 0755) == 0;
		if (!made && errno != EEXIST) {
			int e = errno;
			oc_error_set(err, e, "mkdir `%s`", next);
			free(next);
			return -1;
		}
		if (cpuset && cpuset_fill(cur, next, err) < 0) {
			if (made)
				rmdir(next);
			free(next);
			return -1;
		}
		free(cur);
		cur = next;
		s += l;
	}
	*created = made;
	return 0;
}

static int remove_tree(const char *path, oc_error_t *err);

static int create_dirs(struct oc_cgroup *cg, const struct oc_cgroup_config *cfg, const char *inner, oc_error_t *err)
{
	struct hier *h = NULL;
	size_t n = 0;
	if (discover(&h, &n, err) < 0)
		return -1;
	int ret = 0;
	if (n == 0) {
		ret = oc_error_set(err, 0, "no cgroup hierarchy is mounted");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *rel = NULL, *full = NULL;
		if (inner[0] == '/') {
			rel = oc_xstrdup(inner + 1);
		} else {
			/* v2: below the parent of the own cgroup (see header) */
			cleanup_free char *own = oc_xstrdup(h[i].own);
			if (h[i].v2) {
				char *sl = strrchr(own, '/');
				if (sl != NULL)
					*sl = '\0';
			}
			rel = oc_xasprintf("%s/%s", own, inner);
		}
		full = oc_xasprintf("%s/%s", h[i].mount, rel);
		cleanup_free char *c = clean_path(full);
		bool created = false;
		bool cpuset = !h[i].v2 && oc_cg_list_has(h[i].key, "cpuset");
		oc_error_t e = OC_ERROR_INIT;
		if (mkdir_levels(h[i].mount, rel, h[i].v2, cpuset, &created, &e) < 0) {
			if (cfg->rootless && is_perm_error(e.code)) {
				oc_debug("cgroup: rootless, skipping %s: %s", h[i].key, e.msg);
				oc_error_clear(&e);
				cg->skipped = oc_xrealloc(cg->skipped, (cg->n_skipped + 1) * sizeof(char *));
				cg->skipped[cg->n_skipped++] = oc_xstrdup(h[i].key);
				continue;
			}
			*err = e;
			ret = -1;
			goto out;
		}
		add_dir(cg, h[i].key, c, h[i].v2, created);
	}
out:
	hiers_free(h, n);
	set_layout(cg);
	return ret;
}

int oc_cgroup_create(const struct oc_cgroup_config *cfg, struct oc_cgroup **out, oc_error_t *err)
{
	if (cfg->disabled) {
		*out = NULL;
		return 0;
	}
	cleanup_free char *inner = NULL;
	if (oc_cgroup_inner_path(cfg, &inner, err) < 0)
		return -1;
	struct oc_cgroup *cg = oc_xcalloc(1, sizeof(*cg));
	cg->rootless = cfg->rootless;
	if (create_dirs(cg, cfg, inner, err) < 0)
		goto fail;
	if (cfg->resources != NULL || cfg->n_devices > 0 || cfg->default_devices) {
		if (oc_cgroup_apply_full(cg, cfg->resources, cfg->devices, cfg->n_devices, cfg->default_devices, err) < 0)
			goto fail;
	}
	bool partial = cg->n_skipped > 0;
	if (cg->n_dirs == 0) {
		oc_cgroup_free(cg);
		cg = NULL;
	}
	*out = cg;
	return partial ? 1 : 0;
fail:
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (cg->dirs[i].owned) {
			oc_error_t e = OC_ERROR_INIT;
			if (remove_tree(cg->dirs[i].path, &e) < 0)
				oc_debug("cgroup: cleanup: %s", e.msg);
			oc_error_clear(&e);
		}
	}
	oc_cgroup_free(cg);
	return -1;
}

/* ---- persistence ------------------------------------------------------------------ */

int oc_cgroup_to_paths(const struct oc_cgroup *cg, char ***paths, size_t *n)
{
	size_t cnt = cg ? cg->n_dirs : 0;
	char **v = oc_xcalloc(cnt + 1, sizeof(char *));
	for (size_t i = 0; i < cnt; i++)
		v[i] = oc_xasprintf("%s:%s%s", cg->dirs[i].key, cg->dirs[i].owned ? "" : "joined:", cg->dirs[i].path);
	*paths = v;
	*n = cnt;
	return 0;
}

int oc_cgroup_load(char *const *paths, size_t n, struct oc_cgroup **out, oc_error_t *err)
{
	struct oc_cgroup *cg = oc_xcalloc(1, sizeof(*cg));
	for (size_t i = 0; i < n; i++) {
		const char *s = paths[i];
		const char *c = strchr(s, ':');
		if (c == NULL || c == s) {
			oc_cgroup_free(cg);
			return oc_error_set(err, 0, "invalid saved cgroup path \"%s\"", s);
		}
		cleanup_free char *key = oc_xstrndup(s, (size_t) (c - s));
		const char *p = c + 1;
		bool owned = true;
		if (strncmp(p, "joined:", 7) == 0) {
			owned = false;
			p += 7;
		}
		if (p[0] != '/' || strstr(p, "/../") != NULL) {
			oc_cgroup_free(cg);
			return oc_error_set(err, 0, "invalid saved cgroup path \"%s\"", s);
		}
		add_dir(cg, key, p, strcmp(key, "unified") == 0, owned);
	}
	set_layout(cg);
	*out = cg;
	return 0;
}

/* ---- processes ---------------------------------------------------------------------- */

int oc_cgroup_enter(struct oc_cgroup *cg, pid_t pid, oc_error_t *err)
{
	if (cg == NULL)
		return 0;
	for (size_t i = 0; i < cg->n_dirs; i++) {
		oc_error_t e = OC_ERROR_INIT;
		if (oc_cg_writef(cg->dirs[i].path, "cgroup.procs", &e, "%d", (int) pid) < 0) {
			if (cg->rootless && is_perm_error(e.code)) {
				oc_debug("cgroup: rootless, not joining %s: %s", cg->dirs[i].key, e.msg);
				oc_error_clear(&e);
				continue;
			}
			*err = e;
			return -1;
		}
	}
	return 0;
}

int oc_cgroup_enter_paths(char *const *paths, size_t n, pid_t pid, oc_error_t *err)
{
	cleanup_cgroup struct oc_cgroup *cg = NULL;
	if (oc_cgroup_load(paths, n, &cg, err) < 0)
		return -1;
	return oc_cgroup_enter(cg, pid, err);
}

struct pidset {
	pid_t *v;
	size_t n, cap;
};

static void pidset_add(struct pidset *s, pid_t p)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = oc_xrealloc(s->v, s->cap * sizeof(pid_t));
	}
	s->v[s->n++] = p;
}

static int collect_pids(const char *dir, struct pidset *s, unsigned depth, oc_error_t *err)
{
	if (depth > 64)
		return 0;
	cleanup_free char *procs = NULL;
	oc_error_t e = OC_ERROR_INIT;
	if (oc_cg_read(dir, "cgroup.procs", &procs, &e) < 0) {
		if (e.code == ENOENT) { /* removed while we walk */
			oc_error_clear(&e);
			return 0;
		}
		*err = e;
		return -1;
	}
	for (char *p = procs; *p;) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (v > 0)
			pidset_add(s, (pid_t) v);
		p = end + strspn(end, "\n");
	}
	cleanup_dir DIR *d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : oc_error_sys(err, "open `%s`", dir);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		cleanup_free char *sub = oc_xasprintf("%s/%s", dir, de->d_name);
		if (collect_pids(sub, s, depth + 1, err) < 0)
			return -1;
	}
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;
	return (x > y) - (x < y);
}

int oc_cgroup_pids(struct oc_cgroup *cg, pid_t **pids, size_t *n, oc_error_t *err)
{
	struct pidset s = {0};
	for (size_t i = 0; cg != NULL && i < cg->n_dirs; i++) {
		if (collect_pids(cg->dirs[i].path, &s, 0, err) < 0) {
			free(s.v);
			return -1;
		}
	}
	if (s.n > 0)
		qsort(s.v, s.n, sizeof(pid_t), cmp_pid);
	size_t w = 0;
	for (size_t i = 0; i < s.n; i++)
		if (w == 0 || s.v[w - 1] != s.v[i])
			s.v[w++] = s.v[i];
	*pids = s.v;
	*n = w;
	return 0;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- freezer -------------------------------------------------------------------------- */

static const struct oc_cg_dir *freezer_v1(const struct oc_cgroup *cg)
{
	for (size_t i = 0; i < cg->n_dirs; i++)
		if (!cg->dirs[i].v2 && oc_cg_list_has(cg->dirs[i].key, "freezer"))
			return &cg->dirs[i];
	return NULL;
}

static const struct oc_cg_dir *freezer_v2(const struct oc_cgroup *cg)
{
	const struct oc_cg_dir *u = find_v2(cg);
	return u && oc_cg_exists(u->path, "cgroup.freeze") ? u : NULL;
}

static int freeze_v1(const char *dir, bool freeze, oc_error_t *err)
{
	if (!freeze)
		return oc_cg_write(dir, "freezer.state", "THAWED", err);
	/* A task stuck in FREEZING (vfork, a D-state sleep) may need the
	 * request repeated; give up after about two seconds. */
	for (unsigned i = 0; i < 2000; i++) {
		if (i % 100 == 0) {
			if (i > 0 && oc_cg_write(dir, "freezer.state", "THAWED", err) < 0)
				return -1;
			if (oc_cg_write(dir, "freezer.state", "FROZEN", err) < 0)
				return -1;
		}
		cleanup_free char *st = NULL;
		if (oc_cg_read_line(dir, "freezer.state", &st, err) < 0)
			return -1;
		if (strcmp(st, "FROZEN") == 0)
			return 0;
		sleep_ms(1);
	}
	oc_error_t e = OC_ERROR_INIT;
	oc_cg_write(dir, "freezer.state", "THAWED", &e);
	oc_error_clear(&e);
	return oc_error_set(err, 0, "freeze `%s`: still freezing after 2s", dir);
}

static int freeze_v2(const char *dir, bool freeze, oc_error_t *err)
{
	if (oc_cg_write(dir, "cgroup.freeze", freeze ? "1" : "0", err) < 0)
		return -1;
	for (unsigned i = 0; i < 2000; i++) {
		cleanup_free char *ev = NULL;
		uint64_t v;
		if (oc_cg_read(dir, "cgroup.events", &ev, err) < 0)
			return -1;
		if (oc_cg_kv(ev, "frozen", &v) && v == (freeze ? 1u : 0u))
			return 0;
		if (!oc_cg_kv(ev, "frozen", &v))
			return 0; /* kernel without the key: trust the write */
		sleep_ms(1);
	}
	return oc_error_set(err, 0, "%s `%s`: not done after 2s", freeze ? "freeze" : "thaw", dir);
}

int oc_cgroup_freeze(struct oc_cgroup *cg, bool freeze, oc_error_t *err)
{
	if (cg == NULL)
		return oc_error_set(err, 0, "the container has no cgroup");
	const struct oc_cg_dir *d = freezer_v1(cg);
	if (d != NULL)
		return freeze_v1(d->path, freeze, err);
	d = freezer_v2(cg);
	if (d != NULL)
		return freeze_v2(d->path, freeze, err);
	return oc_error_set(err, 0, "cannot %s the container: no freezer cgroup", freeze ? "freeze" : "thaw");
}

int oc_cgroup_is_frozen(struct oc_cgroup *cg, bool *frozen, oc_error_t *err)
{
	if (cg == NULL) {
		*frozen = false;
		return 0;
	}
	const struct oc_cg_dir *d = freezer_v1(cg);
	cleanup_free char *s = NULL;
	if (d != NULL) {
		if (oc_cg_read_line(d->path, "freezer.state", &s, err) < 0)
			return -1;
		*frozen = strcmp(s, "FROZEN") == 0;
		return 0;
	}
	d = freezer_v2(cg);
	if (d != NULL) {
		if (oc_cg_read_line(d->path, "cgroup.freeze", &s, err) < 0)
			return -1;
		*frozen = strcmp(s, "1") == 0;
		return 0;
	}
	*frozen = false;
	return 0;
}

/* ---- signals ------------------------------------------------------------------------------ */

static int signal_pids(struct oc_cgroup *cg, int sig, oc_error_t *err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	if (oc_cgroup_pids(cg, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return oc_error_sys(err, "kill %d", (int) pids[i]);
	}
	return 0;
}

int oc_cgroup_signal_all(struct oc_cgroup *cg, int sig, oc_error_t *err)
{
	if (cg == NULL)
		return 0;
	if (sig == SIGKILL) {
		const struct oc_cg_dir *u = find_v2(cg);
		if (u != NULL && oc_cg_exists(u->path, "cgroup.kill")) {
			if (oc_cg_write(u->path, "cgroup.kill", "1", err) < 0)
				return -1;
			/* Processes that never joined unified (rootless skip)
			 * still get it through the v1 listing; a v1-frozen
			 * (paused) task only dies once thawed. */
			if (signal_pids(cg, sig, err) < 0)
				return -1;
			bool fz = false;
			if (oc_cgroup_is_frozen(cg, &fz, err) < 0)
				return -1;
			return fz ? oc_cgroup_freeze(cg, false, err) : 0;
		}
	}
	/* Frozen, the set of processes cannot grow between listing and
	 * signalling: no fork escapes the kill. */
	bool was_frozen = false, froze = false;
	oc_error_t e = OC_ERROR_INIT;
	if (oc_cgroup_is_frozen(cg, &was_frozen, &e) == 0 && !was_frozen) {
		if (oc_cgroup_freeze(cg, true, &e) == 0)
			froze = true;
		else
			oc_debug("cgroup: signal without freezing: %s", e.msg);
	}
	oc_error_clear(&e);
	int ret = signal_pids(cg, sig, err);
	/* A paused container is thawed for SIGKILL only: v1 frozen tasks
	 * die when they run again, and other signals keep the pause. */
	if (was_frozen && sig == SIGKILL)
		froze = true;
	if (froze && oc_cgroup_freeze(cg, false, ret < 0 ? &e : err) < 0 && ret == 0)
		ret = -1;
	oc_error_clear(&e);
	return ret;
}

/* ---- destroy --------------------------------------------------------------------------------- */

static int rmdir_retry(const char *path, oc_error_t *err)
{
	for (unsigned i = 0;; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || i >= 20)
			return oc_error_sys(err, "rmdir `%s`", path);
		sleep_ms(5);
	}
}

static int remove_tree(const char *path, oc_error_t *err)
{
	cleanup_dir DIR *d = opendir(path);
	if (d == NULL)
		return errno == ENOENT ? 0 : oc_error_sys(err, "open `%s`", path);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		cleanup_free char *sub = oc_xasprintf("%s/%s", path, de->d_name);
		if (remove_tree(sub, err) < 0)
			return -1;
	}
	return rmdir_retry(path, err);
}

int oc_cgroup_destroy(struct oc_cgroup *cg, oc_error_t *err)
{
	if (cg == NULL)
		return 0;
	bool frozen = false;
	oc_error_t e = OC_ERROR_INIT;
	if (oc_cgroup_is_frozen(cg, &frozen, &e) == 0 && frozen && oc_cgroup_freeze(cg, false, &e) < 0)
		oc_debug("cgroup: thaw before destroy: %s", e.msg);
	oc_error_clear(&e);
	int ret = 0;
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (!cg->dirs[i].owned)
			continue;
		if (remove_tree(cg->dirs[i].path, ret < 0 ? &e : err) < 0)
			ret = -1;
		oc_error_clear(&e);
	}
	return ret;
}

/* ---- OOM notification ---------------------------------------------------------------------------- */

int oc_cgroup_oom_fd(struct oc_cgroup *cg, oc_error_t *err)
{
	const struct oc_cg_dir *m = cg ? oc_cg_find(cg, "memory") : NULL;
	if (m == NULL)
		return oc_error_set(err, 0, "no memory cgroup");
	if (m->v2) {
		cleanup_close int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (fd < 0)
			return oc_error_sys(err, "inotify_init1");
		cleanup_free char *p = oc_xasprintf("%s/memory.events", m->path);
		if (inotify_add_watch(fd, p, IN_MODIFY) < 0)
			return oc_error_sys(err, "inotify_add_watch `%s`", p);
		return steal_fd(&fd);
	}
	cleanup_close int efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		return oc_error_sys(err, "eventfd");
	cleanup_free char *p = oc_xasprintf("%s/memory.oom_control", m->path);
	/* The registration keeps what it needs; the control file may be
	 * closed once it is written. */
	cleanup_close int ofd = open(p, O_RDONLY | O_CLOEXEC);
	if (ofd < 0)
		return oc_error_sys(err, "open `%s`", p);
	if (oc_cg_writef(m->path, "cgroup.event_control", err, "%d %d", efd, ofd) < 0)
		return -1;
	return steal_fd(&efd);
}

int oc_cgroup_oom_count(struct oc_cgroup *cg, uint64_t *count, oc_error_t *err)
{
	const struct oc_cg_dir *m = cg ? oc_cg_find(cg, "memory") : NULL;
	if (m == NULL)
		return oc_error_set(err, 0, "no memory cgroup");
	cleanup_free char *s = NULL;
	if (oc_cg_read(m->path, m->v2 ? "memory.events" : "memory.oom_control", &s, err) < 0)
		return -1;
	uint64_t v = 0;
	oc_cg_kv(s, "oom_kill", &v);
	*count = v;
	return 0;
}
