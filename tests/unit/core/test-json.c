/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The positioned JSON layer: syntax errors with line:col, duplicate keys,
 * NUL, depth and size limits, typed number getters, unicode escapes and
 * the writer helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "ocichroot/common.h"
#include "ocichroot/json.h"

static struct oc_json_doc *parse(const char *s, unsigned depth, oc_error_t *err)
{
	struct oc_json_doc *d = NULL;

	if (oc_json_parse(s, strlen(s), "f.json", 1 << 20, depth, &d, err) < 0)
		return NULL;
	return d;
}

static void expect_error(const char *js, unsigned depth, const char *want, const char *what)
{
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	cleanup_json_doc struct oc_json_doc *d = parse(js, depth, &err);

	TAP_OK(d == NULL, "refused: %s", what);
	TAP_STREQ(err.msg, want, "message: %s", what);
}

static void test_syntax(void)
{
	expect_error("", 8, "f.json:1:1: parse error: premature EOF", "empty input");
	expect_error("{\n  \"a\": 1,\n  \"b\": [1, 2,\n", 8, "f.json:4:1: parse error: premature EOF", "truncated");
	expect_error("{\n  \"a\": 1,\n  }", 8, "f.json:3:3: parse error: invalid object key (must be a string)",
		     "trailing comma");
	expect_error("{\"a\" 1}", 8, "f.json:1:6: parse error: object key and value must be separated by a colon (':')",
		     "missing colon");
	expect_error("[1, 2]\n  x", 8, "f.json:2:3: parse error: trailing garbage", "trailing garbage");
	expect_error("{\"a\":\n\t\"x\ny\"}", 8, "f.json:2:4: lexical error: invalid character inside string",
		     "raw newline in string");
	expect_error("{\"a\": \"\\uZZ\"}", 8,
		     "f.json:1:10: lexical error: invalid (non-hex) character occurs after '\\u' inside string",
		     "bad unicode escape");
	expect_error("{\"a\": 01}", 8, "f.json:1:8: parse error: after key and value, inside map, I expect ',' or '}'",
		     "leading zero");
	expect_error("// c\n{}", 8, "f.json:1:1: lexical error: probable comment found in input text, comments are not enabled",
		     "comments refused");
}

static void test_duplicates(void)
{
	expect_error("{\"a\": 1,\n \"b\": 2,\n \"a\": 3}", 8, "f.json:3:2: duplicate key \"a\" (first at 1:2)",
		     "top-level duplicate");
	expect_error("{\"x\": [{}, {\"k\": 1, \"k\": 1}]}", 8, "f.json:1:21: x[1]: duplicate key \"k\" (first at 1:13)",
		     "nested duplicate with path");
	/* the earliest duplicate in the file is the one reported */
	expect_error("{\"a\":1,\"a\":2,\"b\":{\"c\":1,\"c\":2}}", 8, "f.json:1:8: duplicate key \"a\" (first at 1:2)",
		     "earliest duplicate wins");
	/* a duplicate before a syntax error is reported, not the syntax error */
	expect_error("{\"a\":1,\"a\":2,\"b\":tru}", 8, "f.json:1:8: duplicate key \"a\" (first at 1:2)",
		     "duplicate before syntax error");
	expect_error("{\"a\":1,\"a\":2,\"b\":\"\\u0000\"}", 8, "f.json:1:8: duplicate key \"a\" (first at 1:2)",
		     "duplicate before NUL in the same open object");
	{
		cleanup_error oc_error_t err = OC_ERROR_INIT;
		cleanup_json_doc struct oc_json_doc *d = parse("{\"a\":{\"x\":1},\"b\":{\"x\":2}}", 8, &err);
		TAP_OK(d != NULL, "same key in sibling objects is fine");
	}
}

static void test_nul_and_unicode(void)
{
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	cleanup_json_doc struct oc_json_doc *d = NULL;
	const struct oc_json *v;

	expect_error("{\"a\": [\"x\\u0000y\"]}", 8, "f.json:1:8: a[0]: string contains a NUL character (\\u0000)",
		     "NUL in value");
	expect_error("{\"k\\u0000\": 1}", 8, "f.json:1:2: key contains a NUL character (\\u0000)", "NUL in key");

	d = parse("{\"e\": \"caf\\u00e9\", \"s\": \"\\ud83d\\ude00\", \"esc\": \"a\\/b\\\"c\\\\d\\te\", \"raw\": \"\xc3\xa9\"}",
		  8, &err);
	TAP_OK(d != NULL, "unicode document parses (%s)", err.msg ? err.msg : "ok");
	if (d == NULL)
		return;
	v = oc_json_get(oc_json_doc_root(d), "e");
	TAP_STREQ(v ? v->u.str.s : NULL, "caf\xc3\xa9", "\\u00e9 decodes to UTF-8");
	v = oc_json_get(oc_json_doc_root(d), "s");
	TAP_STREQ(v ? v->u.str.s : NULL, "\xf0\x9f\x98\x80", "surrogate pair decodes to one code point");
	v = oc_json_get(oc_json_doc_root(d), "esc");
	TAP_STREQ(v ? v->u.str.s : NULL, "a/b\"c\\d\te", "simple escapes");
	TAP_OK(v && v->u.str.len == 9, "length kept");
	v = oc_json_get(oc_json_doc_root(d), "raw");
	TAP_STREQ(v ? v->u.str.s : NULL, "\xc3\xa9", "raw UTF-8 kept");
	expect_error("{\"a\": \"\xc3\"}", 8, "f.json:1:10: lexical error: invalid bytes in UTF8 string", "invalid UTF-8");
}

static void test_limits(void)
{
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	cleanup_json_doc struct oc_json_doc *d = NULL;
	cleanup_free char *big = NULL;

	d = parse("[[[[1]]]]", 4, &err);
	TAP_OK(d != NULL, "depth equal to the limit accepted");
	expect_error("[[[[[1]]]]]", 4, "f.json:1:5: [0][0][0][0]: nested deeper than 4 levels", "depth over the limit");
	expect_error("{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}", 4, "f.json:1:21: a.b.c.d: nested deeper than 4 levels",
		     "depth over the limit in objects");

	big = oc_xstrdup("[1, 2, 3, 4]");
	{
		struct oc_json_doc *d2 = NULL;
		TAP_OK(oc_json_parse(big, strlen(big), "f.json", 11, 8, &d2, &err) < 0, "size over the limit refused");
		TAP_STREQ(err.msg, "f.json: larger than 11 bytes", "size message");
		TAP_OK(oc_json_parse(big, strlen(big), "f.json", 12, 8, &d2, &err) == 0, "size at the limit accepted");
		oc_json_doc_free(d2);
	}
}

static void test_positions(void)
{
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	cleanup_json_doc struct oc_json_doc *d = parse("{\n\t\"a\": [1,\n\t  \"two\", {\"k\": null}],\n  \"b\":true}", 8, &err);
	const struct oc_json *root, *a;

	TAP_OK(d != NULL, "positions document parses");
	if (d == NULL)
		return;
	root = oc_json_doc_root(d);
	TAP_OK(root->type == OC_JSON_OBJECT && root->line == 1 && root->col == 1, "root at 1:1");
	TAP_OK(root->u.object.n == 2 && root->u.object.members[0].key_line == 2 &&
		       root->u.object.members[0].key_col == 2,
	       "key a at 2:2");
	a = oc_json_get(root, "a");
	TAP_OK(a && a->type == OC_JSON_ARRAY && a->line == 2 && a->col == 7, "array at 2:7");
	TAP_OK(a && a->u.array.n == 3 && a->u.array.items[0]->line == 2 && a->u.array.items[0]->col == 8,
	       "1 at 2:8");
	TAP_OK(a && a->u.array.n == 3 && a->u.array.items[1]->line == 3 && a->u.array.items[1]->col == 4,
	       "\"two\" at 3:4");
	TAP_OK(a && a->u.array.n == 3 && a->u.array.items[2]->col == 11 &&
		       oc_json_get(a->u.array.items[2], "k")->type == OC_JSON_NULL &&
		       oc_json_get(a->u.array.items[2], "k")->col == 17,
	       "object and null positions");
	TAP_OK(oc_json_get(root, "b") && oc_json_get(root, "b")->line == 4 && oc_json_get(root, "b")->col == 7,
	       "true at 4:7");
	TAP_OK(oc_json_get(root, "missing") == NULL && oc_json_get(a, "x") == NULL, "get on absent / non-object");
	oc_json_error(a, &err, "a: %s", "bad");
	TAP_STREQ(err.msg, "f.json:2:7: a: bad", "oc_json_error prefixes file:line:col");
}

struct numcase {
	const char *text;
	int kind; /* 0 i64, 1 u64, 2 i32, 3 u32, 4 u16 */
	const char *want_err;
};

static void test_numbers(void)
{
	static const struct numcase cases[] = {
		{"9223372036854775807", 0, NULL},
		{"-9223372036854775808", 0, NULL},
		{"9223372036854775808", 0, "9223372036854775808 is out of range for a 64-bit integer"},
		{"-9223372036854775809", 0, "-9223372036854775809 is out of range for a 64-bit integer"},
		{"18446744073709551615", 1, NULL},
		{"18446744073709551616", 1, "18446744073709551616 is out of range for an unsigned 64-bit integer"},
		{"-1", 1, "-1 is out of range for an unsigned 64-bit integer"},
		{"-0", 1, NULL},
		{"2147483647", 2, NULL},
		{"-2147483648", 2, NULL},
		{"2147483648", 2, "2147483648 is out of range for a 32-bit integer"},
		{"4294967295", 3, NULL},
		{"4294967296", 3, "4294967296 is out of range for an unsigned 32-bit integer"},
		{"1e3", 3, "expected an unsigned 32-bit integer, got 1e3"},
		{"1.0", 0, "expected a 64-bit integer, got 1.0"},
		{"65535", 4, NULL},
		{"65536", 4, "65536 is out of range for an unsigned 16-bit integer"},
		{"123456789012345678901234567890123456789012345678901234567890", 0,
		 "1234567890123456789012345678901234567890... is out of range for a 64-bit integer"},
	};

	for (size_t i = 0; i < OC_ARRAY_SIZE(cases); i++) {
		cleanup_error oc_error_t err = OC_ERROR_INIT;
		cleanup_free char *js = oc_xasprintf("[%s]", cases[i].text);
		cleanup_json_doc struct oc_json_doc *d = parse(js, 4, &err);
		const struct oc_json *v;
		int r = -1;

		if (d == NULL) {
			TAP_OK(0, "number %s parses: %s", cases[i].text, err.msg);
			continue;
		}
		v = oc_json_doc_root(d)->u.array.items[0];
		switch (cases[i].kind) {
		case 0: {
			int64_t x;
			r = oc_json_get_int64(v, &x, &err);
			if (r == 0)
				TAP_OK(strtoll(cases[i].text, NULL, 10) == x, "int64 %s value", cases[i].text);
			break;
		}
		case 1: {
			uint64_t x;
			r = oc_json_get_uint64(v, &x, &err);
			if (r == 0)
				TAP_OK(cases[i].text[0] == '-' ? x == 0 : strtoull(cases[i].text, NULL, 10) == x,
				       "uint64 %s value", cases[i].text);
			break;
		}
		case 2: {
			int32_t x;
			r = oc_json_get_int32(v, &x, &err);
			if (r == 0)
				TAP_OK(strtol(cases[i].text, NULL, 10) == x, "int32 %s value", cases[i].text);
			break;
		}
		case 3: {
			uint32_t x;
			r = oc_json_get_uint32(v, &x, &err);
			if (r == 0)
				TAP_OK(strtoul(cases[i].text, NULL, 10) == x, "uint32 %s value", cases[i].text);
			break;
		}
		case 4: {
			uint16_t x;
			r = oc_json_get_uint16(v, &x, &err);
			if (r == 0)
				TAP_OK(x == 65535, "uint16 %s value", cases[i].text);
			break;
		}
		}
		if (cases[i].want_err == NULL)
			TAP_OK(r == 0, "%s accepted", cases[i].text);
		else
			TAP_STREQ(r < 0 ? err.msg : "(accepted)", cases[i].want_err, "%s refused", cases[i].text);
	}

	{
		cleanup_error oc_error_t err = OC_ERROR_INIT;
		cleanup_json_doc struct oc_json_doc *d = parse("[\"5\", true, 2.5, 1e999, null]", 4, &err);
		const struct oc_json *const *it = d ? oc_json_doc_root(d)->u.array.items : NULL;
		uint32_t u;
		double x;
		bool b;
		const char *s;

		TAP_OK(d != NULL, "typed getter document parses");
		if (d == NULL)
			return;
		TAP_OK(oc_json_get_uint32(it[0], &u, &err) < 0, "string is no number");
		TAP_STREQ(err.msg, "expected an unsigned 32-bit integer", "wrong type message is bare");
		TAP_OK(oc_json_get_string(it[0], &s, &err) == 0 && strcmp(s, "5") == 0, "string getter");
		TAP_OK(oc_json_get_bool(it[1], &b, &err) == 0 && b, "bool getter");
		TAP_OK(oc_json_get_bool(it[0], &b, &err) < 0, "bool getter on string");
		TAP_STREQ(err.msg, "expected a boolean", "bool message");
		TAP_OK(oc_json_get_double(it[2], &x, &err) == 0 && x == 2.5, "double getter");
		TAP_OK(oc_json_get_double(it[3], &x, &err) < 0, "double overflow refused");
		TAP_STREQ(err.msg, "1e999 is out of range for a number", "double range message");
		TAP_OK(oc_json_get_string(it[4], &s, &err) < 0, "null is no string");
		TAP_OK(it[4]->type == OC_JSON_NULL, "null node");
	}
}

static void test_writer(void)
{
	cleanup_json_gen yajl_gen g = oc_json_gen_new(false, NULL);
	cleanup_free char *out = NULL;
	char *const v[] = {"a", "b/c"};

	yajl_gen_map_open(g);
	oc_json_gen_kstr(g, "path", "/run/x");
	oc_json_gen_kstr(g, "skipped", NULL);
	oc_json_gen_kint(g, "i", -5);
	oc_json_gen_kuint(g, "u", 18446744073709551615ULL);
	oc_json_gen_kbool(g, "b", true);
	oc_json_gen_kstrv(g, "v", v, 2);
	yajl_gen_map_close(g);
	out = oc_json_gen_finish(g);
	TAP_STREQ(out, "{\"path\":\"/run/x\",\"i\":-5,\"u\":18446744073709551615,\"b\":true,\"v\":[\"a\",\"b/c\"]}",
		  "compact writer, '/' not escaped, NULL strings skipped");

	{
		cleanup_json_gen yajl_gen p = oc_json_gen_new(true, "\t");
		cleanup_free char *o2 = NULL;
		yajl_gen_map_open(p);
		oc_json_gen_kint(p, "a", 1);
		yajl_gen_map_close(p);
		o2 = oc_json_gen_finish(p);
		TAP_STREQ(o2, "{\n\t\"a\": 1\n}\n", "pretty writer indents with the given string");
	}
}

static void test_read_file(void)
{
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	cleanup_free char *buf = NULL;
	char tmpl[] = "/tmp/test-json-XXXXXX";
	size_t len = 0;
	int fd = mkstemp(tmpl);

	TAP_OK(fd >= 0, "temp file");
	if (fd < 0)
		return;
	TAP_OK(write(fd, "{\"a\":1}", 7) == 7, "write temp file");
	close(fd);
	TAP_OK(oc_json_read_file(tmpl, 7, &buf, &len, &err) == 0 && len == 7 && strcmp(buf, "{\"a\":1}") == 0,
	       "read within the limit");
	TAP_OK(oc_json_read_file(tmpl, 6, &buf, &len, &err) < 0, "read over the limit refused");
	{
		cleanup_free char *want = oc_xasprintf("%s: larger than 6 bytes", tmpl);
		TAP_STREQ(err.msg, want, "read limit message");
	}
	unlink(tmpl);
	TAP_OK(oc_json_read_file("/nonexistent.json", 10, &buf, &len, &err) < 0, "missing file");
	TAP_STREQ(err.msg, "open `/nonexistent.json`: No such file or directory", "missing file message");
}

int main(void)
{
	test_syntax();
	test_duplicates();
	test_nul_and_unicode();
	test_limits();
	test_positions();
	test_numbers();
	test_writer();
	test_read_file();
	return tap_done();
}
