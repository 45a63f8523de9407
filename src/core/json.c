/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON with positions: yajl_parse() callbacks build an arena DOM. See
 * include/ocichroot/json.h for the contract. yajl_tree is not used: it
 * reports syntax errors at the wrong place, keeps the first of duplicate
 * keys (Go, hence runc, keeps the last) and truncates strings at \u0000. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "ocichroot/common.h"
#include "ocichroot/file.h"
#include "ocichroot/json.h"

/* ---- arena ------------------------------------------------------------- */

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct oc_json_doc {
	struct chunk *chunks;
	const struct oc_json *root;
	char *filename;
};

static void *arena_alloc(struct oc_json_doc *d, size_t n)
{
	struct chunk *c = d->chunks;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (c == NULL || c->size - c->used < n) {
		size_t sz = n > 16384 ? n : 16384;
		c = oc_xmalloc(sizeof(*c) + sz);
		c->size = sz;
		c->used = 0;
		c->next = d->chunks;
		d->chunks = c;
	}
	p = (char *) c->data + c->used;
	c->used += n;
	return p;
}

static char *arena_strndup(struct oc_json_doc *d, const void *s, size_t n)
{
	char *p = arena_alloc(d, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void oc_json_doc_free(struct oc_json_doc *d)
{
	struct chunk *c, *next;

	if (d == NULL)
		return;
	for (c = d->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(d->filename);
	free(d);
}

const struct oc_json *oc_json_doc_root(const struct oc_json_doc *d)
{
	return d->root;
}

const char *oc_json_doc_filename(const struct oc_json_doc *d)
{
	return d->filename;
}

/* ---- parser state ------------------------------------------------------ */

struct frame {
	struct oc_json *node; /* the array or object being filled */
	void *vec;	      /* const struct oc_json * or struct oc_json_member */
	size_t n, cap;
	const char *key; /* objects: key of the value being read */
	uint32_t key_line, key_col;
	size_t key_off;
};

struct dup {
	size_t off; /* SIZE_MAX: none */
	char *msg;
};

struct pctx {
	struct oc_json_doc *doc;
	yajl_handle h;
	const char *buf;
	size_t len;
	unsigned max_depth;
	/* scan position: every byte before `off` has been counted into line/col */
	size_t off;
	uint32_t line, col;
	size_t last_end; /* end of the previous token, from yajl */
	struct frame *stack;
	size_t depth;
	oc_error_t *err;
	bool failed; /* err set by a callback */
	struct dup dup;
};

static void advance(struct pctx *c, size_t to)
{
	if (to > c->len)
		to = c->len;
	for (; c->off < to; c->off++) {
		if (c->buf[c->off] == '\n') {
			c->line++;
			c->col = 1;
		} else {
			c->col++;
		}
	}
}

/* Where the token a callback reports starts: yajl tells where the previous
 * one ended; between them there is only white space and ':' or ','. */
static void token_start(struct pctx *c)
{
	advance(c, c->last_end);
	while (c->off < c->len && strchr(" \t\r\n,:", c->buf[c->off]) != NULL && c->buf[c->off] != '\0')
		advance(c, c->off + 1);
}

static void token_end(struct pctx *c)
{
	c->last_end = yajl_get_bytes_consumed(c->h);
}

static void line_col_at(const char *buf, size_t len, size_t off, uint32_t *line, uint32_t *col)
{
	uint32_t l = 1, cl = 1;

	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			l++;
			cl = 1;
		} else {
			cl++;
		}
	}
	*line = l;
	*col = cl;
}

/* The JSON path of the value being read at stack level `upto`
 * ("process.user.uid", "mounts[3]"), malloc'd. */
static char *stack_path(struct pctx *c, size_t upto)
{
	char *p = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&p, &sz);

	if (f == NULL)
		abort();
	for (size_t i = 0; i < upto; i++) {
		struct frame *fr = &c->stack[i];
		/* frames below the top have their current child already
		 * pushed (it is the open container above them) */
		if (fr->node->type == OC_JSON_ARRAY)
			fprintf(f, "[%zu]", i + 1 == c->depth ? fr->n : fr->n - 1);
		else if (fr->key != NULL)
			fprintf(f, "%s%s", i == 0 ? "" : ".", fr->key);
	}
	if (fclose(f) != 0 || p == NULL)
		abort();
	return p;
}

static int fail_here(struct pctx *c, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_here(struct pctx *c, const char *path, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = oc_xvasprintf(fmt, ap);
	va_end(ap);
	if (path != NULL && *path != '\0')
		oc_error_set(c->err, 0, "%s:%" PRIu32 ":%" PRIu32 ": %s: %s", c->doc->filename, c->line, c->col, path,
			     msg);
	else
		oc_error_set(c->err, 0, "%s:%" PRIu32 ":%" PRIu32 ": %s", c->doc->filename, c->line, c->col, msg);
	c->failed = true;
	return 0; /* yajl: cancel */
}

static struct oc_json *new_node(struct pctx *c, enum oc_json_type t)
{
	struct oc_json *n = arena_alloc(c->doc, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->type = t;
	n->line = c->line;
	n->col = c->col;
	n->file = c->doc->filename;
	return n;
}

static void vec_push(struct frame *f, const void *elem, size_t size)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->vec = oc_xrealloc(f->vec, f->cap * size);
	}
	memcpy((char *) f->vec + f->n * size, elem, size);
	f->n++;
}

static int add_value(struct pctx *c, struct oc_json *v)
{
	struct frame *f;

	if (c->depth == 0) {
		c->doc->root = v;
		return 1;
	}
	f = &c->stack[c->depth - 1];
	if (f->node->type == OC_JSON_ARRAY) {
		const struct oc_json *p = v;
		vec_push(f, &p, sizeof(p));
	} else {
		struct oc_json_member m = {.key = f->key, .key_line = f->key_line, .key_col = f->key_col, .value = v};
		vec_push(f, &m, sizeof(m));
	}
	return 1;
}

static int cb_null(void *ctx)
{
	struct pctx *c = ctx;

	token_start(c);
	token_end(c);
	return add_value(c, new_node(c, OC_JSON_NULL));
}

static int cb_bool(void *ctx, int b)
{
	struct pctx *c = ctx;
	struct oc_json *n;

	token_start(c);
	token_end(c);
	n = new_node(c, OC_JSON_BOOL);
	n->u.boolean = b != 0;
	return add_value(c, n);
}

static int cb_number(void *ctx, const char *s, size_t len)
{
	struct pctx *c = ctx;
	struct oc_json *n;

	token_start(c);
	token_end(c);
	n = new_node(c, OC_JSON_NUMBER);
	n->u.str.s = arena_strndup(c->doc, s, len);
	n->u.str.len = len;
	return add_value(c, n);
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	struct pctx *c = ctx;
	struct oc_json *n;

	token_start(c);
	token_end(c);
	/* C consumers would silently cut the string at the NUL while Go ones
	 * keep it: two readers of one config disagreeing is how checks get
	 * bypassed, so refuse it. */
	if (memchr(s, '\0', len) != NULL) {
		cleanup_free char *path = stack_path(c, c->depth);
		return fail_here(c, path, "string contains a NUL character (\\u0000)");
	}
	n = new_node(c, OC_JSON_STRING);
	n->u.str.s = arena_strndup(c->doc, s, len);
	n->u.str.len = len;
	return add_value(c, n);
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct pctx *c = ctx;
	struct frame *f = &c->stack[c->depth - 1];

	token_start(c);
	token_end(c);
	if (memchr(s, '\0', len) != NULL) {
		cleanup_free char *path = stack_path(c, c->depth - 1);
		return fail_here(c, path, "key contains a NUL character (\\u0000)");
	}
	f->key = arena_strndup(c->doc, s, len);
	f->key_line = c->line;
	f->key_col = c->col;
	f->key_off = c->off;
	return 1;
}

static int open_container(struct pctx *c, enum oc_json_type t)
{
	struct oc_json *n;
	struct frame *f;

	token_start(c);
	token_end(c);
	if (c->depth >= c->max_depth) {
		cleanup_free char *path = stack_path(c, c->depth);
		return fail_here(c, path, "nested deeper than %u levels", c->max_depth);
	}
	n = new_node(c, t);
	if (!add_value(c, n))
		return 0;
	f = &c->stack[c->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	return 1;
}

static int cb_start_map(void *ctx)
{
	return open_container(ctx, OC_JSON_OBJECT);
}

static int cb_start_array(void *ctx)
{
	return open_container(ctx, OC_JSON_ARRAY);
}

static int cmp_member(const void *a, const void *b)
{
	const struct oc_json_member *x = *(const struct oc_json_member *const *) a;
	const struct oc_json_member *y = *(const struct oc_json_member *const *) b;
	int r = strcmp(x->key, y->key);

	if (r != 0)
		return r;
	if (x->key_line != y->key_line)
		return x->key_line < y->key_line ? -1 : 1;
	return x->key_col < y->key_col ? -1 : x->key_col > y->key_col;
}

/* Duplicate keys are where two readers of one file disagree (yajl_tree
 * keeps the first, Go the last), so they are refused. Sorting keeps this
 * O(n log n) on hostile input; the earliest duplicate in the document is
 * kept and reported once parsing ends (unless a syntax error comes first). */
static void check_duplicates(struct pctx *c, struct frame *f)
{
	const struct oc_json_member *m = f->vec;
	cleanup_free const struct oc_json_member **s = NULL;
	const struct oc_json_member *first = NULL, *second = NULL;

	if (f->n < 2)
		return;
	s = oc_xcalloc(f->n, sizeof(*s));
	for (size_t i = 0; i < f->n; i++)
		s[i] = &m[i];
	qsort(s, f->n, sizeof(*s), cmp_member);
	for (size_t i = 1; i < f->n; i++) {
		if (strcmp(s[i - 1]->key, s[i]->key) != 0)
			continue;
		if (second == NULL || s[i]->key_line < second->key_line ||
		    (s[i]->key_line == second->key_line && s[i]->key_col < second->key_col)) {
			first = s[i - 1];
			second = s[i];
		}
	}
	if (second == NULL)
		return;

	{
		uint32_t l2 = second->key_line, c2 = second->key_col;
		size_t off2;
		cleanup_free char *path = stack_path(c, c->depth - 1);
		char *msg;

		/* offsets are only used to order candidate errors: recompute
		 * from line/col cheaply via a rank (line, col) pair */
		off2 = ((size_t) l2 << 24) | c2;
		if (c->dup.off != SIZE_MAX && c->dup.off <= off2)
			return;
		if (path != NULL && *path != '\0')
			msg = oc_xasprintf("%s:%" PRIu32 ":%" PRIu32 ": %s: duplicate key \"%s\" (first at %" PRIu32
					   ":%" PRIu32 ")",
					   c->doc->filename, l2, c2, path, second->key, first->key_line, first->key_col);
		else
			msg = oc_xasprintf("%s:%" PRIu32 ":%" PRIu32 ": duplicate key \"%s\" (first at %" PRIu32
					   ":%" PRIu32 ")",
					   c->doc->filename, l2, c2, second->key, first->key_line, first->key_col);
		free(c->dup.msg);
		c->dup.msg = msg;
		c->dup.off = off2;
	}
}

static int close_container(struct pctx *c)
{
	struct frame *f = &c->stack[c->depth - 1];
	struct oc_json *n = f->node;

	token_start(c);
	token_end(c);
	if (n->type == OC_JSON_ARRAY) {
		const struct oc_json **items = arena_alloc(c->doc, (f->n ? f->n : 1) * sizeof(*items));
		if (f->n)
			memcpy(items, f->vec, f->n * sizeof(*items));
		n->u.array.items = items;
		n->u.array.n = f->n;
	} else {
		struct oc_json_member *m;
		check_duplicates(c, f);
		m = arena_alloc(c->doc, (f->n ? f->n : 1) * sizeof(*m));
		if (f->n)
			memcpy(m, f->vec, f->n * sizeof(*m));
		n->u.object.members = m;
		n->u.object.n = f->n;
	}
	free(f->vec);
	f->vec = NULL;
	c->depth--;
	return 1;
}

static int cb_end_map(void *ctx)
{
	return close_container(ctx);
}

static int cb_end_array(void *ctx)
{
	return close_container(ctx);
}

static const yajl_callbacks callbacks = {
	.yajl_null = cb_null,
	.yajl_boolean = cb_bool,
	.yajl_number = cb_number,
	.yajl_string = cb_string,
	.yajl_start_map = cb_start_map,
	.yajl_map_key = cb_map_key,
	.yajl_end_map = cb_end_map,
	.yajl_start_array = cb_start_array,
	.yajl_end_array = cb_end_array,
};

/* yajl's message is "parse error: premature EOF\n" or, for lexical errors,
 * "lexical error: invalid char in json text.\n": keep it on one line,
 * without the trailing dot. */
static char *clean_yajl_error(yajl_handle h, const char *buf, size_t len)
{
	unsigned char *raw = yajl_get_error(h, 0, (const unsigned char *) buf, len);
	char *s = oc_xstrdup(raw ? (const char *) raw : "invalid json");
	size_t n;

	if (raw)
		yajl_free_error(h, raw);
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '.'))
		s[--n] = '\0';
	return s;
}

static void free_stack(struct pctx *c)
{
	for (size_t i = 0; i < c->depth; i++)
		free(c->stack[i].vec);
	free(c->stack);
}

int oc_json_parse(const char *buf, size_t len, const char *filename, size_t max_size, unsigned max_depth,
		  struct oc_json_doc **out, oc_error_t *err)
{
	struct oc_json_doc *doc;
	struct pctx c = {0};
	yajl_status st;
	bool at_end = false;
	int ret = -1;

	if (filename == NULL)
		filename = "<input>";
	if (len > max_size)
		return oc_error_set(err, 0, "%s: larger than %zu bytes", filename, max_size);
	if (max_depth == 0)
		max_depth = 1;

	doc = oc_xcalloc(1, sizeof(*doc));
	doc->filename = oc_xstrdup(filename);
	c.doc = doc;
	c.buf = buf;
	c.len = len;
	c.max_depth = max_depth;
	c.line = c.col = 1;
	c.err = err;
	c.dup.off = SIZE_MAX;
	c.stack = oc_xcalloc(max_depth, sizeof(*c.stack));
	c.h = yajl_alloc(&callbacks, NULL, &c);
	if (c.h == NULL)
		abort();

	st = yajl_parse(c.h, (const unsigned char *) buf, len);
	if (st == yajl_status_ok) {
		st = yajl_complete_parse(c.h);
		at_end = true;
	}
	if (st == yajl_status_ok) {
		if (c.dup.msg != NULL) {
			oc_error_set(err, 0, "%s", c.dup.msg);
			goto out;
		}
		if (doc->root == NULL) {
			uint32_t l, cl;
			line_col_at(buf, len, len, &l, &cl);
			oc_error_set(err, 0, "%s:%" PRIu32 ":%" PRIu32 ": empty input", filename, l, cl);
			goto out;
		}
		*out = steal_pointer(&doc);
		ret = 0;
		goto out;
	}
	if (!c.failed) {
		/* (a callback's error is already in err, at c.line:c.col) */
		cleanup_free char *msg = clean_yajl_error(c.h, buf, len);

		/* a truncated document fails at its end (after
		 * yajl_complete_parse the count is no offset at all); for
		 * grammar errors yajl points past the unexpected token, so
		 * point at its first byte; lexical errors stop at (or just
		 * after) the offending byte, which is the precise place */
		if (at_end)
			advance(&c, len);
		else if (strncmp(msg, "parse error", 11) == 0)
			token_start(&c);
		else
			advance(&c, yajl_get_bytes_consumed(c.h));
		oc_error_set(err, 0, "%s:%" PRIu32 ":%" PRIu32 ": %s", filename, c.line, c.col, msg);
	}
	/* objects left open hold keys that no end_map has checked; a
	 * duplicate before the failing token is the first error in the file */
	for (size_t d = c.depth; d > 0; d--) {
		size_t saved = c.depth;
		c.depth = d;
		if (c.stack[d - 1].node->type == OC_JSON_OBJECT)
			check_duplicates(&c, &c.stack[d - 1]);
		c.depth = saved;
	}
	if (c.dup.msg != NULL && c.dup.off < (((size_t) c.line << 24) | c.col))
		oc_error_set(err, 0, "%s", c.dup.msg);
out:
	free(c.dup.msg);
	free_stack(&c);
	yajl_free(c.h);
	oc_json_doc_free(doc);
	return ret;
}

int oc_json_read_file(const char *path, size_t max_size, char **bufp, size_t *lenp, oc_error_t *err)
{
	cleanup_close int fd = -1;
	struct stat st;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return oc_error_sys(err, "open `%s`", path);
	if (fstat(fd, &st) < 0)
		return oc_error_sys(err, "stat `%s`", path);
	/* pipes are fine (`exec --process /dev/stdin`): the read loop below
	 * enforces the limit whatever the size claims */
	if (S_ISREG(st.st_mode) && (uint64_t) st.st_size > max_size)
		return oc_error_set(err, 0, "%s: larger than %zu bytes", path, max_size);
	return oc_read_fd(fd, path, max_size, (size_t) st.st_size, bufp, lenp, err);
}

/* ---- access ------------------------------------------------------------ */

const struct oc_json *oc_json_get(const struct oc_json *obj, const char *key)
{
	if (obj == NULL || obj->type != OC_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->u.object.n; i++)
		if (strcmp(obj->u.object.members[i].key, key) == 0)
			return obj->u.object.members[i].value;
	return NULL;
}

const struct oc_json *oc_json_at(const struct oc_json *obj, const char *key)
{
	const struct oc_json *v = oc_json_get(obj, key);

	return v != NULL ? v : obj;
}

const struct oc_json *oc_json_at_item(const struct oc_json *obj, const char *key, size_t i)
{
	const struct oc_json *v = oc_json_get(obj, key);

	if (v != NULL && v->type == OC_JSON_ARRAY && i < v->u.array.n)
		return v->u.array.items[i];
	return oc_json_at(obj, key);
}

const char *oc_json_type_name(enum oc_json_type t)
{
	switch (t) {
	case OC_JSON_NULL:
		return "null";
	case OC_JSON_BOOL:
		return "a boolean";
	case OC_JSON_NUMBER:
		return "a number";
	case OC_JSON_STRING:
		return "a string";
	case OC_JSON_ARRAY:
		return "an array";
	case OC_JSON_OBJECT:
		return "an object";
	}
	return "?";
}

int oc_json_error(const struct oc_json *at, oc_error_t *err, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = oc_xvasprintf(fmt, ap);
	va_end(ap);
	if (at == NULL)
		return oc_error_set(err, 0, "%s", msg);
	return oc_error_set(err, 0, "%s:%" PRIu32 ":%" PRIu32 ": %s", at->file, at->line, at->col, msg);
}

int oc_json_get_bool(const struct oc_json *v, bool *out, oc_error_t *err)
{
	if (v == NULL || v->type != OC_JSON_BOOL)
		return oc_error_set(err, 0, "expected a boolean");
	*out = v->u.boolean;
	return 0;
}

int oc_json_get_string(const struct oc_json *v, const char **out, oc_error_t *err)
{
	if (v == NULL || v->type != OC_JSON_STRING)
		return oc_error_set(err, 0, "expected a string");
	*out = v->u.str.s;
	return 0;
}

static bool integer_syntax(const struct oc_json *v)
{
	const char *s = v->u.str.s;

	if (*s == '-')
		s++;
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Number text in messages is cut: it is hostile input and may be huge. */
#define NUM_FMT "%.*s%s"
#define NUM_ARG(v) (int) ((v)->u.str.len > 40 ? 40 : (v)->u.str.len), (v)->u.str.s, (v)->u.str.len > 40 ? "..." : ""

static int get_signed(const struct oc_json *v, int64_t min, int64_t max, const char *what, int64_t *out,
		      oc_error_t *err)
{
	long long r;
	char *end;

	if (v == NULL || v->type != OC_JSON_NUMBER)
		return oc_error_set(err, 0, "expected %s", what);
	if (!integer_syntax(v))
		return oc_error_set(err, 0, "expected %s, got " NUM_FMT, what, NUM_ARG(v));
	errno = 0;
	r = strtoll(v->u.str.s, &end, 10);
	if (errno == ERANGE || *end != '\0' || r < min || r > max)
		return oc_error_set(err, 0, NUM_FMT " is out of range for %s", NUM_ARG(v), what);
	*out = r;
	return 0;
}

static int get_unsigned(const struct oc_json *v, uint64_t max, const char *what, uint64_t *out, oc_error_t *err)
{
	unsigned long long r;
	char *end;

	if (v == NULL || v->type != OC_JSON_NUMBER)
		return oc_error_set(err, 0, "expected %s", what);
	if (!integer_syntax(v))
		return oc_error_set(err, 0, "expected %s, got " NUM_FMT, what, NUM_ARG(v));
	/* strtoull would wrap "-1" around; "-0" is zero */
	if (v->u.str.s[0] == '-') {
		if (strspn(v->u.str.s + 1, "0") == v->u.str.len - 1) {
			*out = 0;
			return 0;
		}
		return oc_error_set(err, 0, NUM_FMT " is out of range for %s", NUM_ARG(v), what);
	}
	errno = 0;
	r = strtoull(v->u.str.s, &end, 10);
	if (errno == ERANGE || *end != '\0' || r > max)
		return oc_error_set(err, 0, NUM_FMT " is out of range for %s", NUM_ARG(v), what);
	*out = r;
	return 0;
}

int oc_json_get_int64(const struct oc_json *v, int64_t *out, oc_error_t *err)
{
	return get_signed(v, INT64_MIN, INT64_MAX, "a 64-bit integer", out, err);
}

int oc_json_get_int32(const struct oc_json *v, int32_t *out, oc_error_t *err)
{
	int64_t r;

	if (get_signed(v, INT32_MIN, INT32_MAX, "a 32-bit integer", &r, err) < 0)
		return -1;
	*out = (int32_t) r;
	return 0;
}

int oc_json_get_uint64(const struct oc_json *v, uint64_t *out, oc_error_t *err)
{
	return get_unsigned(v, UINT64_MAX, "an unsigned 64-bit integer", out, err);
}

int oc_json_get_uint32(const struct oc_json *v, uint32_t *out, oc_error_t *err)
{
	uint64_t r;

	if (get_unsigned(v, UINT32_MAX, "an unsigned 32-bit integer", &r, err) < 0)
		return -1;
	*out = (uint32_t) r;
	return 0;
}

int oc_json_get_uint16(const struct oc_json *v, uint16_t *out, oc_error_t *err)
{
	uint64_t r;

	if (get_unsigned(v, UINT16_MAX, "an unsigned 16-bit integer", &r, err) < 0)
		return -1;
	*out = (uint16_t) r;
	return 0;
}

int oc_json_get_double(const struct oc_json *v, double *out, oc_error_t *err)
{
	double r;
	char *end;

	if (v == NULL || v->type != OC_JSON_NUMBER)
		return oc_error_set(err, 0, "expected a number");
	errno = 0;
	r = strtod(v->u.str.s, &end);
	if (*end != '\0' || !isfinite(r))
		return oc_error_set(err, 0, NUM_FMT " is out of range for a number", NUM_ARG(v));
	*out = r;
	return 0;
}

/* ---- writer ------------------------------------------------------------ */

yajl_gen oc_json_gen_new(bool pretty, const char *indent)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g == NULL)
		abort();
	if (pretty) {
		yajl_gen_config(g, yajl_gen_beautify, 1);
		yajl_gen_config(g, yajl_gen_indent_string, indent ? indent : "\t");
	}
	yajl_gen_config(g, yajl_gen_escape_solidus, 0);
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	return g;
}

void oc_json_gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *) s, strlen(s));
}

void oc_json_gen_kstr(yajl_gen g, const char *key, const char *s)
{
	if (s == NULL)
		return;
	oc_json_gen_str(g, key);
	oc_json_gen_str(g, s);
}

void oc_json_gen_kint(yajl_gen g, const char *key, long long v)
{
	oc_json_gen_str(g, key);
	yajl_gen_integer(g, v);
}

void oc_json_gen_kuint(yajl_gen g, const char *key, unsigned long long v)
{
	char num[32];
	int n = snprintf(num, sizeof num, "%llu", v);

	oc_json_gen_str(g, key);
	yajl_gen_number(g, num, (size_t) n);
}

void oc_json_gen_kbool(yajl_gen g, const char *key, bool v)
{
	oc_json_gen_str(g, key);
	yajl_gen_bool(g, v);
}

void oc_json_gen_kstrv(yajl_gen g, const char *key, char *const *v, size_t n)
{
	oc_json_gen_str(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		oc_json_gen_str(g, v[i]);
	yajl_gen_array_close(g);
}

char *oc_json_gen_finish(yajl_gen g)
{
	const unsigned char *b = NULL;
	size_t len = 0;

	if (yajl_gen_get_buf(g, &b, &len) != yajl_gen_status_ok)
		abort();
	return oc_xstrndup((const char *) b, len);
}
