/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json DOM -> struct oc_spec. Only shapes are checked here: every
 * value must have the type the spec gives it (a wrong type is an error,
 * never "absent"; null counts as absent), unknown keys are ignored. The
 * meaning of values (required fields, known names, ranges) is checked by
 * validate.c, except for the closed sets that the structs store as enums
 * or single characters (namespace and device types). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocichroot/common.h"
#include "spec-internal.h"

/* ---- decoding context: the JSON path of the value being read ---------- */

struct dc {
	char *path;
	size_t len, cap;
	oc_error_t *err;
};

#define TRY(x)                  \
	do {                    \
		if ((x) < 0)    \
			return -1; \
	} while (0)

static void path_append(struct dc *c, const char *s, size_t n)
{
	if (c->len + n + 1 > c->cap) {
		c->cap = (c->len + n + 1) * 2;
		c->path = oc_xrealloc(c->path, c->cap);
	}
	memcpy(c->path + c->len, s, n);
	c->len += n;
	c->path[c->len] = '\0';
}

static size_t push_key(struct dc *c, const char *key)
{
	size_t mark = c->len;

	if (c->len > 0)
		path_append(c, ".", 1);
	path_append(c, key, strlen(key));
	return mark;
}

static size_t push_index(struct dc *c, size_t i)
{
	size_t mark = c->len;
	char b[32];
	int n = snprintf(b, sizeof b, "[%zu]", i);

	path_append(c, b, (size_t) n);
	return mark;
}

static void pop(struct dc *c, size_t mark)
{
	c->len = mark;
	if (c->path != NULL)
		c->path[mark] = '\0';
}

static int derr(struct dc *c, const struct oc_json *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int derr(struct dc *c, const struct oc_json *at, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = oc_xvasprintf(fmt, ap);
	va_end(ap);
	if (c->len > 0)
		return oc_json_error(at, c->err, "%s: %s", c->path, msg);
	return oc_json_error(at, c->err, "%s", msg);
}

/* An error about member `key` of the current object. */
static int kerr(struct dc *c, const struct oc_json *at, const char *key, const char *msg)
{
	size_t m = push_key(c, key);
	int r = derr(c, at, "%s", msg);

	pop(c, m);
	return r;
}

/* The member, or NULL when absent or null. */
static const struct oc_json *member(const struct oc_json *o, const char *key)
{
	const struct oc_json *v = oc_json_get(o, key);

	return v == NULL || v->type == OC_JSON_NULL ? NULL : v;
}

/* ---- scalar members ---------------------------------------------------- */

static int get_str(struct dc *c, const struct oc_json *o, const char *key, char **out)
{
	const struct oc_json *v = member(o, key);

	if (v == NULL)
		return 0;
	if (v->type != OC_JSON_STRING)
		return kerr(c, v, key, "expected a string");
	*out = oc_xstrdup(v->u.str.s);
	return 0;
}

static int get_bool(struct dc *c, const struct oc_json *o, const char *key, bool *out, bool *has)
{
	const struct oc_json *v = member(o, key);

	if (v == NULL)
		return 0;
	if (v->type != OC_JSON_BOOL)
		return kerr(c, v, key, "expected a boolean");
	*out = v->u.boolean;
	if (has != NULL)
		*has = true;
	return 0;
}

#define DEFINE_GET_NUM(name, type, getter)                                                       \
	static int name(struct dc *c, const struct oc_json *o, const char *key, type *out, bool *has) \
	{                                                                                        \
		const struct oc_json *v = member(o, key);                                        \
		cleanup_error oc_error_t e = OC_ERROR_INIT;                                      \
		type r;                                                                          \
                                                                                                 \
		if (v == NULL)                                                                   \
			return 0;                                                                \
		if (getter(v, &r, &e) < 0)                                                       \
			return kerr(c, v, key, e.msg);                                           \
		*out = r;                                                                        \
		if (has != NULL)                                                                 \
			*has = true;                                                             \
		return 0;                                                                        \
	}

DEFINE_GET_NUM(get_i64, int64_t, oc_json_get_int64)
DEFINE_GET_NUM(get_u64, uint64_t, oc_json_get_uint64)
DEFINE_GET_NUM(get_i32, int32_t, oc_json_get_int32)
DEFINE_GET_NUM(get_u32, uint32_t, oc_json_get_uint32)
DEFINE_GET_NUM(get_u16, uint16_t, oc_json_get_uint16)

static int get_int(struct dc *c, const struct oc_json *o, const char *key, int *out, bool *has)
{
	int32_t v = 0;
	bool h = false;

	TRY(get_i32(c, o, key, &v, &h));
	if (h) {
		*out = v;
		if (has != NULL)
			*has = true;
	}
	return 0;
}

/* ---- containers -------------------------------------------------------- */

static int get_array(struct dc *c, const struct oc_json *o, const char *key, const struct oc_json **out)
{
	const struct oc_json *v = member(o, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (v->type != OC_JSON_ARRAY)
		return kerr(c, v, key, "expected an array");
	*out = v;
	return 0;
}

static int get_object(struct dc *c, const struct oc_json *o, const char *key, const struct oc_json **out)
{
	const struct oc_json *v = member(o, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (v->type != OC_JSON_OBJECT)
		return kerr(c, v, key, "expected an object");
	*out = v;
	return 0;
}

static int get_strv(struct dc *c, const struct oc_json *o, const char *key, char ***out, size_t *n)
{
	const struct oc_json *a;
	size_t m;

	TRY(get_array(c, o, key, &a));
	if (a == NULL)
		return 0;
	*out = oc_xcalloc(a->u.array.n + 1, sizeof(char *));
	*n = a->u.array.n;
	m = push_key(c, key);
	for (size_t i = 0; i < a->u.array.n; i++) {
		const struct oc_json *it = a->u.array.items[i];
		if (it->type != OC_JSON_STRING) {
			push_index(c, i);
			return derr(c, it, "expected a string");
		}
		(*out)[i] = oc_xstrdup(it->u.str.s);
	}
	pop(c, m);
	return 0;
}

static int get_u32v(struct dc *c, const struct oc_json *o, const char *key, uint32_t **out, size_t *n)
{
	const struct oc_json *a;
	size_t m;

	TRY(get_array(c, o, key, &a));
	if (a == NULL)
		return 0;
	*out = oc_xcalloc(a->u.array.n, sizeof(uint32_t));
	*n = a->u.array.n;
	m = push_key(c, key);
	for (size_t i = 0; i < a->u.array.n; i++) {
		cleanup_error oc_error_t e = OC_ERROR_INIT;
		if (oc_json_get_uint32(a->u.array.items[i], &(*out)[i], &e) < 0) {
			push_index(c, i);
			return derr(c, a->u.array.items[i], "%s", e.msg);
		}
	}
	pop(c, m);
	return 0;
}

/* A JSON object of strings -> parallel key/value arrays. */
static int get_strmap(struct dc *c, const struct oc_json *o, const char *key, char ***keys, char ***vals, size_t *n)
{
	const struct oc_json *m;
	size_t mark;

	TRY(get_object(c, o, key, &m));
	if (m == NULL)
		return 0;
	*keys = oc_xcalloc(m->u.object.n + 1, sizeof(char *));
	*vals = oc_xcalloc(m->u.object.n + 1, sizeof(char *));
	*n = m->u.object.n;
	mark = push_key(c, key);
	for (size_t i = 0; i < m->u.object.n; i++) {
		const struct oc_json_member *mem = &m->u.object.members[i];
		if (mem->value->type != OC_JSON_STRING) {
			push_key(c, mem->key);
			return derr(c, mem->value, "expected a string");
		}
		(*keys)[i] = oc_xstrdup(mem->key);
		(*vals)[i] = oc_xstrdup(mem->value->u.str.s);
	}
	pop(c, mark);
	return 0;
}

typedef int (*dec_fn)(struct dc *c, const struct oc_json *v, void *out);
typedef int (*dec_kv_fn)(struct dc *c, const char *key, const struct oc_json *v, void *out);

/* An optional object member decoded into a fresh struct of `size` bytes;
 * *out is set before decoding so that a failure leaves it to be freed. */
static int get_struct(struct dc *c, const struct oc_json *o, const char *key, size_t size, dec_fn fn, void *out)
{
	const struct oc_json *v;
	void *p;
	size_t m;

	TRY(get_object(c, o, key, &v));
	if (v == NULL)
		return 0;
	p = oc_xcalloc(1, size);
	*(void **) out = p;
	m = push_key(c, key);
	TRY(fn(c, v, p));
	pop(c, m);
	return 0;
}

/* An array of objects. */
static int get_structv(struct dc *c, const struct oc_json *o, const char *key, size_t size, dec_fn fn, void *out,
		       size_t *n)
{
	const struct oc_json *a;
	char *items;
	size_t m;

	TRY(get_array(c, o, key, &a));
	if (a == NULL)
		return 0;
	items = oc_xcalloc(a->u.array.n, size);
	*(void **) out = items;
	*n = a->u.array.n;
	m = push_key(c, key);
	for (size_t i = 0; i < a->u.array.n; i++) {
		const struct oc_json *it = a->u.array.items[i];
		size_t mi = push_index(c, i);
		if (it->type != OC_JSON_OBJECT)
			return derr(c, it, "expected an object");
		TRY(fn(c, it, items + i * size));
		pop(c, mi);
	}
	pop(c, m);
	return 0;
}

/* An object whose members are objects (rdma, timeOffsets, netDevices). */
static int get_structmap(struct dc *c, const struct oc_json *o, const char *key, size_t size, dec_kv_fn fn,
			 void *out, size_t *n)
{
	const struct oc_json *obj;
	char *items;
	size_t m;

	TRY(get_object(c, o, key, &obj));
	if (obj == NULL)
		return 0;
	items = oc_xcalloc(obj->u.object.n, size);
	*(void **) out = items;
	*n = obj->u.object.n;
	m = push_key(c, key);
	for (size_t i = 0; i < obj->u.object.n; i++) {
		const struct oc_json_member *mem = &obj->u.object.members[i];
		size_t mi = push_key(c, mem->key);
		if (mem->value->type != OC_JSON_OBJECT)
			return derr(c, mem->value, "expected an object");
		TRY(fn(c, mem->key, mem->value, items + i * size));
		pop(c, mi);
	}
	pop(c, m);
	return 0;
}

/* ---- process ----------------------------------------------------------- */

static int dec_console_size(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_console_size *s = out;

	s->json = v;
	TRY(get_u32(c, v, "height", &s->height, NULL));
	TRY(get_u32(c, v, "width", &s->width, NULL));
	return 0;
}

static int dec_user(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_user *u = out;

	u->json = v;
	TRY(get_u32(c, v, "uid", &u->uid, NULL));
	TRY(get_u32(c, v, "gid", &u->gid, NULL));
	TRY(get_u32(c, v, "umask", &u->umask, &u->has_umask));
	TRY(get_u32v(c, v, "additionalGids", &u->additional_gids, &u->n_additional_gids));
	TRY(get_str(c, v, "username", &u->username));
	return 0;
}

static int dec_rlimit(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_rlimit *r = out;

	r->json = v;
	r->resource = -1;
	TRY(get_str(c, v, "type", &r->type));
	TRY(get_u64(c, v, "soft", &r->soft, NULL));
	TRY(get_u64(c, v, "hard", &r->hard, NULL));
	if (r->type != NULL)
		r->resource = oc_spec_rlimit_resource(r->type);
	return 0;
}

static int dec_caps(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_capabilities *k = out;

	k->json = v;
	TRY(get_strv(c, v, "bounding", &k->bounding, &k->n_bounding));
	TRY(get_strv(c, v, "effective", &k->effective, &k->n_effective));
	TRY(get_strv(c, v, "inheritable", &k->inheritable, &k->n_inheritable));
	TRY(get_strv(c, v, "permitted", &k->permitted, &k->n_permitted));
	TRY(get_strv(c, v, "ambient", &k->ambient, &k->n_ambient));
	return 0;
}

static int dec_scheduler(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_scheduler *s = out;

	s->json = v;
	TRY(get_str(c, v, "policy", &s->policy));
	TRY(get_i32(c, v, "nice", &s->nice, &s->has_nice));
	TRY(get_i32(c, v, "priority", &s->priority, &s->has_priority));
	TRY(get_strv(c, v, "flags", &s->flags, &s->n_flags));
	TRY(get_u64(c, v, "runtime", &s->runtime, &s->has_runtime));
	TRY(get_u64(c, v, "deadline", &s->deadline, &s->has_deadline));
	TRY(get_u64(c, v, "period", &s->period, &s->has_period));
	return 0;
}

static int dec_io_priority(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_io_priority *p = out;

	p->json = v;
	TRY(get_str(c, v, "class", &p->class_));
	TRY(get_i32(c, v, "priority", &p->priority, NULL));
	return 0;
}

static int dec_cpu_affinity(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_cpu_affinity *a = out;

	a->json = v;
	TRY(get_str(c, v, "initial", &a->initial));
	TRY(get_str(c, v, "final", &a->final));
	return 0;
}

static int dec_process(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_process *p = out;

	p->json = v;
	TRY(get_bool(c, v, "terminal", &p->terminal, NULL));
	TRY(get_struct(c, v, "consoleSize", sizeof(*p->console_size), dec_console_size, &p->console_size));
	TRY(get_struct(c, v, "user", sizeof(*p->user), dec_user, &p->user));
	TRY(get_strv(c, v, "args", &p->args, &p->n_args));
	TRY(get_str(c, v, "commandLine", &p->command_line));
	TRY(get_strv(c, v, "env", &p->env, &p->n_env));
	TRY(get_str(c, v, "cwd", &p->cwd));
	TRY(get_struct(c, v, "capabilities", sizeof(*p->capabilities), dec_caps, &p->capabilities));
	TRY(get_structv(c, v, "rlimits", sizeof(*p->rlimits), dec_rlimit, &p->rlimits, &p->n_rlimits));
	TRY(get_bool(c, v, "noNewPrivileges", &p->no_new_privileges, NULL));
	TRY(get_str(c, v, "apparmorProfile", &p->apparmor_profile));
	TRY(get_int(c, v, "oomScoreAdj", &p->oom_score_adj, &p->has_oom_score_adj));
	TRY(get_struct(c, v, "scheduler", sizeof(*p->scheduler), dec_scheduler, &p->scheduler));
	TRY(get_str(c, v, "selinuxLabel", &p->selinux_label));
	TRY(get_struct(c, v, "ioPriority", sizeof(*p->io_priority), dec_io_priority, &p->io_priority));
	TRY(get_struct(c, v, "execCPUAffinity", sizeof(*p->exec_cpu_affinity), dec_cpu_affinity,
		       &p->exec_cpu_affinity));
	return 0;
}

/* ---- root, mounts, hooks ---------------------------------------------- */

static int dec_root(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_root *r = out;

	r->json = v;
	TRY(get_str(c, v, "path", &r->path));
	TRY(get_bool(c, v, "readonly", &r->readonly, NULL));
	return 0;
}

static int dec_idmap(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_idmap *m = out;

	m->json = v;
	TRY(get_u32(c, v, "containerID", &m->container_id, NULL));
	TRY(get_u32(c, v, "hostID", &m->host_id, NULL));
	TRY(get_u32(c, v, "size", &m->size, NULL));
	return 0;
}

static int dec_mount(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_mount *m = out;

	m->json = v;
	TRY(get_str(c, v, "destination", &m->destination));
	TRY(get_str(c, v, "type", &m->type));
	TRY(get_str(c, v, "source", &m->source));
	TRY(get_strv(c, v, "options", &m->options, &m->n_options));
	TRY(get_structv(c, v, "uidMappings", sizeof(*m->uid_mappings), dec_idmap, &m->uid_mappings,
			&m->n_uid_mappings));
	TRY(get_structv(c, v, "gidMappings", sizeof(*m->gid_mappings), dec_idmap, &m->gid_mappings,
			&m->n_gid_mappings));
	/* runc 1.1 accepts a relative destination (deprecated) as relative
	 * to the container's root; normalise once so later code sees one form */
	if (m->destination != NULL && m->destination[0] != '/' && m->destination[0] != '\0') {
		char *abs = oc_xasprintf("/%s", m->destination);
		free(m->destination);
		m->destination = abs;
	}
	return 0;
}

static int dec_hook(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_hook *h = out;

	h->json = v;
	TRY(get_str(c, v, "path", &h->path));
	TRY(get_strv(c, v, "args", &h->args, &h->n_args));
	TRY(get_strv(c, v, "env", &h->env, &h->n_env));
	TRY(get_int(c, v, "timeout", &h->timeout, &h->has_timeout));
	return 0;
}

static int dec_hooks(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_hooks *h = out;

	h->json = v;
	for (int k = 0; k < OC_HOOK__MAX; k++)
		TRY(get_structv(c, v, oc_hook_kind_name(k), sizeof(struct oc_spec_hook), dec_hook, &h->hooks[k],
				&h->n_hooks[k]));
	return 0;
}

/* ---- linux.resources --------------------------------------------------- */

static int dec_device_rule(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_device_rule *d = out;
	cleanup_free char *type = NULL;

	d->json = v;
	d->type = 'a';
	TRY(get_bool(c, v, "allow", &d->allow, NULL));
	TRY(get_str(c, v, "type", &type));
	TRY(get_i64(c, v, "major", &d->major, &d->has_major));
	TRY(get_i64(c, v, "minor", &d->minor, &d->has_minor));
	TRY(get_str(c, v, "access", &d->access));
	if (type != NULL) {
		if (strcmp(type, "a") != 0 && strcmp(type, "b") != 0 && strcmp(type, "c") != 0)
			return kerr(c, member(v, "type"), "type", "device type must be one of \"a\", \"b\", \"c\"");
		d->type = type[0];
	}
	return 0;
}

static int dec_memory(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_memory *m = out;

	m->json = v;
	TRY(get_i64(c, v, "limit", &m->limit, &m->has_limit));
	TRY(get_i64(c, v, "reservation", &m->reservation, &m->has_reservation));
	TRY(get_i64(c, v, "swap", &m->swap, &m->has_swap));
	TRY(get_i64(c, v, "kernel", &m->kernel, &m->has_kernel));
	TRY(get_i64(c, v, "kernelTCP", &m->kernel_tcp, &m->has_kernel_tcp));
	TRY(get_u64(c, v, "swappiness", &m->swappiness, &m->has_swappiness));
	TRY(get_bool(c, v, "disableOOMKiller", &m->disable_oom_killer, &m->has_disable_oom_killer));
	TRY(get_bool(c, v, "useHierarchy", &m->use_hierarchy, &m->has_use_hierarchy));
	TRY(get_bool(c, v, "checkBeforeUpdate", &m->check_before_update, &m->has_check_before_update));
	return 0;
}

static int dec_cpu(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_cpu *p = out;

	p->json = v;
	TRY(get_u64(c, v, "shares", &p->shares, &p->has_shares));
	TRY(get_i64(c, v, "quota", &p->quota, &p->has_quota));
	TRY(get_u64(c, v, "burst", &p->burst, &p->has_burst));
	TRY(get_u64(c, v, "period", &p->period, &p->has_period));
	TRY(get_i64(c, v, "realtimeRuntime", &p->realtime_runtime, &p->has_realtime_runtime));
	TRY(get_u64(c, v, "realtimePeriod", &p->realtime_period, &p->has_realtime_period));
	TRY(get_str(c, v, "cpus", &p->cpus));
	TRY(get_str(c, v, "mems", &p->mems));
	TRY(get_i64(c, v, "idle", &p->idle, &p->has_idle));
	return 0;
}

static int dec_pids(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_pids *p = out;

	p->json = v;
	TRY(get_i64(c, v, "limit", &p->limit, &p->has_limit));
	return 0;
}

static int dec_weight_device(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_weight_device *w = out;

	w->json = v;
	TRY(get_i64(c, v, "major", &w->major, NULL));
	TRY(get_i64(c, v, "minor", &w->minor, NULL));
	TRY(get_u16(c, v, "weight", &w->weight, &w->has_weight));
	TRY(get_u16(c, v, "leafWeight", &w->leaf_weight, &w->has_leaf_weight));
	return 0;
}

static int dec_throttle_device(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_throttle_device *t = out;

	t->json = v;
	TRY(get_i64(c, v, "major", &t->major, NULL));
	TRY(get_i64(c, v, "minor", &t->minor, NULL));
	TRY(get_u64(c, v, "rate", &t->rate, NULL));
	return 0;
}

static int dec_blockio(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_blockio *b = out;
	const size_t tsz = sizeof(struct oc_spec_throttle_device);

	b->json = v;
	TRY(get_u16(c, v, "weight", &b->weight, &b->has_weight));
	TRY(get_u16(c, v, "leafWeight", &b->leaf_weight, &b->has_leaf_weight));
	TRY(get_structv(c, v, "weightDevice", sizeof(*b->weight_device), dec_weight_device, &b->weight_device,
			&b->n_weight_device));
	TRY(get_structv(c, v, "throttleReadBpsDevice", tsz, dec_throttle_device, &b->throttle_read_bps_device,
			&b->n_throttle_read_bps_device));
	TRY(get_structv(c, v, "throttleWriteBpsDevice", tsz, dec_throttle_device, &b->throttle_write_bps_device,
			&b->n_throttle_write_bps_device));
	TRY(get_structv(c, v, "throttleReadIOPSDevice", tsz, dec_throttle_device, &b->throttle_read_iops_device,
			&b->n_throttle_read_iops_device));
	TRY(get_structv(c, v, "throttleWriteIOPSDevice", tsz, dec_throttle_device, &b->throttle_write_iops_device,
			&b->n_throttle_write_iops_device));
	return 0;
}

static int dec_hugepage(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_hugepage_limit *h = out;

	h->json = v;
	TRY(get_str(c, v, "pageSize", &h->page_size));
	TRY(get_u64(c, v, "limit", &h->limit, NULL));
	return 0;
}

static int dec_net_priority(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_net_priority *p = out;

	p->json = v;
	TRY(get_str(c, v, "name", &p->name));
	TRY(get_u32(c, v, "priority", &p->priority, NULL));
	return 0;
}

static int dec_network(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_network *n = out;

	n->json = v;
	TRY(get_u32(c, v, "classID", &n->class_id, &n->has_class_id));
	TRY(get_structv(c, v, "priorities", sizeof(*n->priorities), dec_net_priority, &n->priorities,
			&n->n_priorities));
	return 0;
}

static int dec_rdma(struct dc *c, const char *key, const struct oc_json *v, void *out)
{
	struct oc_spec_rdma *r = out;

	r->json = v;
	r->device = oc_xstrdup(key);
	TRY(get_u32(c, v, "hcaHandles", &r->hca_handles, &r->has_hca_handles));
	TRY(get_u32(c, v, "hcaObjects", &r->hca_objects, &r->has_hca_objects));
	return 0;
}

static int dec_resources(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_resources *r = out;

	r->json = v;
	TRY(get_structv(c, v, "devices", sizeof(*r->devices), dec_device_rule, &r->devices, &r->n_devices));
	TRY(get_struct(c, v, "memory", sizeof(*r->memory), dec_memory, &r->memory));
	TRY(get_struct(c, v, "cpu", sizeof(*r->cpu), dec_cpu, &r->cpu));
	TRY(get_struct(c, v, "pids", sizeof(*r->pids), dec_pids, &r->pids));
	TRY(get_struct(c, v, "blockIO", sizeof(*r->blockio), dec_blockio, &r->blockio));
	TRY(get_structv(c, v, "hugepageLimits", sizeof(*r->hugepage_limits), dec_hugepage, &r->hugepage_limits,
			&r->n_hugepage_limits));
	TRY(get_struct(c, v, "network", sizeof(*r->network), dec_network, &r->network));
	TRY(get_structmap(c, v, "rdma", sizeof(*r->rdma), dec_rdma, &r->rdma, &r->n_rdma));
	TRY(get_strmap(c, v, "unified", &r->unified_keys, &r->unified_values, &r->n_unified));
	return 0;
}

/* ---- linux ------------------------------------------------------------- */

static int dec_namespace(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_namespace *n = out;
	const struct oc_json *t = member(v, "type");
	cleanup_free char *type = NULL;
	int k;

	n->json = v;
	TRY(get_str(c, v, "type", &type));
	TRY(get_str(c, v, "path", &n->path));
	if (n->path != NULL && n->path[0] == '\0') {
		/* Go's omitempty: "" is the same as absent */
		free(n->path);
		n->path = NULL;
	}
	if (type == NULL)
		return kerr(c, v, "type", "missing required field");
	k = oc_ns_type_from_name(type);
	if (k < 0) {
		size_t m = push_key(c, "type");
		int r = derr(c, t, "unknown namespace type \"%s\"", type);
		pop(c, m);
		return r;
	}
	n->type = (enum oc_ns_type) k;
	return 0;
}

static int dec_time_offset(struct dc *c, const char *key, const struct oc_json *v, void *out)
{
	struct oc_spec_time_offset *t = out;

	t->json = v;
	t->clock = oc_xstrdup(key);
	TRY(get_i64(c, v, "secs", &t->secs, NULL));
	TRY(get_u32(c, v, "nanosecs", &t->nanosecs, NULL));
	return 0;
}

static int dec_device(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_device *d = out;
	cleanup_free char *type = NULL;

	d->json = v;
	TRY(get_str(c, v, "type", &type));
	TRY(get_str(c, v, "path", &d->path));
	TRY(get_i64(c, v, "major", &d->major, NULL));
	TRY(get_i64(c, v, "minor", &d->minor, NULL));
	TRY(get_u32(c, v, "fileMode", &d->file_mode, &d->has_file_mode));
	TRY(get_u32(c, v, "uid", &d->uid, &d->has_uid));
	TRY(get_u32(c, v, "gid", &d->gid, &d->has_gid));
	if (type == NULL)
		return kerr(c, v, "type", "missing required field");
	if (strlen(type) != 1 || strchr("cbup", type[0]) == NULL) {
		size_t m = push_key(c, "type");
		int r = derr(c, member(v, "type"), "unknown device type \"%s\" (want c, b, u or p)", type);
		pop(c, m);
		return r;
	}
	d->type = type[0];
	return 0;
}

static int dec_net_device(struct dc *c, const char *key, const struct oc_json *v, void *out)
{
	struct oc_spec_net_device *n = out;

	n->json = v;
	n->host_name = oc_xstrdup(key);
	TRY(get_str(c, v, "name", &n->name));
	return 0;
}

static int dec_intel_rdt(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_intel_rdt *r = out;

	r->json = v;
	TRY(get_str(c, v, "closID", &r->clos_id));
	TRY(get_str(c, v, "l3CacheSchema", &r->l3_cache_schema));
	TRY(get_str(c, v, "memBwSchema", &r->mem_bw_schema));
	TRY(get_bool(c, v, "enableCMT", &r->enable_cmt, NULL));
	TRY(get_bool(c, v, "enableMBM", &r->enable_mbm, NULL));
	return 0;
}

static int dec_seccomp_arg(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_seccomp_arg *a = out;

	a->json = v;
	TRY(get_u32(c, v, "index", &a->index, NULL));
	TRY(get_u64(c, v, "value", &a->value, NULL));
	TRY(get_u64(c, v, "valueTwo", &a->value_two, &a->has_value_two));
	TRY(get_str(c, v, "op", &a->op));
	return 0;
}

static int dec_seccomp_syscall(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_seccomp_syscall *s = out;

	s->json = v;
	TRY(get_strv(c, v, "names", &s->names, &s->n_names));
	TRY(get_str(c, v, "action", &s->action));
	TRY(get_u32(c, v, "errnoRet", &s->errno_ret, &s->has_errno_ret));
	TRY(get_structv(c, v, "args", sizeof(*s->args), dec_seccomp_arg, &s->args, &s->n_args));
	return 0;
}

static int dec_seccomp(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_seccomp *s = out;

	s->json = v;
	TRY(get_str(c, v, "defaultAction", &s->default_action));
	TRY(get_u32(c, v, "defaultErrnoRet", &s->default_errno_ret, &s->has_default_errno_ret));
	TRY(get_strv(c, v, "architectures", &s->architectures, &s->n_architectures));
	TRY(get_strv(c, v, "flags", &s->flags, &s->n_flags));
	TRY(get_str(c, v, "listenerPath", &s->listener_path));
	TRY(get_str(c, v, "listenerMetadata", &s->listener_metadata));
	TRY(get_structv(c, v, "syscalls", sizeof(*s->syscalls), dec_seccomp_syscall, &s->syscalls,
			&s->n_syscalls));
	return 0;
}

static int dec_personality(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_personality *p = out;

	p->json = v;
	TRY(get_str(c, v, "domain", &p->domain));
	TRY(get_strv(c, v, "flags", &p->flags, &p->n_flags));
	return 0;
}

static int dec_memory_policy(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_memory_policy *p = out;

	p->json = v;
	TRY(get_str(c, v, "mode", &p->mode));
	TRY(get_str(c, v, "nodes", &p->nodes));
	TRY(get_strv(c, v, "flags", &p->flags, &p->n_flags));
	return 0;
}

static int dec_linux(struct dc *c, const struct oc_json *v, void *out)
{
	struct oc_spec_linux *l = out;

	l->json = v;
	TRY(get_structv(c, v, "uidMappings", sizeof(*l->uid_mappings), dec_idmap, &l->uid_mappings,
			&l->n_uid_mappings));
	TRY(get_structv(c, v, "gidMappings", sizeof(*l->gid_mappings), dec_idmap, &l->gid_mappings,
			&l->n_gid_mappings));
	TRY(get_strmap(c, v, "sysctl", &l->sysctl_keys, &l->sysctl_values, &l->n_sysctl));
	TRY(get_struct(c, v, "resources", sizeof(*l->resources), dec_resources, &l->resources));
	TRY(get_str(c, v, "cgroupsPath", &l->cgroups_path));
	TRY(get_structv(c, v, "namespaces", sizeof(*l->namespaces), dec_namespace, &l->namespaces,
			&l->n_namespaces));
	TRY(get_structv(c, v, "devices", sizeof(*l->devices), dec_device, &l->devices, &l->n_devices));
	TRY(get_struct(c, v, "seccomp", sizeof(*l->seccomp), dec_seccomp, &l->seccomp));
	TRY(get_str(c, v, "rootfsPropagation", &l->rootfs_propagation));
	TRY(get_strv(c, v, "maskedPaths", &l->masked_paths, &l->n_masked_paths));
	TRY(get_strv(c, v, "readonlyPaths", &l->readonly_paths, &l->n_readonly_paths));
	TRY(get_str(c, v, "mountLabel", &l->mount_label));
	TRY(get_struct(c, v, "intelRdt", sizeof(*l->intel_rdt), dec_intel_rdt, &l->intel_rdt));
	TRY(get_struct(c, v, "personality", sizeof(*l->personality), dec_personality, &l->personality));
	TRY(get_structmap(c, v, "timeOffsets", sizeof(*l->time_offsets), dec_time_offset, &l->time_offsets,
			  &l->n_time_offsets));
	TRY(get_struct(c, v, "memoryPolicy", sizeof(*l->memory_policy), dec_memory_policy, &l->memory_policy));
	TRY(get_structmap(c, v, "netDevices", sizeof(*l->net_devices), dec_net_device, &l->net_devices,
			  &l->n_net_devices));
	return 0;
}

/* ---- top level --------------------------------------------------------- */

static int dec_spec(struct dc *c, const struct oc_json *v, struct oc_spec *s)
{
	s->json = v;
	TRY(get_str(c, v, "ociVersion", &s->oci_version));
	TRY(get_struct(c, v, "root", sizeof(*s->root), dec_root, &s->root));
	TRY(get_structv(c, v, "mounts", sizeof(*s->mounts), dec_mount, &s->mounts, &s->n_mounts));
	TRY(get_struct(c, v, "process", sizeof(*s->process), dec_process, &s->process));
	TRY(get_str(c, v, "hostname", &s->hostname));
	TRY(get_str(c, v, "domainname", &s->domainname));
	TRY(get_struct(c, v, "hooks", sizeof(*s->hooks), dec_hooks, &s->hooks));
	TRY(get_strmap(c, v, "annotations", &s->annotation_keys, &s->annotation_values, &s->n_annotations));
	TRY(get_struct(c, v, "linux", sizeof(*s->linux), dec_linux, &s->linux));
	return 0;
}

static int decode_top(const struct oc_json *root, const char *prefix, oc_error_t *err,
		      int (*fn)(struct dc *, const struct oc_json *, void *), void *out)
{
	struct dc c = {.err = err};
	int r;

	if (prefix != NULL && *prefix != '\0')
		path_append(&c, prefix, strlen(prefix));
	if (root->type != OC_JSON_OBJECT)
		r = derr(&c, root, "expected an object");
	else
		r = fn(&c, root, out);
	free(c.path);
	return r;
}

static int dec_spec_any(struct dc *c, const struct oc_json *v, void *out)
{
	return dec_spec(c, v, out);
}

int oc_spec_decode(const struct oc_json *root, struct oc_spec *s, oc_error_t *err)
{
	return decode_top(root, "", err, dec_spec_any, s);
}

int oc_spec_decode_process(const struct oc_json *v, const char *prefix, struct oc_spec_process *p,
			   oc_error_t *err)
{
	return decode_top(v, prefix, err, dec_process, p);
}

int oc_spec_decode_resources(const struct oc_json *v, const char *prefix, struct oc_spec_resources *r,
			     oc_error_t *err)
{
	return decode_top(v, prefix, err, dec_resources, r);
}

/* ---- destructors ------------------------------------------------------- */

static void strv_free_n(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void idmaps_free(struct oc_spec_idmap *m)
{
	free(m);
}

void oc_spec_process_clear(struct oc_spec_process *p)
{
	if (p == NULL)
		return;
	free(p->console_size);
	if (p->user != NULL) {
		free(p->user->additional_gids);
		free(p->user->username);
		free(p->user);
	}
	free(p->cwd);
	strv_free_n(p->env, p->n_env);
	strv_free_n(p->args, p->n_args);
	free(p->command_line);
	for (size_t i = 0; i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	if (p->capabilities != NULL) {
		struct oc_spec_capabilities *k = p->capabilities;
		strv_free_n(k->bounding, k->n_bounding);
		strv_free_n(k->effective, k->n_effective);
		strv_free_n(k->inheritable, k->n_inheritable);
		strv_free_n(k->permitted, k->n_permitted);
		strv_free_n(k->ambient, k->n_ambient);
		free(k);
	}
	if (p->scheduler != NULL) {
		free(p->scheduler->policy);
		strv_free_n(p->scheduler->flags, p->scheduler->n_flags);
		free(p->scheduler);
	}
	free(p->selinux_label);
	if (p->io_priority != NULL) {
		free(p->io_priority->class_);
		free(p->io_priority);
	}
	if (p->exec_cpu_affinity != NULL) {
		free(p->exec_cpu_affinity->initial);
		free(p->exec_cpu_affinity->final);
		free(p->exec_cpu_affinity);
	}
}

void oc_spec_process_free(struct oc_spec_process *p)
{
	if (p == NULL)
		return;
	oc_spec_process_clear(p);
	oc_json_doc_free(p->doc);
	free(p);
}

void oc_spec_resources_clear(struct oc_spec_resources *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_devices; i++)
		free(r->devices[i].access);
	free(r->devices);
	free(r->memory);
	if (r->cpu != NULL) {
		free(r->cpu->cpus);
		free(r->cpu->mems);
		free(r->cpu);
	}
	free(r->pids);
	if (r->blockio != NULL) {
		struct oc_spec_blockio *b = r->blockio;
		free(b->weight_device);
		free(b->throttle_read_bps_device);
		free(b->throttle_write_bps_device);
		free(b->throttle_read_iops_device);
		free(b->throttle_write_iops_device);
		free(b);
	}
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	if (r->network != NULL) {
		for (size_t i = 0; i < r->network->n_priorities; i++)
			free(r->network->priorities[i].name);
		free(r->network->priorities);
		free(r->network);
	}
	for (size_t i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	strv_free_n(r->unified_keys, r->n_unified);
	strv_free_n(r->unified_values, r->n_unified);
}

void oc_spec_resources_free(struct oc_spec_resources *r)
{
	if (r == NULL)
		return;
	oc_spec_resources_clear(r);
	oc_json_doc_free(r->doc);
	free(r);
}

static void seccomp_free(struct oc_spec_seccomp *s)
{
	if (s == NULL)
		return;
	free(s->default_action);
	strv_free_n(s->architectures, s->n_architectures);
	strv_free_n(s->flags, s->n_flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; i < s->n_syscalls; i++) {
		struct oc_spec_seccomp_syscall *sc = &s->syscalls[i];
		strv_free_n(sc->names, sc->n_names);
		free(sc->action);
		for (size_t j = 0; j < sc->n_args; j++)
			free(sc->args[j].op);
		free(sc->args);
	}
	free(s->syscalls);
	free(s);
}

static void linux_free(struct oc_spec_linux *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	idmaps_free(l->uid_mappings);
	idmaps_free(l->gid_mappings);
	for (size_t i = 0; i < l->n_time_offsets; i++)
		free(l->time_offsets[i].clock);
	free(l->time_offsets);
	for (size_t i = 0; i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	for (size_t i = 0; i < l->n_net_devices; i++) {
		free(l->net_devices[i].host_name);
		free(l->net_devices[i].name);
	}
	free(l->net_devices);
	free(l->cgroups_path);
	oc_spec_resources_free(l->resources);
	if (l->intel_rdt != NULL) {
		free(l->intel_rdt->clos_id);
		free(l->intel_rdt->l3_cache_schema);
		free(l->intel_rdt->mem_bw_schema);
		free(l->intel_rdt);
	}
	strv_free_n(l->sysctl_keys, l->n_sysctl);
	strv_free_n(l->sysctl_values, l->n_sysctl);
	seccomp_free(l->seccomp);
	free(l->rootfs_propagation);
	strv_free_n(l->masked_paths, l->n_masked_paths);
	strv_free_n(l->readonly_paths, l->n_readonly_paths);
	free(l->mount_label);
	if (l->personality != NULL) {
		free(l->personality->domain);
		strv_free_n(l->personality->flags, l->personality->n_flags);
		free(l->personality);
	}
	if (l->memory_policy != NULL) {
		free(l->memory_policy->mode);
		free(l->memory_policy->nodes);
		strv_free_n(l->memory_policy->flags, l->memory_policy->n_flags);
		free(l->memory_policy);
	}
	free(l);
}

static void hooks_free(struct oc_spec_hooks *h)
{
	if (h == NULL)
		return;
	for (int k = 0; k < OC_HOOK__MAX; k++) {
		for (size_t i = 0; i < h->n_hooks[k]; i++) {
			struct oc_spec_hook *x = &h->hooks[k][i];
			free(x->path);
			strv_free_n(x->args, x->n_args);
			strv_free_n(x->env, x->n_env);
		}
		free(h->hooks[k]);
	}
	free(h);
}

void oc_spec_free(struct oc_spec *s)
{
	if (s == NULL)
		return;
	free(s->oci_version);
	if (s->root != NULL) {
		free(s->root->path);
		free(s->root);
	}
	for (size_t i = 0; i < s->n_mounts; i++) {
		struct oc_spec_mount *m = &s->mounts[i];
		free(m->destination);
		free(m->source);
		free(m->type);
		strv_free_n(m->options, m->n_options);
		idmaps_free(m->uid_mappings);
		idmaps_free(m->gid_mappings);
	}
	free(s->mounts);
	oc_spec_process_free(s->process);
	free(s->hostname);
	free(s->domainname);
	hooks_free(s->hooks);
	strv_free_n(s->annotation_keys, s->n_annotations);
	strv_free_n(s->annotation_values, s->n_annotations);
	linux_free(s->linux);
	oc_json_doc_free(s->doc);
	free(s);
}
