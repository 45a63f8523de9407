/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON with positions. yajl_parse() is driven through callbacks into a
 * small DOM where every value and key remembers where it started, so a
 * decoder can say "config.json:14:19: process.user.uid: ...". Duplicate
 * keys, NUL in strings, over-deep nesting and over-large input are refused
 * at parse time (STYLE.md, "yajl, concretely"). Numbers are kept as their
 * text and converted by the typed getters, which report exact range errors.
 * The document owns every node; nodes are read-only. */
#ifndef OCICHROOT_JSON_H
#define OCICHROOT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>

#include "ocichroot/error.h"

enum oc_json_type {
	OC_JSON_NULL = 0,
	OC_JSON_BOOL,
	OC_JSON_NUMBER,
	OC_JSON_STRING,
	OC_JSON_ARRAY,
	OC_JSON_OBJECT,
};

struct oc_json;

struct oc_json_member {
	const char *key;
	uint32_t key_line, key_col;
	const struct oc_json *value;
};

struct oc_json {
	enum oc_json_type type;
	uint32_t line, col; /* 1-based; col counts bytes */
	const char *file;   /* the document's file name, for errors */
	union {
		bool boolean;
		struct {
			const char *s; /* string (no NUL inside) or number text */
			size_t len;
		} str;
		struct {
			const struct oc_json **items;
			size_t n;
		} array;
		struct {
			const struct oc_json_member *members; /* file order */
			size_t n;
		} object;
	} u;
};

struct oc_json_doc;

/* Parse buf[0..len). filename is used in error messages and in every
 * node. Input longer than max_size or nested deeper than max_depth is
 * refused. Errors: "FILE:LINE:COL: message". */
int oc_json_parse(const char *buf, size_t len, const char *filename, size_t max_size, unsigned max_depth,
		  struct oc_json_doc **out, oc_error_t *err);
const struct oc_json *oc_json_doc_root(const struct oc_json_doc *doc);
const char *oc_json_doc_filename(const struct oc_json_doc *doc);
void oc_json_doc_free(struct oc_json_doc *doc);
static inline void oc_json_doc_freep(struct oc_json_doc **d)
{
	oc_json_doc_free(*d);
}
#define cleanup_json_doc __attribute__((cleanup(oc_json_doc_freep)))

/* Read a whole file (refusing more than max_size bytes) into a malloc'd,
 * NUL-terminated buffer. */
int oc_json_read_file(const char *path, size_t max_size, char **buf, size_t *len, oc_error_t *err);

/* Member `key` of an object, NULL when absent or when obj is no object. */
const struct oc_json *oc_json_get(const struct oc_json *obj, const char *key);
const char *oc_json_type_name(enum oc_json_type t);
/* For error positions: member `key` of obj, or obj itself when absent (NULL
 * only when obj is); element i of array member `key`, else the same. */
const struct oc_json *oc_json_at(const struct oc_json *obj, const char *key);
const struct oc_json *oc_json_at_item(const struct oc_json *obj, const char *key, size_t i); /* "a string", "an object", ... */

/* "FILE:LINE:COL: " + the formatted message, at node `at` (which may be
 * NULL: then no position is given). Returns -1. */
int oc_json_error(const struct oc_json *at, oc_error_t *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Typed getters. They return 0, or -1 with err set to a message WITHOUT
 * position or path ("expected an unsigned 32-bit integer",
 * "4294967296 is out of range for an unsigned 32-bit integer"); decoders
 * prefix both. Numbers must have integer syntax for the integer getters. */
int oc_json_get_bool(const struct oc_json *v, bool *out, oc_error_t *err);
int oc_json_get_string(const struct oc_json *v, const char **out, oc_error_t *err);
int oc_json_get_int64(const struct oc_json *v, int64_t *out, oc_error_t *err);
int oc_json_get_uint64(const struct oc_json *v, uint64_t *out, oc_error_t *err);
int oc_json_get_int32(const struct oc_json *v, int32_t *out, oc_error_t *err);
int oc_json_get_uint32(const struct oc_json *v, uint32_t *out, oc_error_t *err);
int oc_json_get_uint16(const struct oc_json *v, uint16_t *out, oc_error_t *err);
int oc_json_get_double(const struct oc_json *v, double *out, oc_error_t *err);

/* Writer helpers over yajl_gen (which callers may also use directly).
 * oc_json_gen_new(): pretty = indented with `indent` (e.g. "\t" or "  "),
 * else compact; '/' is never escaped. Never NULL. */
yajl_gen oc_json_gen_new(bool pretty, const char *indent);
void oc_json_gen_str(yajl_gen g, const char *s);
void oc_json_gen_kstr(yajl_gen g, const char *key, const char *s); /* skipped when s == NULL */
void oc_json_gen_kint(yajl_gen g, const char *key, long long v);
void oc_json_gen_kuint(yajl_gen g, const char *key, unsigned long long v);
void oc_json_gen_kbool(yajl_gen g, const char *key, bool v);
void oc_json_gen_kstrv(yajl_gen g, const char *key, char *const *v, size_t n); /* array of strings */
/* A malloc'd copy of the generated text. */
char *oc_json_gen_finish(yajl_gen g);
static inline void oc_json_gen_freep(yajl_gen *g)
{
	if (*g != NULL)
		yajl_gen_free(*g);
}
#define cleanup_json_gen __attribute__((cleanup(oc_json_gen_freep)))

#endif
