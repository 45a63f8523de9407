/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device access rules: the list (runc's order), the v1 devices.allow /
 * devices.deny lines, and for cgroup v2 an eBPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE written instruction by instruction (no
 * libbpf) and attached with bpf(2).
 *
 * Semantics of the program: a request asks for one or more of mknod, read,
 * write. Each asked bit is decided on its own by the last rule that names
 * the device and that bit; no such rule means deny. So "deny c 1:3 w"
 * after "allow c *:* rwm" denies an open of /dev/null for read+write: a
 * request that a deny rule touches in any bit is refused, which is the
 * safe reading of an overlapping list. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/log.h"

#include "cgroup-int.h"

/* ---- the rule list ---------------------------------------------------------- */

static const struct oc_cg_dev_rule default_rules[] = {
	{true, 'c', -1, -1, OC_CG_ACC_MKNOD}, /* mknod of any device: using it */
	{true, 'b', -1, -1, OC_CG_ACC_MKNOD}, /* still needs read/write rules */
	{true, 'c', 1, 3, 7},		      /* /dev/null */
	{true, 'c', 1, 8, 7},		      /* /dev/random */
	{true, 'c', 1, 7, 7},		      /* /dev/full */
	{true, 'c', 5, 0, 7},		      /* /dev/tty */
	{true, 'c', 1, 5, 7},		      /* /dev/zero */
	{true, 'c', 1, 9, 7},		      /* /dev/urandom */
	{true, 'c', 5, 1, 7},		      /* /dev/console */
	{true, 'c', 136, -1, 7},	      /* /dev/pts/N */
	{true, 'c', 5, 2, 7},		      /* /dev/ptmx */
	{true, 'c', 10, 200, 7},	      /* /dev/net/tun */
};

static int parse_access(const char *s, unsigned *out, oc_error_t *err)
{
	unsigned a = 0;
	if (s == NULL) {
		*out = 7;
		return 0;
	}
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case 'r':
			a |= OC_CG_ACC_READ;
			break;
		case 'w':
			a |= OC_CG_ACC_WRITE;
			break;
		case 'm':
			a |= OC_CG_ACC_MKNOD;
			break;
		default:
			return oc_error_set(err, 0, "invalid device access \"%s\"", s);
		}
	}
	if (a == 0)
		return oc_error_set(err, 0, "invalid device access \"%s\"", s);
	*out = a;
	return 0;
}

/* Majors and minors become 32-bit immediates; keep them where the
 * kernel's dev_t can have them (12 and 20 bits) so no sign extension
 * turns a rule into another. */
static int check_num(int64_t v, const char *what, oc_error_t *err)
{
	if (v < -1 || v > (1 << 20))
		return oc_error_set(err, 0, "invalid device %s %" PRId64, what, v);
	return 0;
}

int oc_cg_dev_rules(const struct oc_spec_resources *r, const struct oc_spec_device *devices, size_t n_devices,
		    bool default_devices, struct oc_cg_dev_rule **out, size_t *n_out, oc_error_t *err)
{
	size_t nr = r ? r->n_devices : 0;
	size_t cap = nr + n_devices + (default_devices ? OC_ARRAY_SIZE(default_rules) : 0);
	cleanup_free struct oc_cg_dev_rule *v = oc_xcalloc(cap + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < nr; i++) {
		const struct oc_spec_device_rule *d = &r->devices[i];
		struct oc_cg_dev_rule x = {d->allow, d->type ? d->type : 'a', d->has_major ? d->major : -1,
					   d->has_minor ? d->minor : -1, 0};
		if (x.type != 'a' && x.type != 'c' && x.type != 'b')
			return oc_error_set(err, 0, "invalid device rule type '%c'", x.type);
		if (parse_access(d->access, &x.access, err) < 0 || check_num(x.major, "major", err) < 0 ||
		    check_num(x.minor, "minor", err) < 0)
			return -1;
		if (x.type == 'a')
			x.major = x.minor = -1;
		v[n++] = x;
	}
	for (size_t i = 0; i < n_devices; i++) {
		const struct oc_spec_device *d = &devices[i];
		char t = d->type == 'b' ? 'b' : (d->type == 'c' || d->type == 'u') ? 'c' : 0;
		if (t == 0)
			continue; /* fifos are not device-controlled */
		if (check_num(d->major, "major", err) < 0 || check_num(d->minor, "minor", err) < 0)
			return -1;
		v[n++] = (struct oc_cg_dev_rule){true, t, d->major, d->minor, 7};
	}
	if (default_devices)
		for (size_t i = 0; i < OC_ARRAY_SIZE(default_rules); i++)
			v[n++] = default_rules[i];
	*out = steal_pointer(&v);
	*n_out = n;
	return 0;
}

char *oc_cg_dev_rule_string(const struct oc_cg_dev_rule *r)
{
	if (r->type == 'a')
		return oc_xstrdup("a");
	char maj[24], min[24], acc[4];
	size_t k = 0;
	if (r->major < 0)
		strcpy(maj, "*");
	else
		snprintf(maj, sizeof(maj), "%" PRId64, r->major);
	if (r->minor < 0)
		strcpy(min, "*");
	else
		snprintf(min, sizeof(min), "%" PRId64, r->minor);
	if (r->access & OC_CG_ACC_READ)
		acc[k++] = 'r';
	if (r->access & OC_CG_ACC_WRITE)
		acc[k++] = 'w';
	if (r->access & OC_CG_ACC_MKNOD)
		acc[k++] = 'm';
	acc[k] = '\0';
	return oc_xasprintf("%c %s:%s %s", r->type, maj, min, acc);
}

int oc_cg_dev_v1_apply(const char *dir, const struct oc_cg_dev_rule *rules, size_t n, oc_error_t *err)
{
	/* Start from "deny all" (runc's whitelist default), then replay the
	 * list in order: the kernel's own last-rule-wins bookkeeping. */
	if (oc_cg_write(dir, "devices.deny", "a", err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *s = oc_cg_dev_rule_string(&rules[i]);
		if (oc_cg_write(dir, rules[i].allow ? "devices.allow" : "devices.deny", s, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- the program ---------------------------------------------------------------- */

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(d, s, o) INSN(BPF_LDX | BPF_W | BPF_MEM, d, s, o, 0)
#define ALU_K(op, d, i) INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define MOV_X(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define JMP_K(op, d, i, o) INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JA(o) INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers: r2 device type, r3 access bits, r4 major, r5 minor, r6
 * scratch. Layout of struct bpf_cgroup_dev_ctx: access_type (type in the
 * low 16 bits, access in the high 16), major, minor. */
enum { R0 = 0, R1, R2, R3, R4, R5, R6 };

struct prog {
	struct bpf_insn *v;
	size_t n, cap;
};

static size_t emit(struct prog *p, struct bpf_insn i)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->v = oc_xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n] = i;
	return p->n++;
}

/* Patch the jump at `at` to land on the next instruction emitted. */
static int land_here(struct prog *p, size_t at, oc_error_t *err)
{
	size_t off = p->n - at - 1;
	if (off > INT16_MAX)
		return oc_error_set(err, 0, "too many device rules for one cgroup device program");
	p->v[at].off = (int16_t) off;
	return 0;
}

static int emit_bit(struct prog *p, const struct oc_cg_dev_rule *rules, size_t n, unsigned bit, oc_error_t *err)
{
	size_t skip_bit, to_end[4096];
	size_t n_end = 0;
	bool catch_all = false;
	emit(p, MOV_X(R6, R3));
	emit(p, ALU_K(BPF_AND, R6, (int32_t) bit));
	skip_bit = emit(p, JMP_K(BPF_JEQ, R6, 0, 0));
	for (size_t k = n; k-- > 0;) {
		const struct oc_cg_dev_rule *r = &rules[k];
		if (!(r->access & bit))
			continue;
		size_t next[3];
		size_t nn = 0;
		if (r->type != 'a') {
			next[nn++] = emit(p, JMP_K(BPF_JNE, R2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0));
			if (r->major >= 0)
				next[nn++] = emit(p, JMP_K(BPF_JNE, R4, (int32_t) r->major, 0));
			if (r->minor >= 0)
				next[nn++] = emit(p, JMP_K(BPF_JNE, R5, (int32_t) r->minor, 0));
		}
		if (r->allow) {
			if (n_end == OC_ARRAY_SIZE(to_end))
				return oc_error_set(err, 0, "too many device rules for one cgroup device program");
			to_end[n_end++] = emit(p, JA(0));
		} else {
			emit(p, ALU_K(BPF_MOV, R0, 0));
			emit(p, EXIT());
		}
		for (size_t j = 0; j < nn; j++)
			if (land_here(p, next[j], err) < 0)
				return -1;
		if (r->type == 'a') {
			/* nothing before it is reached */
			catch_all = true;
			break;
		}
	}
	/* no rule for this bit: deny. Not emitted after a catch-all rule,
	 * as the verifier refuses unreachable instructions. */
	if (!catch_all) {
		emit(p, ALU_K(BPF_MOV, R0, 0));
		emit(p, EXIT());
	}
	if (land_here(p, skip_bit, err) < 0)
		return -1;
	for (size_t j = 0; j < n_end; j++)
		if (land_here(p, to_end[j], err) < 0)
			return -1;
	return 0;
}

int oc_cg_dev_program(const struct oc_cg_dev_rule *rules, size_t n, struct bpf_insn **out, size_t *n_insns,
		      oc_error_t *err)
{
	struct prog p = {0};
	emit(&p, LDX_W(R2, R1, 0));
	emit(&p, MOV_X(R3, R2));
	emit(&p, ALU_K(BPF_RSH, R3, 16));
	emit(&p, ALU_K(BPF_AND, R2, 0xffff));
	emit(&p, LDX_W(R4, R1, 4));
	emit(&p, LDX_W(R5, R1, 8));
	static const unsigned bits[] = {BPF_DEVCG_ACC_MKNOD, BPF_DEVCG_ACC_READ, BPF_DEVCG_ACC_WRITE};
	for (size_t b = 0; b < OC_ARRAY_SIZE(bits); b++) {
		if (emit_bit(&p, rules, n, bits[b], err) < 0) {
			free(p.v);
			return -1;
		}
	}
	emit(&p, ALU_K(BPF_MOV, R0, 1));
	emit(&p, EXIT());
	*out = p.v;
	*n_insns = p.n;
	return 0;
}

/* OC_CG_ACC_* are the kernel's BPF_DEVCG_ACC_* values */
_Static_assert(OC_CG_ACC_MKNOD == BPF_DEVCG_ACC_MKNOD && OC_CG_ACC_READ == BPF_DEVCG_ACC_READ &&
		       OC_CG_ACC_WRITE == BPF_DEVCG_ACC_WRITE,
	       "access bits");

/* ---- bpf(2) ------------------------------------------------------------------------ */

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int) syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int prog_load(const struct bpf_insn *insns, size_t n, oc_error_t *err)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t) (uintptr_t) insns;
	a.insn_cnt = (uint32_t) n;
	a.license = (uint64_t) (uintptr_t) "GPL";
	int fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd >= 0)
		return fd;
	int e = errno;
	/* Load again with the verifier log, only to explain the failure. */
	char log[4096] = "";
	a.log_buf = (uint64_t) (uintptr_t) log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	int fd2 = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd2 >= 0)
		close(fd2);
	log[sizeof(log) - 1] = '\0';
	if (*log)
		oc_debug("cgroup: bpf verifier: %s", log);
	return oc_error_set(err, e, "load the cgroup device program (%zu instructions)", n);
}

int oc_cg_dev_bpf_apply(const char *dir, const struct oc_cg_dev_rule *rules, size_t n, oc_error_t *err)
{
	cleanup_free struct bpf_insn *insns = NULL;
	size_t ni = 0;
	if (oc_cg_dev_program(rules, n, &insns, &ni, err) < 0)
		return -1;
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return oc_error_sys(err, "open `%s`", dir);

	/* The programs there before (an update replaces them) */
	uint32_t ids[64];
	union bpf_attr q;
	memset(&q, 0, sizeof(q));
	q.query.target_fd = (uint32_t) dfd;
	q.query.attach_type = BPF_CGROUP_DEVICE;
	q.query.prog_ids = (uint64_t) (uintptr_t) ids;
	q.query.prog_cnt = OC_ARRAY_SIZE(ids);
	uint32_t n_old = 0;
	if (sys_bpf(BPF_PROG_QUERY, &q) == 0)
		n_old = q.query.prog_cnt < OC_ARRAY_SIZE(ids) ? q.query.prog_cnt : OC_ARRAY_SIZE(ids);

	cleanup_close int pfd = prog_load(insns, ni, err);
	if (pfd < 0)
		return -1;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t) dfd;
	a.attach_bpf_fd = (uint32_t) pfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
		return oc_error_sys(err, "attach the cgroup device program to `%s`", dir);

	/* New first, old out: no moment without a filter. */
	for (uint32_t i = 0; i < n_old; i++) {
		union bpf_attr g;
		memset(&g, 0, sizeof(g));
		g.prog_id = ids[i];
		cleanup_close int ofd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &g);
		if (ofd < 0)
			continue;
		union bpf_attr d;
		memset(&d, 0, sizeof(d));
		d.target_fd = (uint32_t) dfd;
		d.attach_bpf_fd = (uint32_t) ofd;
		d.attach_type = BPF_CGROUP_DEVICE;
		if (sys_bpf(BPF_PROG_DETACH, &d) < 0 && errno != ENOENT)
			return oc_error_sys(err, "detach the previous cgroup device program from `%s`", dir);
	}
	return 0;
}
