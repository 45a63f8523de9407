/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state.json (our private file: atomic write, strict read) and the OCI
 * state JSON printed by `state`, `list` and given to hooks.
 *
 * Output uses a small emitter of our own rather than yajl_gen: runc's
 * output is Go's encoding/json and clients compare it byte for byte, so we
 * need Go's escaping (<, >, & as \u003c..., U+2028/9, invalid UTF-8 as
 * \ufffd, '/' left alone) and MarshalIndent's layout with no trailing
 * newline, none of which yajl_gen does. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/state.h"

/* Far above any real state; stops a corrupted file from eating memory. */
#define STATE_MAX_SIZE (16 * 1024 * 1024)
#define JB_MAX_DEPTH 8

/* --- struct helpers ------------------------------------------------------ */

struct oc_state *oc_state_new(void)
{
	struct oc_state *st = oc_xcalloc(1, sizeof *st);

	st->status_saved = OC_STATUS_CREATING;
	return st;
}

static void free_pairs(char **k, char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(k[i]);
		free(v[i]);
	}
	free(k);
	free(v);
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void oc_state_free(struct oc_state *st)
{
	if (st == NULL)
		return;
	free(st->oci_version);
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	free_pairs(st->annotation_keys, st->annotation_values, st->n_annotations);
	free_list(st->cgroup_paths, st->n_cgroup_paths);
	free(st->cgroup_manager);
	free_list(st->degraded, st->n_degraded);
	free(st->config_hash);
	free_pairs(st->extra_keys, st->extra_values, st->n_extra);
	free(st);
}

/* Arrays are kept NULL-terminated so that oc_strvfree() also works. */
static void list_append(char ***v, size_t *n, const char *s)
{
	*v = oc_xrealloc(*v, (*n + 2) * sizeof(char *));
	(*v)[(*n)++] = oc_xstrdup(s);
	(*v)[*n] = NULL;
}

static void pairs_set(char ***k, char ***v, size_t *n, const char *key, const char *value)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*k)[i], key) == 0) {
			free((*v)[i]);
			(*v)[i] = oc_xstrdup(value);
			return;
		}
	}
	*k = oc_xrealloc(*k, (*n + 2) * sizeof(char *));
	*v = oc_xrealloc(*v, (*n + 2) * sizeof(char *));
	(*k)[*n] = oc_xstrdup(key);
	(*v)[*n] = oc_xstrdup(value);
	(*n)++;
	(*k)[*n] = NULL;
	(*v)[*n] = NULL;
}

void oc_state_set_annotation(struct oc_state *st, const char *key, const char *value)
{
	pairs_set(&st->annotation_keys, &st->annotation_values, &st->n_annotations, key, value);
}

void oc_state_set_extra(struct oc_state *st, const char *key, const char *value)
{
	pairs_set(&st->extra_keys, &st->extra_values, &st->n_extra, key, value);
}

const char *oc_state_get_extra(const struct oc_state *st, const char *key)
{
	for (size_t i = 0; i < st->n_extra; i++)
		if (strcmp(st->extra_keys[i], key) == 0)
			return st->extra_values[i];
	return NULL;
}

void oc_state_add_degraded(struct oc_state *st, const char *what)
{
	list_append(&st->degraded, &st->n_degraded, what);
}

void oc_state_add_cgroup_path(struct oc_state *st, const char *path)
{
	list_append(&st->cgroup_paths, &st->n_cgroup_paths, path);
}

/* --- emitter ------------------------------------------------------------- */

struct jbuf {
	char *s;
	size_t len, cap;
	bool pretty;
	int depth;
	size_t count[JB_MAX_DEPTH];
};

static void jb_put(struct jbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap ? b->cap * 2 : 256;
		b->s = oc_xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void jb_puts(struct jbuf *b, const char *s)
{
	jb_put(b, s, strlen(s));
}

static void jb_newline(struct jbuf *b, int depth)
{
	jb_put(b, "\n", 1);
	for (int i = 0; i < depth; i++)
		jb_put(b, "  ", 2);
}

/* Length of the valid UTF-8 sequence at s (and its code point), 0 if
 * invalid: overlong forms, surrogates and > U+10FFFF are invalid. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Go's encoding/json string form (with its default HTML escaping). */
static void jb_string(struct jbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *) (str ? str : "");
	char esc[8];

	jb_put(b, "\"", 1);
	while (*s != '\0') {
		unsigned char c = *s;
		uint32_t cp;
		size_t n;

		if (c < 0x80) {
			if (c == '"' || c == '\\') {
				esc[0] = '\\', esc[1] = (char) c;
				jb_put(b, esc, 2);
			} else if (c == '\n') {
				jb_put(b, "\\n", 2);
			} else if (c == '\r') {
				jb_put(b, "\\r", 2);
			} else if (c == '\t') {
				jb_put(b, "\\t", 2);
			} else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
				snprintf(esc, sizeof esc, "\\u%04x", c);
				jb_put(b, esc, 6);
			} else {
				jb_put(b, (const char *) s, 1);
			}
			s++;
			continue;
		}
		n = utf8_decode(s, &cp);
		if (n == 0) {
			jb_put(b, "\\ufffd", 6);
			s++;
		} else if (cp == 0x2028 || cp == 0x2029) {
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned) cp);
			jb_put(b, esc, 6);
			s += n;
		} else {
			jb_put(b, (const char *) s, n);
			s += n;
		}
	}
	jb_put(b, "\"", 1);
}

/* Before each member or element: separator and indentation. */
static void jb_item(struct jbuf *b)
{
	if (b->depth == 0)
		return;
	if (b->count[b->depth]++ > 0)
		jb_put(b, ",", 1);
	if (b->pretty)
		jb_newline(b, b->depth);
}

static void jb_begin(struct jbuf *b, char c)
{
	jb_put(b, &c, 1);
	if (b->depth + 1 >= JB_MAX_DEPTH)
		abort();
	b->count[++b->depth] = 0;
}

static void jb_end(struct jbuf *b, char c)
{
	if (b->pretty && b->count[b->depth] > 0)
		jb_newline(b, b->depth - 1);
	b->depth--;
	jb_put(b, &c, 1);
}

static void jb_key(struct jbuf *b, const char *key)
{
	jb_item(b);
	jb_string(b, key);
	jb_puts(b, b->pretty ? ": " : ":");
}

static void jb_kstr(struct jbuf *b, const char *key, const char *v)
{
	jb_key(b, key);
	jb_string(b, v);
}

static void jb_kint(struct jbuf *b, const char *key, long long v)
{
	char num[32];

	jb_key(b, key);
	snprintf(num, sizeof num, "%lld", v);
	jb_puts(b, num);
}

static void jb_kuint(struct jbuf *b, const char *key, unsigned long long v)
{
	char num[32];

	jb_key(b, key);
	snprintf(num, sizeof num, "%llu", v);
	jb_puts(b, num);
}

static void jb_kbool(struct jbuf *b, const char *key, bool v)
{
	jb_key(b, key);
	jb_puts(b, v ? "true" : "false");
}

static void jb_klist(struct jbuf *b, const char *key, char **v, size_t n)
{
	jb_key(b, key);
	jb_begin(b, '[');
	for (size_t i = 0; i < n; i++) {
		jb_item(b);
		jb_string(b, v[i]);
	}
	jb_end(b, ']');
}

static char **sort_keys_k;

static int cmp_idx(const void *a, const void *b)
{
	return strcmp(sort_keys_k[*(const size_t *) a], sort_keys_k[*(const size_t *) b]);
}

/* sorted: like a Go map, keys in byte order. */
static void jb_kmap(struct jbuf *b, const char *key, char **k, char **v, size_t n, bool sorted)
{
	cleanup_free size_t *idx = oc_xcalloc(n, sizeof(size_t));

	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	if (sorted && n > 1) {
		sort_keys_k = k;
		qsort(idx, n, sizeof(size_t), cmp_idx);
		sort_keys_k = NULL;
	}
	jb_key(b, key);
	jb_begin(b, '{');
	for (size_t i = 0; i < n; i++)
		jb_kstr(b, k[idx[i]], v[idx[i]]);
	jb_end(b, '}');
}

/* --- state.json write ---------------------------------------------------- */

static char *state_to_private_json(const struct oc_state *st)
{
	struct jbuf b = {0};

	jb_begin(&b, '{');
	jb_kstr(&b, "ociVersion", st->oci_version);
	jb_kstr(&b, "id", st->id);
	jb_kstr(&b, "status", oc_status_name(st->status_saved));
	jb_kint(&b, "pid", st->pid);
	jb_kuint(&b, "pidStart", st->pid_start);
	jb_kint(&b, "creatorPid", st->creator_pid);
	jb_kuint(&b, "creatorStart", st->creator_start);
	jb_kstr(&b, "bundle", st->bundle);
	jb_kstr(&b, "rootfs", st->rootfs);
	jb_kstr(&b, "created", st->created);
	jb_kstr(&b, "owner", st->owner);
	jb_kmap(&b, "annotations", st->annotation_keys, st->annotation_values, st->n_annotations, false);
	jb_klist(&b, "cgroupPaths", st->cgroup_paths, st->n_cgroup_paths);
	jb_kstr(&b, "cgroupManager", st->cgroup_manager);
	jb_klist(&b, "degraded", st->degraded, st->n_degraded);
	jb_kbool(&b, "systemd", st->systemd);
	jb_kbool(&b, "useTerminal", st->use_terminal);
	jb_kstr(&b, "configHash", st->config_hash);
	jb_kmap(&b, "extra", st->extra_keys, st->extra_values, st->n_extra, false);
	jb_end(&b, '}');
	jb_put(&b, "\n", 1);
	return b.s;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, s, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += r;
		n -= (size_t) r;
	}
	return 0;
}

static int open_tmp(int dirfd, char *name, size_t size, oc_error_t *err)
{
	for (int attempt = 0; attempt < 64; attempt++) {
		uint32_t rnd;
		int fd;

		if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != (ssize_t) sizeof rnd) {
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			rnd = (uint32_t) ts.tv_nsec ^ (uint32_t) attempt;
		}
		snprintf(name, size, "%s.tmp-%d-%08x", OC_STATE_FILE, (int) getpid(), rnd);
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return oc_error_sys(err, "create `%s`", name);
	}
	return oc_error_set(err, EEXIST, "create temporary `%s`", OC_STATE_FILE);
}

int oc_state_write(int dirfd, const struct oc_state *st, oc_error_t *err)
{
	cleanup_free char *json = state_to_private_json(st);
	cleanup_close int fd = -1;
	char tmp[64];

	fd = open_tmp(dirfd, tmp, sizeof tmp, err);
	if (fd < 0)
		return -1;
	if (write_all(fd, json, strlen(json)) < 0) {
		oc_error_sys(err, "write `%s`", tmp);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	/* Readers see the old file or the new one, never a torn write. */
	if (renameat(dirfd, tmp, dirfd, OC_STATE_FILE) < 0) {
		oc_error_sys(err, "rename `%s` to `%s`", tmp, OC_STATE_FILE);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

/* --- state.json read ----------------------------------------------------- */

static void yajl_val_freep(yajl_val *v)
{
	if (*v != NULL)
		yajl_tree_free(*v);
}
#define cleanup_yajl __attribute__((cleanup(yajl_val_freep)))

static int read_file_at(int dirfd, const char *name, char **out, oc_error_t *err)
{
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	size_t len = 0, cap = 4096;
	struct stat sb;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			oc_error_set(err, 0, "container does not exist");
			if (err != NULL)
				err->code = ENOENT;
			return -1;
		}
		return oc_error_sys(err, "open `%s`", name);
	}
	if (fstat(fd, &sb) < 0)
		return oc_error_sys(err, "stat `%s`", name);
	if (!S_ISREG(sb.st_mode))
		return oc_error_set(err, 0, "`%s` is not a regular file", name);
	if (sb.st_size > 0 && sb.st_size <= STATE_MAX_SIZE)
		cap = (size_t) sb.st_size + 1;
	buf = oc_xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (len + 1 >= cap) {
			if (cap > STATE_MAX_SIZE)
				return oc_error_set(err, 0, "`%s` is too large", name);
			cap *= 2;
			buf = oc_xrealloc(buf, cap);
		}
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return oc_error_sys(err, "read `%s`", name);
		}
		if (r == 0)
			break;
		len += (size_t) r;
	}
	buf[len] = '\0';
	/* yajl_tree_parse stops at a NUL: refuse rather than half-read. */
	if (memchr(buf, '\0', len) != NULL)
		return oc_error_set(err, 0, "`%s` holds a NUL byte", name);
	*out = steal_pointer(&buf);
	return 0;
}

static yajl_val get_key(yajl_val obj, const char *key)
{
	const char *path[] = {key, NULL};

	return yajl_tree_get(obj, path, yajl_t_any);
}

static int bad(oc_error_t *err, const char *key, const char *what)
{
	return oc_error_set(err, 0, "%s: %s: expected %s", OC_STATE_FILE, key, what);
}

static int get_str(yajl_val obj, const char *key, bool required, char **out, oc_error_t *err)
{
	yajl_val v = get_key(obj, key);

	if (v == NULL) {
		if (required)
			return oc_error_set(err, 0, "%s: %s: missing", OC_STATE_FILE, key);
		*out = oc_xstrdup("");
		return 0;
	}
	if (!YAJL_IS_STRING(v))
		return bad(err, key, "a string");
	*out = oc_xstrdup(YAJL_GET_STRING(v));
	return 0;
}

static int get_uint(yajl_val obj, const char *key, long long max, unsigned long long *out, oc_error_t *err)
{
	yajl_val v = get_key(obj, key);

	if (v == NULL) {
		*out = 0;
		return 0;
	}
	if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0 || YAJL_GET_INTEGER(v) > max)
		return bad(err, key, "a non-negative integer");
	*out = (unsigned long long) YAJL_GET_INTEGER(v);
	return 0;
}

static int get_pid(yajl_val obj, const char *key, pid_t *out, oc_error_t *err)
{
	unsigned long long v;

	if (get_uint(obj, key, INT32_MAX, &v, err) < 0)
		return -1;
	*out = (pid_t) v;
	return 0;
}

static int get_bool(yajl_val obj, const char *key, bool *out, oc_error_t *err)
{
	yajl_val v = get_key(obj, key);

	if (v == NULL) {
		*out = false;
		return 0;
	}
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return bad(err, key, "a boolean");
	*out = YAJL_IS_TRUE(v);
	return 0;
}

static int get_list(yajl_val obj, const char *key, char ***out, size_t *n, oc_error_t *err)
{
	yajl_val v = get_key(obj, key);

	if (v == NULL)
		return 0;
	if (!YAJL_IS_ARRAY(v))
		return bad(err, key, "an array of strings");
	for (size_t i = 0; i < v->u.array.len; i++) {
		if (!YAJL_IS_STRING(v->u.array.values[i]))
			return bad(err, key, "an array of strings");
		list_append(out, n, YAJL_GET_STRING(v->u.array.values[i]));
	}
	return 0;
}

static int get_map(yajl_val obj, const char *key, char ***k, char ***vals, size_t *n, oc_error_t *err)
{
	yajl_val v = get_key(obj, key);

	if (v == NULL)
		return 0;
	if (!YAJL_IS_OBJECT(v))
		return bad(err, key, "an object of strings");
	for (size_t i = 0; i < v->u.object.len; i++) {
		if (!YAJL_IS_STRING(v->u.object.values[i]))
			return bad(err, key, "an object of strings");
		pairs_set(k, vals, n, v->u.object.keys[i], YAJL_GET_STRING(v->u.object.values[i]));
	}
	return 0;
}

static int decode_state(yajl_val root, struct oc_state *st, oc_error_t *err)
{
	cleanup_free char *status = NULL;
	int s;

	if (!YAJL_IS_OBJECT(root))
		return oc_error_set(err, 0, "%s: expected an object", OC_STATE_FILE);
	if (get_str(root, "ociVersion", true, &st->oci_version, err) < 0 ||
	    get_str(root, "id", true, &st->id, err) < 0 || get_str(root, "status", true, &status, err) < 0)
		return -1;
	s = oc_status_from_name(status);
	if (s < 0)
		return oc_error_set(err, 0, "%s: status: unknown status \"%s\"", OC_STATE_FILE, status);
	st->status_saved = (enum oc_status) s;
	if (get_pid(root, "pid", &st->pid, err) < 0 || get_uint(root, "pidStart", INT64_MAX, &st->pid_start, err) < 0 ||
	    get_pid(root, "creatorPid", &st->creator_pid, err) < 0 ||
	    get_uint(root, "creatorStart", INT64_MAX, &st->creator_start, err) < 0 ||
	    get_str(root, "bundle", false, &st->bundle, err) < 0 || get_str(root, "rootfs", false, &st->rootfs, err) < 0 ||
	    get_str(root, "created", false, &st->created, err) < 0 || get_str(root, "owner", false, &st->owner, err) < 0 ||
	    get_map(root, "annotations", &st->annotation_keys, &st->annotation_values, &st->n_annotations, err) < 0 ||
	    get_list(root, "cgroupPaths", &st->cgroup_paths, &st->n_cgroup_paths, err) < 0 ||
	    get_str(root, "cgroupManager", false, &st->cgroup_manager, err) < 0 ||
	    get_list(root, "degraded", &st->degraded, &st->n_degraded, err) < 0 ||
	    get_bool(root, "systemd", &st->systemd, err) < 0 || get_bool(root, "useTerminal", &st->use_terminal, err) < 0 ||
	    get_str(root, "configHash", false, &st->config_hash, err) < 0 ||
	    get_map(root, "extra", &st->extra_keys, &st->extra_values, &st->n_extra, err) < 0)
		return -1;
	/* The id names the directory; a file claiming another one is not
	 * ours to act on. */
	if (oc_state_id_validate(st->id, NULL) < 0)
		return oc_error_set(err, 0, "%s: id: invalid container ID", OC_STATE_FILE);
	return 0;
}

int oc_state_read(int dirfd, struct oc_state **out, oc_error_t *err)
{
	cleanup_free char *buf = NULL;
	cleanup_yajl yajl_val root = NULL;
	cleanup_state struct oc_state *st = NULL;
	char errbuf[256] = "";
	size_t n;

	if (read_file_at(dirfd, OC_STATE_FILE, &buf, err) < 0)
		return -1;
	root = yajl_tree_parse(buf, errbuf, sizeof errbuf);
	if (root == NULL) {
		/* yajl's message spans lines with a context excerpt; one line
		 * is enough for an error. */
		n = strcspn(errbuf, "\n");
		errbuf[n] = '\0';
		return oc_error_set(err, 0, "%s: %s", OC_STATE_FILE, errbuf[0] ? errbuf : "invalid JSON");
	}
	st = oc_xcalloc(1, sizeof *st);
	if (decode_state(root, st, err) < 0)
		return -1;
	*out = steal_pointer(&st);
	return 0;
}

/* --- OCI state output ---------------------------------------------------- */

char *oc_state_to_oci_json(const struct oc_state *st, enum oc_status status, bool pretty)
{
	struct jbuf b = {.pretty = pretty};

	/* runc's field order (its containerState struct), annotations
	 * omitted when empty; a stopped container shows pid 0. */
	jb_begin(&b, '{');
	jb_kstr(&b, "ociVersion", st->oci_version);
	jb_kstr(&b, "id", st->id);
	jb_kint(&b, "pid", status == OC_STATUS_STOPPED ? 0 : st->pid);
	jb_kstr(&b, "status", oc_status_name(status));
	jb_kstr(&b, "bundle", st->bundle);
	jb_kstr(&b, "rootfs", st->rootfs);
	jb_kstr(&b, "created", st->created);
	if (st->n_annotations > 0)
		jb_kmap(&b, "annotations", st->annotation_keys, st->annotation_values, st->n_annotations, true);
	jb_kstr(&b, "owner", st->owner);
	jb_end(&b, '}');
	return b.s;
}

char *oc_state_to_hook_json(const struct oc_state *st, enum oc_status status)
{
	struct jbuf b = {0};
	pid_t pid = status == OC_STATUS_STOPPED ? 0 : st->pid;

	/* runtime-spec's State: pid and annotations are omitempty. */
	jb_begin(&b, '{');
	jb_kstr(&b, "ociVersion", st->oci_version);
	jb_kstr(&b, "id", st->id);
	jb_kstr(&b, "status", oc_status_name(status));
	if (pid > 0)
		jb_kint(&b, "pid", pid);
	jb_kstr(&b, "bundle", st->bundle);
	if (st->n_annotations > 0)
		jb_kmap(&b, "annotations", st->annotation_keys, st->annotation_values, st->n_annotations, true);
	jb_end(&b, '}');
	return b.s;
}
