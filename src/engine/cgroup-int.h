/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to src/engine/cgroup*.c. */
#ifndef OC_CGROUP_INT_H
#define OC_CGROUP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>

#include "ocichroot/cgroup.h"

/* One directory of the container: in a v1 hierarchy or the v2 one. */
struct oc_cg_dir {
	char *key;  /* "cpu,cpuacct", "name=systemd", or "unified" */
	char *path; /* absolute */
	bool v2;
	bool owned; /* created by us: destroy removes it */
};

struct oc_cgroup {
	enum oc_cg_layout layout;
	struct oc_cg_dir *dirs;
	size_t n_dirs;
	bool rootless;
	/* hierarchies skipped (rootless), by key, so that a set resource on
	 * one of them reports "could not join or create cgroup" */
	char **skipped;
	size_t n_skipped;
};

/* ---- small file helpers (cgroup.c) ----------------------------------- */

int oc_cg_write(const char *dir, const char *file, const char *value, oc_error_t *err);
int oc_cg_writef(const char *dir, const char *file, oc_error_t *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The whole file, NUL-terminated, trailing newline kept. */
int oc_cg_read(const char *dir, const char *file, char **out, oc_error_t *err);
/* First line, trailing newline dropped. */
int oc_cg_read_line(const char *dir, const char *file, char **out, oc_error_t *err);
int oc_cg_read_u64(const char *dir, const char *file, uint64_t *out, oc_error_t *err);
bool oc_cg_exists(const char *dir, const char *file);
/* "key value" lines: the value of key, false when absent. */
bool oc_cg_kv(const char *text, const char *key, uint64_t *out);
/* Does the comma list contain name? */
bool oc_cg_list_has(const char *list, const char *name);

/* Where controller `name` lives for this cgroup: its directory and
 * whether it is v2; NULL when not mounted (or skipped). */
const struct oc_cg_dir *oc_cg_find(const struct oc_cgroup *cg, const char *name);
/* The same when v1 and v2 name it differently (blkio / io). */
const struct oc_cg_dir *oc_cg_find2(const struct oc_cgroup *cg, const char *v1name, const char *v2name);
const struct oc_cg_dir *oc_cg_v2_dir(const struct oc_cgroup *cg);
/* A hierarchy that would carry v1name was skipped (rootless). */
bool oc_cg_skipped(const struct oc_cgroup *cg, const char *v1name);
/* A v1 hierarchy of this cgroup carries the controller. */
bool oc_cg_v1_has(const struct oc_cgroup *cg, const char *name);
/* A v2 directory lists `name` in cgroup.controllers. */
bool oc_cg_v2_has(const char *dir, const char *name);

/* ---- devices ----------------------------------------------------------- */

#define OC_CG_ACC_MKNOD 1u
#define OC_CG_ACC_READ 2u
#define OC_CG_ACC_WRITE 4u

struct oc_cg_dev_rule {
	bool allow;
	char type;     /* 'a', 'c', 'b' */
	int64_t major; /* -1: any */
	int64_t minor; /* -1: any */
	unsigned access;
};

/* The rule list in runc's order: resources->devices, then an allow rwm per
 * linux.devices entry (fifos need none), then the defaults. */
int oc_cg_dev_rules(const struct oc_spec_resources *r, const struct oc_spec_device *devices, size_t n_devices,
		    bool default_devices, struct oc_cg_dev_rule **out, size_t *n, oc_error_t *err);
/* The BPF_PROG_TYPE_CGROUP_DEVICE program of the rules: for each access
 * bit asked, the last rule covering that bit decides; none means deny. */
int oc_cg_dev_program(const struct oc_cg_dev_rule *rules, size_t n, struct bpf_insn **out, size_t *n_insns,
		      oc_error_t *err);
/* Load the program and attach it to the v2 directory with
 * BPF_F_ALLOW_MULTI, then detach the programs attached there before. */
int oc_cg_dev_bpf_apply(const char *dir, const struct oc_cg_dev_rule *rules, size_t n, oc_error_t *err);
/* The v1 lines: "a" to devices.deny, then each rule in order. */
int oc_cg_dev_v1_apply(const char *dir, const struct oc_cg_dev_rule *rules, size_t n, oc_error_t *err);
/* "c 1:3 rwm" */
char *oc_cg_dev_rule_string(const struct oc_cg_dev_rule *r);

#endif
