/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cgroup module without root: paths, conversions, the device program
 * (executed by a tiny eBPF interpreter below), and resources, pids, freezer
 * and statistics against fake cgroupfs trees in a temporary directory. */
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocichroot/cgroup.h"
#include "ocichroot/common.h"
#include "ocichroot/json.h"

#include "cgroup-int.h"
#include "../tap.h"

/* ---- helpers ------------------------------------------------------------- */

static char *tmp;

static void mkdirs(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	}
	mkdir(buf, 0755);
}

/* put("memory/ocichroot/t1/memory.max", "max\n") under root */
static void put(const char *root, const char *rel, const char *content)
{
	char *p = oc_xasprintf("%s/%s", root, rel);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	mkdirs(p);
	*slash = '/';
	FILE *f = fopen(p, "w");
	if (f == NULL) {
		perror(p);
		abort();
	}
	fputs(content, f);
	fclose(f);
	free(p);
}

static char *get(const char *root, const char *rel)
{
	static char buf[8192];
	char *p = oc_xasprintf("%s/%s", root, rel);
	FILE *f = fopen(p, "r");
	free(p);
	if (f == NULL)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static bool exists(const char *root, const char *rel)
{
	char *p = oc_xasprintf("%s/%s", root, rel);
	bool r = access(p, F_OK) == 0;
	free(p);
	return r;
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) flag;
	(void) ftw;
	return remove(p);
}

/* ---- paths ------------------------------------------------------------------ */

static void check_path(const char *id, const char *cp, bool systemd, const char *want)
{
	struct oc_cgroup_config c = {.id = id, .cgroups_path = cp, .systemd = systemd};
	cleanup_free char *out = NULL;
	oc_error_t err = OC_ERROR_INIT;
	int r = oc_cgroup_inner_path(&c, &out, &err);
	TAP_OK(r == 0, "inner path of %s%s ok", systemd ? "systemd " : "", cp ? cp : "(none)");
	TAP_STREQ(out, want, "inner path of %s%s", systemd ? "systemd " : "", cp ? cp : "(none)");
	if (r < 0)
		printf("# %s\n", err.msg);
	oc_error_clear(&err);
}

static void check_path_err(const char *cp, bool systemd, const char *want)
{
	struct oc_cgroup_config c = {.id = "x", .cgroups_path = cp, .systemd = systemd};
	cleanup_free char *out = NULL;
	oc_error_t err = OC_ERROR_INIT;
	int r = oc_cgroup_inner_path(&c, &out, &err);
	TAP_OK(r < 0, "inner path of %s refused", cp);
	TAP_STREQ(err.msg, want, "error for %s", cp);
	oc_error_clear(&err);
}

static void test_paths(void)
{
	check_path("abc", NULL, false, "/ocichroot/abc");
	check_path("abc", "", false, "/ocichroot/abc");
	check_path("abc", "/a/../../b/./c/", false, "/b/c");
	check_path("abc", "a/b", false, "a/b");
	check_path("abc", "../../x/y", false, "x/y");
	check_path("abc", "system.slice:ocichroot:abc", true, "/system.slice/ocichroot-abc.scope");
	check_path("abc", "a-b.slice:pre:n", true, "/a.slice/a-b.slice/pre-n.scope");
	check_path("abc", "-.slice:p:n", true, "/p-n.scope");
	check_path("abc", ":p:n", true, "/system.slice/p-n.scope");
	check_path("abc", "machine.slice::n", true, "/machine.slice/n.scope");
	check_path("abc", "a.slice:p:a-b.slice", true, "/a.slice/a-b.slice");
	check_path("abc", NULL, true, "/system.slice/ocichroot-abc.scope");
	check_path_err("/", false, "cgroupsPath \"/\" names the root cgroup");
	check_path_err("/..", false, "cgroupsPath \"/..\" names the root cgroup");
	check_path_err("bad", true,
		       "expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got \"bad\" instead");
	check_path_err("x--y.slice:p:n", true, "invalid slice name: x--y.slice");
	check_path_err("noslice:p:n", true, "invalid slice name: noslice");

	cleanup_free char *s = NULL;
	oc_error_t err = OC_ERROR_INIT;
	TAP_OK(oc_cgroup_expand_slice("a-b-c.slice", &s, &err) == 0, "expand a-b-c.slice");
	TAP_STREQ(s, "/a.slice/a-b.slice/a-b-c.slice", "expanded slice");
}

/* ---- conversions -------------------------------------------------------------- */

static void test_conversions(void)
{
	TAP_OK(oc_cgroup_shares_to_weight(0) == 0, "shares 0 stays unset");
	TAP_OK(oc_cgroup_shares_to_weight(2) == 1, "shares 2 -> weight 1");
	TAP_OK(oc_cgroup_shares_to_weight(1024) == 39, "shares 1024 -> weight 39");
	TAP_OK(oc_cgroup_shares_to_weight(262144) == 10000, "shares 262144 -> weight 10000");
	TAP_OK(oc_cgroup_blkio_to_io_weight(10) == 1, "blkio 10 -> io 1");
	TAP_OK(oc_cgroup_blkio_to_io_weight(500) == 4950, "blkio 500 -> io 4950");
	TAP_OK(oc_cgroup_blkio_to_io_weight(1000) == 10000, "blkio 1000 -> io 10000");

	int64_t v = 12345;
	oc_error_t err = OC_ERROR_INIT;
	TAP_OK(oc_cgroup_swap_to_v2(100, 200, &v, &err) == 1 && v == 100, "swap 200 limit 100 -> swap.max 100");
	TAP_OK(oc_cgroup_swap_to_v2(100, 100, &v, &err) == 1 && v == 0, "swap == limit -> swap.max 0");
	TAP_OK(oc_cgroup_swap_to_v2(100, -1, &v, &err) == 1 && v == -1, "swap -1 -> max");
	TAP_OK(oc_cgroup_swap_to_v2(-1, 0, &v, &err) == 1 && v == -1, "limit -1, swap unset -> max");
	TAP_OK(oc_cgroup_swap_to_v2(100, 0, &v, &err) == 0, "swap unset -> not written");
	TAP_OK(oc_cgroup_swap_to_v2(0, 200, &v, &err) < 0, "swap without limit refused");
	TAP_STREQ(err.msg, "unable to set swap limit without memory limit", "swap without limit message");
	oc_error_clear(&err);
	TAP_OK(oc_cgroup_swap_to_v2(200, 100, &v, &err) < 0, "swap below limit refused");
	TAP_STREQ(err.msg, "memory+swap limit should be >= memory limit", "swap below limit message");
	oc_error_clear(&err);
}

/* ---- device program ------------------------------------------------------------ */

/* Just the instructions oc_cg_dev_program emits; anything else fails. */
static int run_bpf(const struct bpf_insn *p, size_t n, uint32_t type, uint32_t access, uint32_t major, uint32_t minor)
{
	uint32_t ctx[3] = {type | (access << 16), major, minor};
	uint64_t r[11] = {0};
	r[1] = (uint64_t) (uintptr_t) ctx;
	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &p[pc];
		switch (i->code) {
		case BPF_LDX | BPF_W | BPF_MEM:
			r[i->dst_reg] = *(const uint32_t *) ((const char *) (uintptr_t) r[i->src_reg] + i->off);
			break;
		case BPF_ALU64 | BPF_MOV | BPF_X:
			r[i->dst_reg] = r[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = (uint64_t) (int64_t) i->imm;
			break;
		case BPF_ALU64 | BPF_AND | BPF_K:
			r[i->dst_reg] &= (uint64_t) (int64_t) i->imm;
			break;
		case BPF_ALU64 | BPF_RSH | BPF_K:
			r[i->dst_reg] >>= i->imm;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			if (r[i->dst_reg] == (uint64_t) (int64_t) i->imm)
				pc += (size_t) i->off;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (r[i->dst_reg] != (uint64_t) (int64_t) i->imm)
				pc += (size_t) i->off;
			break;
		case BPF_JMP | BPF_JA:
			pc += (size_t) i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int) r[0];
		default:
			return -1;
		}
	}
	return -2; /* fell off the end */
}

/* The verifier refuses unreachable instructions and jumps out of the
 * program: check both. */
static bool prog_sane(const struct bpf_insn *p, size_t n)
{
	bool *seen = calloc(n, 1), ok = true;
	size_t *stack = calloc(n + 1, sizeof(size_t)), sp = 0;
	stack[sp++] = 0;
	while (sp > 0) {
		size_t i = stack[--sp];
		if (i >= n) {
			ok = false;
			break;
		}
		if (seen[i])
			continue;
		seen[i] = true;
		uint8_t c = p[i].code;
		if (c == (BPF_JMP | BPF_EXIT))
			continue;
		if (BPF_CLASS(c) == BPF_JMP) {
			if (p[i].off < 0) {
				ok = false;
				break;
			}
			stack[sp++] = i + 1 + (size_t) p[i].off;
			if (BPF_OP(c) == BPF_JA)
				continue;
		}
		stack[sp++] = i + 1;
	}
	for (size_t i = 0; ok && i < n; i++)
		if (!seen[i])
			ok = false;
	free(seen);
	free(stack);
	return ok;
}

#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static void test_devices(void)
{
	struct oc_spec_device_rule sr[] = {
		{.allow = false, .type = 'a', .access = "rwm"},
		{.allow = true, .type = 'c', .has_major = true, .major = 1, .has_minor = true, .minor = 3},
		{.allow = true, .type = 'c', .has_major = true, .major = 136, .access = "rw"},
		{.allow = false, .type = 'c', .has_major = true, .major = 1, .has_minor = true, .minor = 3, .access = "w"},
	};
	struct oc_spec_resources res = {.devices = sr, .n_devices = OC_ARRAY_SIZE(sr)};
	struct oc_spec_device ld[] = {{.type = 'b', .major = 8, .minor = 1}, {.type = 'p'}};
	cleanup_free struct oc_cg_dev_rule *rules = NULL;
	size_t n = 0;
	oc_error_t err = OC_ERROR_INIT;
	TAP_OK(oc_cg_dev_rules(&res, ld, 2, false, &rules, &n, &err) == 0, "device rules built");
	TAP_OK(n == 5, "fifo gives no rule (%zu rules)", n);
	cleanup_free char *s0 = oc_cg_dev_rule_string(&rules[0]);
	cleanup_free char *s1 = oc_cg_dev_rule_string(&rules[1]);
	cleanup_free char *s2 = oc_cg_dev_rule_string(&rules[2]);
	cleanup_free char *s4 = oc_cg_dev_rule_string(&rules[4]);
	TAP_STREQ(s0, "a", "v1 line of deny all");
	TAP_STREQ(s1, "c 1:3 rwm", "v1 line of /dev/null");
	TAP_STREQ(s2, "c 136:* rw", "v1 line with wildcard minor");
	TAP_STREQ(s4, "b 8:1 rwm", "v1 line of a linux.devices entry");

	cleanup_free struct bpf_insn *prog = NULL;
	size_t ni = 0;
	TAP_OK(oc_cg_dev_program(rules, n, &prog, &ni, &err) == 0, "program generated (%zu insns)", ni);
	TAP_OK(ni > 6 && prog[0].code == (BPF_LDX | BPF_W | BPF_MEM) && prog[ni - 1].code == (BPF_JMP | BPF_EXIT),
	       "program starts with the ctx load and ends in exit");
	bool jumps_ok = true;
	for (size_t i = 0; i < ni; i++)
		if (BPF_CLASS(prog[i].code) == BPF_JMP && BPF_OP(prog[i].code) != BPF_EXIT &&
		    (prog[i].off < 0 || i + 1 + (size_t) prog[i].off >= ni))
			jumps_ok = false;
	TAP_OK(jumps_ok, "every jump is forward and inside the program");
	TAP_OK(prog_sane(prog, ni), "no unreachable instruction");
	TAP_OK(run_bpf(prog, ni, CHR, R, 1, 3) == 1, "read /dev/null allowed");
	TAP_OK(run_bpf(prog, ni, CHR, W, 1, 3) == 0, "write /dev/null denied by the later rule");
	TAP_OK(run_bpf(prog, ni, CHR, R | W, 1, 3) == 0, "read+write /dev/null denied");
	TAP_OK(run_bpf(prog, ni, CHR, M, 1, 3) == 1, "mknod /dev/null allowed");
	TAP_OK(run_bpf(prog, ni, CHR, R | W, 136, 7) == 1, "pts rw allowed");
	TAP_OK(run_bpf(prog, ni, CHR, M, 136, 7) == 0, "pts mknod denied");
	TAP_OK(run_bpf(prog, ni, BLK, R, 1, 3) == 0, "block 1:3 denied (type matters)");
	TAP_OK(run_bpf(prog, ni, BLK, R | W | M, 8, 1) == 1, "linux.devices block 8:1 allowed");
	TAP_OK(run_bpf(prog, ni, CHR, R, 1, 5) == 0, "unlisted /dev/zero denied");
	free(prog);
	prog = NULL;
	free(rules);
	rules = NULL;

	/* defaults only */
	TAP_OK(oc_cg_dev_rules(NULL, NULL, 0, true, &rules, &n, &err) == 0 && n == 12, "default rules");
	TAP_OK(oc_cg_dev_program(rules, n, &prog, &ni, &err) == 0, "default program");
	TAP_OK(prog_sane(prog, ni), "default program: all reachable");
	TAP_OK(run_bpf(prog, ni, CHR, R | W, 5, 0) == 1, "defaults: /dev/tty rw");
	TAP_OK(run_bpf(prog, ni, CHR, R | W, 10, 200) == 1, "defaults: /dev/net/tun rw");
	TAP_OK(run_bpf(prog, ni, BLK, M, 8, 0) == 1, "defaults: mknod of a block device");
	TAP_OK(run_bpf(prog, ni, BLK, R, 8, 0) == 0, "defaults: reading a block device denied");
	TAP_OK(run_bpf(prog, ni, CHR, R, 4, 1) == 0, "defaults: /dev/tty1 denied");
	free(prog);
	prog = NULL;
	free(rules);
	rules = NULL;

	/* allow all, then deny one: allowed except it */
	struct oc_spec_device_rule aa[] = {
		{.allow = true, .type = 'a'},
		{.allow = false, .type = 'b', .access = "rwm"},
	};
	struct oc_spec_resources r2 = {.devices = aa, .n_devices = 2};
	TAP_OK(oc_cg_dev_rules(&r2, NULL, 0, false, &rules, &n, &err) == 0, "allow-all rules");
	TAP_OK(oc_cg_dev_program(rules, n, &prog, &ni, &err) == 0, "allow-all program");
	TAP_OK(prog_sane(prog, ni), "allow-all program: all reachable");
	TAP_OK(run_bpf(prog, ni, CHR, R | W | M, 4, 1) == 1, "allow a: char allowed");
	TAP_OK(run_bpf(prog, ni, BLK, R, 8, 0) == 0, "allow a then deny b: block denied");
	free(prog);
	prog = NULL;
	free(rules);
	rules = NULL;

	/* nothing: deny all */
	TAP_OK(oc_cg_dev_program(NULL, 0, &prog, &ni, &err) == 0, "empty program");
	TAP_OK(prog_sane(prog, ni), "empty program: all reachable");
	TAP_OK(run_bpf(prog, ni, CHR, R, 1, 3) == 0, "no rule: denied");

	struct oc_spec_device_rule bad[] = {{.allow = true, .type = 'c', .access = "rx"}};
	struct oc_spec_resources r3 = {.devices = bad, .n_devices = 1};
	free(rules);
	rules = NULL;
	TAP_OK(oc_cg_dev_rules(&r3, NULL, 0, false, &rules, &n, &err) < 0, "bad access refused");
	TAP_STREQ(err.msg, "invalid device access \"rx\"", "bad access message");
	oc_error_clear(&err);
}

/* ---- fake v1 tree ----------------------------------------------------------------- */

static const char *const v1_leaf_files[][2] = {
	{"cpu,cpuacct/L/cpu.shares", "1024\n"},
	{"cpu,cpuacct/L/cpu.cfs_period_us", "100000\n"},
	{"cpu,cpuacct/L/cpu.cfs_quota_us", "-1\n"},
	{"cpu,cpuacct/L/cpu.cfs_burst_us", "0\n"},
	{"cpu,cpuacct/L/cpu.rt_period_us", "1000000\n"},
	{"cpu,cpuacct/L/cpu.rt_runtime_us", "0\n"},
	{"cpu,cpuacct/L/cpu.idle", "0\n"},
	{"cpu,cpuacct/L/cpu.stat", "nr_periods 7\nnr_throttled 2\nthrottled_time 9000\n"},
	{"cpu,cpuacct/L/cpuacct.usage", "123456789\n"},
	{"cpu,cpuacct/L/cpuacct.usage_percpu", "100000000 23456789 \n"},
	{"cpu,cpuacct/L/cpuacct.stat", "user 5\nsystem 3\n"},
	{"cpu,cpuacct/L/cgroup.procs", "1\n2\n"},
	{"memory/L/memory.limit_in_bytes", "9223372036854771712\n"},
	{"memory/L/memory.memsw.limit_in_bytes", "9223372036854771712\n"},
	{"memory/L/memory.soft_limit_in_bytes", "9223372036854771712\n"},
	{"memory/L/memory.kmem.tcp.limit_in_bytes", "9223372036854771712\n"},
	{"memory/L/memory.swappiness", "60\n"},
	{"memory/L/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n"},
	{"memory/L/memory.use_hierarchy", "1\n"},
	{"memory/L/memory.usage_in_bytes", "4096\n"},
	{"memory/L/memory.max_usage_in_bytes", "8192\n"},
	{"memory/L/memory.failcnt", "0\n"},
	{"memory/L/memory.stat", "cache 1024\nrss 2048\n"},
	{"memory/L/cgroup.procs", "2\n"},
	{"pids/L/pids.max", "max\n"},
	{"pids/L/pids.current", "3\n"},
	{"pids/L/cgroup.procs", ""},
	{"pids/L/sub/cgroup.procs", "3\n"},
	{"cpuset/cpuset.cpus", "0-3\n"},
	{"cpuset/cpuset.mems", "0\n"},
	{"cpuset/ocichroot/cpuset.cpus", "0-3\n"},
	{"cpuset/ocichroot/cpuset.mems", "0\n"},
	{"cpuset/L/cpuset.cpus", "\n"},
	{"cpuset/L/cpuset.mems", "\n"},
	{"cpuset/L/cgroup.procs", ""},
	{"devices/L/devices.allow", ""},
	{"devices/L/devices.deny", ""},
	{"devices/L/cgroup.procs", ""},
	{"freezer/L/freezer.state", "THAWED\n"},
	{"freezer/L/cgroup.procs", ""},
	{"blkio/L/blkio.weight", "100\n"},
	{"blkio/L/blkio.weight_device", ""},
	{"blkio/L/blkio.throttle.read_bps_device", ""},
	{"blkio/L/blkio.throttle.write_iops_device", ""},
	{"blkio/L/blkio.throttle.io_service_bytes_recursive", "8:0 Read 4096\n8:0 Write 0\nTotal 4096\n"},
	{"blkio/L/blkio.throttle.io_serviced_recursive", "8:0 Read 1\nTotal 1\n"},
	{"blkio/L/cgroup.procs", ""},
	{"name=systemd/L/cgroup.procs", ""},
};

static void fill(const char *root, const char *const files[][2], size_t n, const char *leaf)
{
	for (size_t i = 0; i < n; i++) {
		char rel[512];
		const char *f = files[i][0];
		const char *l = strstr(f, "/L/");
		if (strncmp(f, "L/", 2) == 0)
			snprintf(rel, sizeof(rel), "%s/%s", leaf, f + 2);
		else if (l != NULL)
			snprintf(rel, sizeof(rel), "%.*s/%s/%s", (int) (l - f), f, leaf, l + 3);
		else
			snprintf(rel, sizeof(rel), "%s", f);
		put(root, rel, files[i][1]);
	}
}

static bool has_str(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static void test_v1_fake(void)
{
	char *root = oc_xasprintf("%s/v1", tmp);
	mkdirs(root);
	fill(root, v1_leaf_files, OC_ARRAY_SIZE(v1_leaf_files), "ocichroot/t1");
	oc_cgroup_set_root_for_tests(root);

	enum oc_cg_layout lay;
	oc_error_t err = OC_ERROR_INIT;
	TAP_OK(oc_cgroup_detect(&lay, &err) == 0 && lay == OC_CG_V1, "fake v1 detected");

	struct oc_spec_memory mem = {.has_limit = true, .limit = 104857600, .has_swap = true, .swap = 209715200,
				     .has_reservation = true, .reservation = 52428800, .has_kernel_tcp = true,
				     .kernel_tcp = 1048576, .has_swappiness = true, .swappiness = 10,
				     .has_disable_oom_killer = true, .disable_oom_killer = true,
				     .has_use_hierarchy = true, .use_hierarchy = true, .has_kernel = true,
				     .kernel = 1048576};
	struct oc_spec_cpu cpu = {.has_shares = true, .shares = 512, .has_quota = true, .quota = 50000,
				  .has_period = true, .period = 100000, .has_burst = true, .burst = 1000,
				  .cpus = "1", .mems = "0", .has_idle = true, .idle = 0};
	struct oc_spec_pids pids = {.has_limit = true, .limit = 10};
	struct oc_spec_throttle_device rbps = {.major = 8, .minor = 0, .rate = 1048576};
	struct oc_spec_throttle_device wiops = {.major = 8, .minor = 0, .rate = 100};
	struct oc_spec_weight_device wd = {.major = 8, .minor = 0, .has_weight = true, .weight = 300};
	struct oc_spec_blockio bio = {.has_weight = true, .weight = 500, .weight_device = &wd, .n_weight_device = 1,
				      .throttle_read_bps_device = &rbps, .n_throttle_read_bps_device = 1,
				      .throttle_write_iops_device = &wiops, .n_throttle_write_iops_device = 1};
	struct oc_spec_device_rule dr[] = {{.allow = false, .type = 'a', .access = "rwm"}};
	struct oc_spec_resources res = {.memory = &mem, .cpu = &cpu, .pids = &pids, .blockio = &bio,
					.devices = dr, .n_devices = 1};
	struct oc_cgroup_config cfg = {.id = "t1", .resources = &res, .default_devices = true};
	cleanup_cgroup struct oc_cgroup *cg = NULL;
	int r = oc_cgroup_create(&cfg, &cg, &err);
	TAP_OK(r == 0 && cg != NULL, "create on fake v1 (existing leaf joined)");
	if (r < 0) {
		printf("# %s\n", err.msg);
		oc_error_clear(&err);
		return;
	}
	TAP_OK(oc_cgroup_layout(cg) == OC_CG_V1, "layout v1");
	TAP_STREQ(get(root, "memory/ocichroot/t1/memory.limit_in_bytes"), "104857600", "memory.limit_in_bytes");
	TAP_STREQ(get(root, "memory/ocichroot/t1/memory.memsw.limit_in_bytes"), "209715200", "memsw");
	TAP_STREQ(get(root, "memory/ocichroot/t1/memory.soft_limit_in_bytes"), "52428800", "soft limit");
	TAP_STREQ(get(root, "memory/ocichroot/t1/memory.kmem.tcp.limit_in_bytes"), "1048576", "kmem.tcp");
	TAP_OK(!exists(root, "memory/ocichroot/t1/memory.kmem.limit_in_bytes"), "absent kmem file ignored");
	TAP_STREQ(get(root, "memory/ocichroot/t1/memory.swappiness"), "10", "swappiness");
	TAP_STREQ(get(root, "memory/ocichroot/t1/memory.oom_control"), "1", "oom killer disabled");
	TAP_STREQ(get(root, "cpu,cpuacct/ocichroot/t1/cpu.shares"), "512", "cpu.shares");
	TAP_STREQ(get(root, "cpu,cpuacct/ocichroot/t1/cpu.cfs_quota_us"), "50000", "cfs quota");
	TAP_STREQ(get(root, "cpu,cpuacct/ocichroot/t1/cpu.cfs_period_us"), "100000", "cfs period");
	TAP_STREQ(get(root, "cpu,cpuacct/ocichroot/t1/cpu.cfs_burst_us"), "1000", "cfs burst");
	TAP_STREQ(get(root, "cpuset/ocichroot/t1/cpuset.cpus"), "1", "cpuset.cpus");
	TAP_STREQ(get(root, "pids/ocichroot/t1/pids.max"), "10", "pids.max");
	TAP_STREQ(get(root, "blkio/ocichroot/t1/blkio.weight"), "500", "blkio.weight");
	TAP_STREQ(get(root, "blkio/ocichroot/t1/blkio.weight_device"), "8:0 300", "blkio.weight_device");
	TAP_STREQ(get(root, "blkio/ocichroot/t1/blkio.throttle.read_bps_device"), "8:0 1048576", "read bps");
	TAP_STREQ(get(root, "blkio/ocichroot/t1/blkio.throttle.write_iops_device"), "8:0 100", "write iops");
	TAP_STREQ(get(root, "devices/ocichroot/t1/devices.deny"), "a", "devices.deny a");
	TAP_STREQ(get(root, "devices/ocichroot/t1/devices.allow"), "c 10:200 rwm", "last default allow rule");

	/* persistence */
	cleanup_strv char **paths = NULL;
	size_t np = 0;
	oc_cgroup_to_paths(cg, &paths, &np);
	cleanup_free char *want = oc_xasprintf("memory:joined:%s/memory/ocichroot/t1", root);
	TAP_OK(np == 8 && has_str(paths, np, want), "to_paths has %s", want);
	cleanup_cgroup struct oc_cgroup *cg2 = NULL;
	TAP_OK(oc_cgroup_load(paths, np, &cg2, &err) == 0 && oc_cgroup_layout(cg2) == OC_CG_V1, "load back");
	cleanup_free char *wmem = oc_xasprintf("%s/memory/ocichroot/t1", root);
	TAP_STREQ(oc_cgroup_dir(cg2, "memory"), wmem, "loaded memory dir");
	cleanup_free char *wcpu = oc_xasprintf("%s/cpu,cpuacct/ocichroot/t1", root);
	TAP_STREQ(oc_cgroup_dir(cg2, "cpuacct"), wcpu, "cpuacct found in cpu,cpuacct");
	char *bad[] = {"memory:relative/x"};
	cleanup_cgroup struct oc_cgroup *cg3 = NULL;
	TAP_OK(oc_cgroup_load(bad, 1, &cg3, &err) < 0, "relative saved path refused");
	oc_error_clear(&err);

	/* pids: all hierarchies, sub-cgroups, deduplicated */
	cleanup_free pid_t *pv = NULL;
	size_t npv = 0;
	TAP_OK(oc_cgroup_pids(cg, &pv, &npv, &err) == 0, "pids listed");
	TAP_OK(npv == 3 && pv[0] == 1 && pv[1] == 2 && pv[2] == 3, "pids 1 2 3 (%zu)", npv);

	/* freezer */
	bool frozen = true;
	TAP_OK(oc_cgroup_is_frozen(cg, &frozen, &err) == 0 && !frozen, "not frozen");
	TAP_OK(oc_cgroup_freeze(cg, true, &err) == 0, "freeze");
	TAP_STREQ(get(root, "freezer/ocichroot/t1/freezer.state"), "FROZEN", "freezer.state FROZEN");
	TAP_OK(oc_cgroup_is_frozen(cg, &frozen, &err) == 0 && frozen, "frozen");
	TAP_OK(oc_cgroup_freeze(cg, false, &err) == 0, "thaw");
	TAP_STREQ(get(root, "freezer/ocichroot/t1/freezer.state"), "THAWED", "freezer.state THAWED");

	uint64_t ooms = 0;
	put(root, "memory/ocichroot/t1/memory.oom_control", "oom_kill_disable 1\nunder_oom 0\noom_kill 4\n");
	TAP_OK(oc_cgroup_oom_count(cg, &ooms, &err) == 0 && ooms == 4, "oom_kill count from memory.oom_control");

	/* stats */
	cleanup_free char *js = oc_cgroup_stats_json(cg, &err);
	TAP_OK(js != NULL, "stats json");
	printf("# %s\n", js ? js : "");
	TAP_OK(js && strstr(js, "\"cpu\":{\"usage\":{\"total\":123456789,\"percpu\":[100000000,23456789],"), "cpu usage");
	TAP_OK(js && strstr(js, "\"throttling\":{\"periods\":7,\"throttledPeriods\":2,\"throttledTime\":9000}"), "throttling");
	TAP_OK(js && strstr(js, "\"pids\":{\"current\":3,\"limit\":10}"), "pids stats");
	TAP_OK(js && strstr(js, "\"memory\":{\"cache\":1024,\"usage\":{\"limit\":104857600,\"usage\":4096,\"max\":8192,\"failcnt\":0}"),
	       "memory usage");
	TAP_OK(js && strstr(js, "\"raw\":{\"cache\":1024,\"rss\":2048}"), "memory raw");
	TAP_OK(js && strstr(js, "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":4096},{\"major\":8,\"op\":\"Write\"}]"),
	       "blkio entries");
	TAP_OK(js && strstr(js, "\"cpuset\":{\"cpus\":[1],\"cpu_exclusive\":0,\"mems\":[0],"), "cpuset");
	TAP_OK(js && strstr(js, "\"hugetlb\":{},\"intel_rdt\":{},\"network_interfaces\":null}"), "tail of the object");
	struct oc_json_doc *doc = NULL;
	TAP_OK(js && oc_json_parse(js, strlen(js), "stats", 1 << 20, 64, &doc, &err) == 0, "stats json parses");
	oc_json_doc_free(doc);

	/* hugetlb on v1 without a hugetlb hierarchy: an error naming it */
	struct oc_spec_hugepage_limit hl = {.page_size = "2MB", .limit = 1 << 21};
	struct oc_spec_resources rh = {.hugepage_limits = &hl, .n_hugepage_limits = 1};
	TAP_OK(oc_cgroup_apply(cg, &rh, &err) < 0, "hugetlb without controller refused");
	TAP_STREQ(err.msg, "cannot set hugetlb limit: the hugetlb controller is not mounted", "hugetlb message");
	oc_error_clear(&err);
	struct oc_spec_network net = {.has_class_id = true, .class_id = 7};
	struct oc_spec_resources rn = {.network = &net};
	TAP_OK(oc_cgroup_apply(cg, &rn, &err) < 0, "net_cls without controller refused");
	TAP_STREQ(err.msg, "cannot set net_cls limit: the net_cls controller is not mounted", "net_cls message");
	oc_error_clear(&err);
	char *uk[] = {"memory.high"}, *uv[] = {"1"};
	struct oc_spec_resources ru = {.unified_keys = uk, .unified_values = uv, .n_unified = 1};
	TAP_OK(oc_cgroup_apply(cg, &ru, &err) < 0, "unified on v1 refused");
	TAP_STREQ(err.msg, "invalid configuration: cannot use unified on cgroup v1", "unified on v1 message");
	oc_error_clear(&err);
	struct oc_spec_memory m2 = {.has_limit = true, .limit = 1024, .has_check_before_update = true,
				    .check_before_update = true};
	struct oc_spec_resources rm = {.memory = &m2};
	TAP_OK(oc_cgroup_apply(cg, &rm, &err) < 0, "checkBeforeUpdate refuses a limit below usage");
	TAP_STREQ(err.msg, "rejecting memory limit 1024 below current usage 4096", "checkBeforeUpdate message");
	oc_error_clear(&err);
	struct oc_spec_memory m3 = {.has_swappiness = true, .swappiness = 101};
	struct oc_spec_resources rs = {.memory = &m3};
	TAP_OK(oc_cgroup_apply(cg, &rs, &err) < 0, "swappiness 101 refused");
	oc_error_clear(&err);

	/* destroy keeps joined directories */
	TAP_OK(oc_cgroup_destroy(cg, &err) == 0, "destroy");
	TAP_OK(exists(root, "memory/ocichroot/t1"), "joined directory kept");
	oc_cgroup_set_root_for_tests(NULL);
	free(root);
}

/* Owned directories: made by create, gone after destroy or a failed create. */
static void test_v1_owned(void)
{
	char *root = oc_xasprintf("%s/v1b", tmp);
	put(root, "memory/cgroup.procs", "");
	put(root, "pids/cgroup.procs", "");
	oc_cgroup_set_root_for_tests(root);
	oc_error_t err = OC_ERROR_INIT;
	struct oc_cgroup_config cfg = {.id = "t2", .cgroups_path = "/a/b"};
	cleanup_cgroup struct oc_cgroup *cg = NULL;
	TAP_OK(oc_cgroup_create(&cfg, &cg, &err) == 0, "create owned");
	TAP_OK(exists(root, "memory/a/b") && exists(root, "pids/a/b"), "directories made");
	cleanup_strv char **paths = NULL;
	size_t np = 0;
	oc_cgroup_to_paths(cg, &paths, &np);
	cleanup_free char *want = oc_xasprintf("pids:%s/pids/a/b", root);
	TAP_OK(np == 2 && has_str(paths, np, want), "owned path saved as %s", want);
	TAP_OK(oc_cgroup_destroy(cg, &err) == 0, "destroy owned");
	TAP_OK(!exists(root, "memory/a/b") && !exists(root, "pids/a/b"), "directories removed");
	TAP_OK(exists(root, "memory/a"), "parent kept");

	/* failing resource: what was made is removed again */
	struct oc_spec_pids p = {.has_limit = true, .limit = 5};
	struct oc_spec_resources res = {.pids = &p};
	struct oc_cgroup_config c2 = {.id = "t3", .resources = &res};
	cleanup_cgroup struct oc_cgroup *cg2 = NULL;
	TAP_OK(oc_cgroup_create(&c2, &cg2, &err) < 0, "create with an unwritable resource fails");
	cleanup_free char *msg = oc_xasprintf("write `%s/pids/ocichroot/t3/pids.max`: No such file or directory", root);
	TAP_STREQ(err.msg, msg, "error names the file");
	oc_error_clear(&err);
	TAP_OK(!exists(root, "pids/ocichroot/t3") && !exists(root, "memory/ocichroot/t3"), "failed create cleaned up");

	struct oc_cgroup_config c3 = {.id = "t4", .disabled = true};
	cleanup_cgroup struct oc_cgroup *cg3 = (struct oc_cgroup *) 1;
	TAP_OK(oc_cgroup_create(&c3, &cg3, &err) == 0 && cg3 == NULL, "disabled: no cgroup");
	oc_cgroup_set_root_for_tests(NULL);
	free(root);
}

/* ---- fake v2 and hybrid trees --------------------------------------------------------- */

static const char *const v2_files[][2] = {
	{"cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma\n"},
	{"cgroup.subtree_control", "\n"},
	{"L/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma\n"},
	{"L/cgroup.procs", "5\n"},
	{"L/cgroup.freeze", "0\n"},
	{"L/memory.max", "max\n"},
	{"L/memory.swap.max", "max\n"},
	{"L/memory.low", "0\n"},
	{"L/memory.high", "max\n"},
	{"L/memory.current", "8192\n"},
	{"L/memory.stat", "anon 4096\nfile 2048\n"},
	{"L/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n"},
	{"L/cpu.weight", "100\n"},
	{"L/cpu.max", "max 100000\n"},
	{"L/cpu.max.burst", "0\n"},
	{"L/cpu.idle", "0\n"},
	{"L/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 4\nnr_throttled 1\nthrottled_usec 20\n"},
	{"L/pids.max", "max\n"},
	{"L/pids.current", "1\n"},
	{"L/io.weight", "default 100\n"},
	{"L/io.max", ""},
	{"L/io.stat", "8:0 rbytes=512 wbytes=1024 rios=1 wios=2 dbytes=0 dios=0\n"},
	{"L/hugetlb.2MB.max", "max\n"},
	{"L/hugetlb.2MB.rsvd.max", "max\n"},
	{"L/hugetlb.2MB.current", "0\n"},
	{"L/hugetlb.2MB.events", "max 0\n"},
	{"L/cpuset.cpus", "\n"},
	{"L/cpuset.mems", "\n"},
	{"L/rdma.max", ""},
};

static void test_v2_fake(void)
{
	char *root = oc_xasprintf("%s/v2", tmp);
	mkdirs(root);
	fill(root, v2_files, OC_ARRAY_SIZE(v2_files), "ocichroot/t1");
	/* the leaf's "L/" is replaced; top-level files have no L */
	oc_cgroup_set_root_for_tests(root);
	oc_error_t err = OC_ERROR_INIT;
	enum oc_cg_layout lay;
	TAP_OK(oc_cgroup_detect(&lay, &err) == 0 && lay == OC_CG_V2, "fake v2 detected");

	struct oc_spec_memory mem = {.has_limit = true, .limit = 104857600, .has_swap = true, .swap = 209715200,
				     .has_reservation = true, .reservation = 52428800, .has_swappiness = true,
				     .swappiness = 10};
	struct oc_spec_cpu cpu = {.has_shares = true, .shares = 1024, .has_quota = true, .quota = 50000,
				  .has_period = true, .period = 200000, .has_burst = true, .burst = 7,
				  .cpus = "0", .mems = "0"};
	struct oc_spec_pids pids = {.has_limit = true, .limit = 0};
	struct oc_spec_throttle_device wiops = {.major = 8, .minor = 0, .rate = 100};
	struct oc_spec_blockio bio = {.has_weight = true, .weight = 500, .throttle_write_iops_device = &wiops,
				      .n_throttle_write_iops_device = 1};
	struct oc_spec_hugepage_limit hl = {.page_size = "2MB", .limit = 4194304};
	struct oc_spec_rdma rd = {.device = "mlx5_0", .has_hca_handles = true, .hca_handles = 3};
	char *uk[] = {"memory.high"}, *uv[] = {"99999999"};
	struct oc_spec_resources res = {.memory = &mem, .cpu = &cpu, .pids = &pids, .blockio = &bio,
					.hugepage_limits = &hl, .n_hugepage_limits = 1, .rdma = &rd, .n_rdma = 1,
					.unified_keys = uk, .unified_values = uv, .n_unified = 1};
	struct oc_cgroup_config cfg = {.id = "t1", .resources = &res};
	cleanup_cgroup struct oc_cgroup *cg = NULL;
	int r = oc_cgroup_create(&cfg, &cg, &err);
	TAP_OK(r == 0, "create on fake v2");
	if (r < 0) {
		printf("# %s\n", err.msg);
		oc_error_clear(&err);
		return;
	}
	TAP_OK(oc_cgroup_layout(cg) == OC_CG_V2, "layout v2");
	TAP_OK(strncmp(get(root, "cgroup.subtree_control"), "+", 1) == 0, "controllers enabled in the root");
	TAP_STREQ(get(root, "ocichroot/t1/memory.max"), "104857600", "memory.max");
	TAP_STREQ(get(root, "ocichroot/t1/memory.swap.max"), "104857600", "memory.swap.max = swap - limit");
	TAP_STREQ(get(root, "ocichroot/t1/memory.low"), "52428800", "memory.low");
	TAP_STREQ(get(root, "ocichroot/t1/memory.high"), "99999999", "unified memory.high");
	TAP_STREQ(get(root, "ocichroot/t1/cpu.weight"), "39", "cpu.weight from shares");
	TAP_STREQ(get(root, "ocichroot/t1/cpu.max"), "50000 200000", "cpu.max");
	TAP_STREQ(get(root, "ocichroot/t1/cpu.max.burst"), "7", "cpu.max.burst");
	TAP_STREQ(get(root, "ocichroot/t1/cpuset.cpus"), "0", "cpuset.cpus");
	TAP_STREQ(get(root, "ocichroot/t1/pids.max"), "max", "pids limit 0 -> max");
	TAP_STREQ(get(root, "ocichroot/t1/io.weight"), "4950", "io.weight from blkio weight");
	TAP_STREQ(get(root, "ocichroot/t1/io.max"), "8:0 wiops=100", "io.max");
	TAP_STREQ(get(root, "ocichroot/t1/hugetlb.2MB.max"), "4194304", "hugetlb.2MB.max");
	TAP_STREQ(get(root, "ocichroot/t1/hugetlb.2MB.rsvd.max"), "4194304", "hugetlb.2MB.rsvd.max");
	TAP_STREQ(get(root, "ocichroot/t1/rdma.max"), "mlx5_0 hca_handle=3 hca_object=max", "rdma.max");

	/* only the period changes: the quota is kept */
	struct oc_spec_cpu c2 = {.has_period = true, .period = 300000};
	struct oc_spec_resources r2 = {.cpu = &c2};
	TAP_OK(oc_cgroup_apply(cg, &r2, &err) == 0, "update period");
	TAP_STREQ(get(root, "ocichroot/t1/cpu.max"), "50000 300000", "quota kept");

	struct oc_spec_cpu rt = {.has_realtime_runtime = true, .realtime_runtime = 1000};
	struct oc_spec_resources r3 = {.cpu = &rt};
	TAP_OK(oc_cgroup_apply(cg, &r3, &err) < 0, "realtime refused on v2");
	oc_error_clear(&err);
	char *bk[] = {"foo.bar"}, *bv[] = {"1"};
	struct oc_spec_resources r4 = {.unified_keys = bk, .unified_values = bv, .n_unified = 1};
	TAP_OK(oc_cgroup_apply(cg, &r4, &err) < 0, "unified key of an unknown controller refused");
	TAP_STREQ(err.msg, "unified resource \"foo.bar\" can't be set: controller \"foo\" not available", "message");
	oc_error_clear(&err);
	char *tk[] = {"../cgroup.procs"};
	struct oc_spec_resources r5 = {.unified_keys = tk, .unified_values = bv, .n_unified = 1};
	TAP_OK(oc_cgroup_apply(cg, &r5, &err) < 0, "unified key with a slash refused");
	oc_error_clear(&err);
	struct oc_spec_hugepage_limit hb = {.page_size = "../x", .limit = 1};
	struct oc_spec_resources r6 = {.hugepage_limits = &hb, .n_hugepage_limits = 1};
	TAP_OK(oc_cgroup_apply(cg, &r6, &err) < 0, "hugepage size with a slash refused");
	oc_error_clear(&err);
	struct oc_spec_network net = {.has_class_id = true, .class_id = 7};
	struct oc_spec_resources r7 = {.network = &net};
	TAP_OK(oc_cgroup_apply(cg, &r7, &err) == 0, "network ignored on v2");

	cleanup_free char *js = oc_cgroup_stats_json(cg, &err);
	printf("# %s\n", js ? js : "");
	TAP_OK(js && strstr(js, "\"usage\":{\"total\":1500000,\"kernel\":500000,\"user\":1000000}"), "v2 cpu usage");
	TAP_OK(js && strstr(js, "\"throttling\":{\"periods\":4,\"throttledPeriods\":1,\"throttledTime\":20000}"), "v2 throttling");
	TAP_OK(js && strstr(js, "\"memory\":{\"cache\":2048,\"usage\":{\"limit\":104857600,\"usage\":8192,\"failcnt\":3}"), "v2 memory usage");
	TAP_OK(js && strstr(js, "\"pids\":{\"current\":1}"), "v2 pids, max -> no limit");
	TAP_OK(js && strstr(js, "\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":512},{\"major\":8,\"op\":\"Write\",\"value\":1024}]"),
	       "v2 io.stat");
	TAP_OK(js && strstr(js, "\"hugetlb\":{\"2MB\":{\"failcnt\":0}}"), "v2 hugetlb");
	uint64_t ooms = 0;
	TAP_OK(oc_cgroup_oom_count(cg, &ooms, &err) == 0 && ooms == 1, "oom_kill from memory.events");
	oc_cgroup_set_root_for_tests(NULL);
	free(root);
}

static void test_hybrid_fake(void)
{
	char *root = oc_xasprintf("%s/hy", tmp);
	put(root, "memory/ocichroot/t1/memory.limit_in_bytes", "9223372036854771712\n");
	put(root, "memory/ocichroot/t1/memory.high", "x\n");
	put(root, "unified/cgroup.controllers", "hugetlb\n");
	put(root, "unified/cgroup.subtree_control", "\n");
	put(root, "unified/ocichroot/t1/cgroup.controllers", "hugetlb\n");
	put(root, "unified/ocichroot/t1/hugetlb.2MB.max", "max\n");
	put(root, "unified/ocichroot/t1/memory.high", "max\n");
	oc_cgroup_set_root_for_tests(root);
	oc_error_t err = OC_ERROR_INIT;
	enum oc_cg_layout lay;
	TAP_OK(oc_cgroup_detect(&lay, &err) == 0 && lay == OC_CG_HYBRID, "fake hybrid detected");
	struct oc_spec_memory mem = {.has_limit = true, .limit = 1048576};
	struct oc_spec_hugepage_limit hl = {.page_size = "2MB", .limit = 2097152};
	struct oc_spec_resources res = {.memory = &mem, .hugepage_limits = &hl, .n_hugepage_limits = 1};
	struct oc_cgroup_config cfg = {.id = "t1", .resources = &res};
	cleanup_cgroup struct oc_cgroup *cg = NULL;
	int r = oc_cgroup_create(&cfg, &cg, &err);
	TAP_OK(r == 0, "create on fake hybrid");
	if (r < 0) {
		printf("# %s\n", err.msg);
		oc_error_clear(&err);
		return;
	}
	TAP_STREQ(get(root, "memory/ocichroot/t1/memory.limit_in_bytes"), "1048576", "memory goes to v1");
	TAP_STREQ(get(root, "unified/ocichroot/t1/hugetlb.2MB.max"), "2097152", "hugetlb goes to unified");
	char *uk[] = {"memory.high"}, *uv[] = {"1"};
	struct oc_spec_resources ru = {.unified_keys = uk, .unified_values = uv, .n_unified = 1};
	TAP_OK(oc_cgroup_apply(cg, &ru, &err) < 0, "unified key of a v1 controller refused on hybrid");
	TAP_STREQ(err.msg, "unified resource \"memory.high\" can't be set: controller \"memory\" is bound to cgroup v1 on this host",
		  "hybrid unified message");
	oc_error_clear(&err);
	TAP_OK(oc_cgroup_layout(cg) == OC_CG_HYBRID, "layout hybrid");
	oc_cgroup_set_root_for_tests(NULL);
	free(root);
}

int main(void)
{
	char tmpl[] = "/tmp/oc-cgroup-test.XXXXXX";
	tmp = mkdtemp(tmpl);
	if (tmp == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_paths();
	test_conversions();
	test_devices();
	test_v1_fake();
	test_v1_owned();
	test_v2_fake();
	test_hybrid_fake();
	nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
