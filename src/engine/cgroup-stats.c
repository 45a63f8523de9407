/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `events --stats`: the "data" object of runc (types/events.go Stats),
 * with its key names and its omitempty rules (a zero number marked
 * omitempty is left out; nested objects are always there). Statistics are
 * best effort as in runc: a controller or file that is missing gives
 * zeros, not an error. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "ocichroot/common.h"

#include "cgroup-int.h"

typedef yajl_gen G;

static void key(G g, const char *k)
{
	yajl_gen_string(g, (const unsigned char *) k, strlen(k));
}

static void u64(G g, const char *k, uint64_t v, bool omitempty)
{
	if (omitempty && v == 0)
		return;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long) v);
	key(g, k);
	yajl_gen_number(g, buf, (size_t) n);
}

static char *rd(const char *dir, const char *file)
{
	char *s = NULL;
	oc_error_t e = OC_ERROR_INIT;
	if (dir == NULL || oc_cg_read(dir, file, &s, &e) < 0) {
		oc_error_clear(&e);
		return NULL;
	}
	return s;
}

static uint64_t rd_u64(const char *dir, const char *file)
{
	uint64_t v = 0;
	oc_error_t e = OC_ERROR_INIT;
	if (dir == NULL || oc_cg_read_u64(dir, file, &v, &e) < 0)
		v = 0;
	oc_error_clear(&e);
	return v;
}

static uint64_t kv(const char *text, const char *k)
{
	uint64_t v = 0;
	if (text != NULL)
		oc_cg_kv(text, k, &v);
	return v;
}

/* A whitespace-separated list of numbers as an array, left out when empty. */
static void u64_array(G g, const char *k, const char *text)
{
	if (text == NULL)
		return;
	size_t n = 0;
	for (const char *p = text; *p;) {
		char *end;
		strtoull(p, &end, 10);
		if (end == p)
			break;
		n++;
		p = end + strspn(end, " \n");
	}
	if (n == 0)
		return;
	key(g, k);
	yajl_gen_array_open(g);
	for (const char *p = text; *p;) {
		char *end;
		strtoull(p, &end, 10);
		if (end == p)
			break;
		yajl_gen_number(g, p, (size_t) (end - p));
		p = end + strspn(end, " \n");
	}
	yajl_gen_array_close(g);
}

static const char *dir_of(const struct oc_cgroup *cg, const char *v1, const char *v2, bool *is_v2)
{
	const struct oc_cg_dir *d = oc_cg_find2(cg, v1, v2);
	if (d == NULL) {
		/* v2 keeps cpu.stat, memory.stat... only when enabled; the
		 * core files (cpu.stat usage) exist regardless */
		d = oc_cg_v2_dir(cg);
		if (d == NULL || oc_cg_v1_has(cg, v1))
			return NULL;
	}
	*is_v2 = d->v2;
	return d->path;
}

/* ---- cpu ------------------------------------------------------------------------ */

static void cpu(G g, const struct oc_cgroup *cg)
{
	bool v2 = false, v2b = false;
	const char *acct = dir_of(cg, "cpuacct", "cpu", &v2);
	const char *cpu = dir_of(cg, "cpu", "cpu", &v2b);
	key(g, "cpu");
	yajl_gen_map_open(g);
	key(g, "usage");
	yajl_gen_map_open(g);
	cleanup_free char *st = NULL;
	if (acct != NULL && v2) {
		st = rd(acct, "cpu.stat");
		u64(g, "total", kv(st, "usage_usec") * 1000, true);
		u64(g, "kernel", kv(st, "system_usec") * 1000, false);
		u64(g, "user", kv(st, "user_usec") * 1000, false);
	} else if (acct != NULL) {
		cleanup_free char *percpu = rd(acct, "cpuacct.usage_percpu");
		cleanup_free char *psys = rd(acct, "cpuacct.usage_percpu_sys");
		cleanup_free char *pusr = rd(acct, "cpuacct.usage_percpu_user");
		cleanup_free char *stat = rd(acct, "cpuacct.stat");
		long hz = sysconf(_SC_CLK_TCK);
		uint64_t tick_ns = hz > 0 ? 1000000000ull / (uint64_t) hz : 10000000ull;
		u64(g, "total", rd_u64(acct, "cpuacct.usage"), true);
		u64_array(g, "percpu", percpu);
		u64_array(g, "percpu_kernel", psys);
		u64_array(g, "percpu_user", pusr);
		u64(g, "kernel", kv(stat, "system") * tick_ns, false);
		u64(g, "user", kv(stat, "user") * tick_ns, false);
	} else {
		u64(g, "kernel", 0, false);
		u64(g, "user", 0, false);
	}
	yajl_gen_map_close(g);
	key(g, "throttling");
	yajl_gen_map_open(g);
	cleanup_free char *cst = cpu ? rd(cpu, "cpu.stat") : NULL;
	u64(g, "periods", kv(cst, "nr_periods"), true);
	u64(g, "throttledPeriods", kv(cst, "nr_throttled"), true);
	u64(g, "throttledTime", v2b ? kv(cst, "throttled_usec") * 1000 : kv(cst, "throttled_time"), true);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

/* "0-2,4" -> [0,1,2,4] */
static void cpu_list(G g, const char *k, const char *text)
{
	if (text == NULL || text[strspn(text, " \n")] == '\0')
		return;
	key(g, k);
	yajl_gen_array_open(g);
	for (const char *p = text; *p && *p != '\n';) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;
		if (end == p)
			break;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		for (unsigned long i = a; i <= b && i - a < 65536; i++) {
			char buf[24];
			int n = snprintf(buf, sizeof(buf), "%lu", i);
			yajl_gen_number(g, buf, (size_t) n);
		}
		p = end + strspn(end, ",");
	}
	yajl_gen_array_close(g);
}

static void cpuset(G g, const struct oc_cgroup *cg)
{
	bool v2 = false;
	const char *d = dir_of(cg, "cpuset", "cpuset", &v2);
	key(g, "cpuset");
	yajl_gen_map_open(g);
	cleanup_free char *cpus = d ? rd(d, v2 ? "cpuset.cpus.effective" : "cpuset.cpus") : NULL;
	cleanup_free char *mems = d ? rd(d, v2 ? "cpuset.mems.effective" : "cpuset.mems") : NULL;
	const char *v1d = v2 ? NULL : d;
	cpu_list(g, "cpus", cpus);
	u64(g, "cpu_exclusive", rd_u64(v1d, "cpuset.cpu_exclusive"), false);
	cpu_list(g, "mems", mems);
	u64(g, "mem_hardwall", rd_u64(v1d, "cpuset.mem_hardwall"), false);
	u64(g, "mem_exclusive", rd_u64(v1d, "cpuset.mem_exclusive"), false);
	u64(g, "memory_migrate", rd_u64(v1d, "cpuset.memory_migrate"), false);
	u64(g, "memory_spread_page", rd_u64(v1d, "cpuset.memory_spread_page"), false);
	u64(g, "memory_spread_slab", rd_u64(v1d, "cpuset.memory_spread_slab"), false);
	u64(g, "memory_pressure", rd_u64(v1d, "cpuset.memory_pressure"), false);
	u64(g, "sched_load_balance", rd_u64(v1d, "cpuset.sched_load_balance"), false);
	cleanup_free char *rdl = rd(v1d, "cpuset.sched_relax_domain_level");
	long long lvl = rdl ? strtoll(rdl, NULL, 10) : 0;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%lld", lvl);
	key(g, "sched_relax_domain_level");
	yajl_gen_number(g, buf, (size_t) n);
	yajl_gen_map_close(g);
}

/* ---- memory --------------------------------------------------------------------- */

static void mem_entry(G g, const char *k, uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt)
{
	key(g, k);
	yajl_gen_map_open(g);
	u64(g, "limit", limit, false);
	u64(g, "usage", usage, true);
	u64(g, "max", max, true);
	u64(g, "failcnt", failcnt, false);
	yajl_gen_map_close(g);
}

static void v1_entry(G g, const char *k, const char *d, const char *prefix)
{
	char f[4][96];
	snprintf(f[0], sizeof(f[0]), "%s.limit_in_bytes", prefix);
	snprintf(f[1], sizeof(f[1]), "%s.usage_in_bytes", prefix);
	snprintf(f[2], sizeof(f[2]), "%s.max_usage_in_bytes", prefix);
	snprintf(f[3], sizeof(f[3]), "%s.failcnt", prefix);
	mem_entry(g, k, rd_u64(d, f[0]), rd_u64(d, f[1]), rd_u64(d, f[2]), rd_u64(d, f[3]));
}

static void raw_map(G g, const char *stat)
{
	if (stat == NULL || *stat == '\0')
		return;
	key(g, "raw");
	yajl_gen_map_open(g);
	for (const char *l = stat; *l;) {
		size_t len = strcspn(l, "\n");
		const char *sp = memchr(l, ' ', len);
		if (sp != NULL) {
			yajl_gen_string(g, (const unsigned char *) l, (size_t) (sp - l));
			size_t vl = len - (size_t) (sp + 1 - l);
			yajl_gen_number(g, sp + 1, vl);
		}
		l += len;
		l += strspn(l, "\n");
	}
	yajl_gen_map_close(g);
}

static void memory(G g, const struct oc_cgroup *cg)
{
	bool v2 = false;
	const char *d = dir_of(cg, "memory", "memory", &v2);
	key(g, "memory");
	yajl_gen_map_open(g);
	cleanup_free char *stat = d ? rd(d, "memory.stat") : NULL;
	if (v2) {
		u64(g, "cache", kv(stat, "file"), true);
		uint64_t cur = rd_u64(d, "memory.current"), max = rd_u64(d, "memory.max");
		uint64_t scur = rd_u64(d, "memory.swap.current"), smax = rd_u64(d, "memory.swap.max");
		cleanup_free char *ev = rd(d, "memory.events");
		mem_entry(g, "usage", max, cur, rd_u64(d, "memory.peak"), kv(ev, "max"));
		/* v1 reports memory+swap; so does runc on v2 */
		mem_entry(g, "swap", smax == UINT64_MAX || max == UINT64_MAX ? UINT64_MAX : smax + max, scur + cur, 0, 0);
		mem_entry(g, "kernel", 0, 0, 0, 0);
		mem_entry(g, "kernelTCP", 0, 0, 0, 0);
	} else {
		u64(g, "cache", kv(stat, "cache"), true);
		v1_entry(g, "usage", d, "memory");
		v1_entry(g, "swap", d, "memory.memsw");
		v1_entry(g, "kernel", d, "memory.kmem");
		v1_entry(g, "kernelTCP", d, "memory.kmem.tcp");
	}
	raw_map(g, stat);
	yajl_gen_map_close(g);
}

/* ---- pids, blkio, hugetlb ------------------------------------------------------------ */

static void pids(G g, const struct oc_cgroup *cg)
{
	bool v2 = false;
	const char *d = dir_of(cg, "pids", "pids", &v2);
	uint64_t limit = rd_u64(d, "pids.max");
	key(g, "pids");
	yajl_gen_map_open(g);
	u64(g, "current", rd_u64(d, "pids.current"), true);
	u64(g, "limit", limit == UINT64_MAX ? 0 : limit, true);
	yajl_gen_map_close(g);
}

static void blk_entry(G g, uint64_t maj, uint64_t min, const char *op, size_t oplen, uint64_t v)
{
	yajl_gen_map_open(g);
	u64(g, "major", maj, true);
	u64(g, "minor", min, true);
	if (oplen > 0) {
		key(g, "op");
		yajl_gen_string(g, (const unsigned char *) op, oplen);
	}
	u64(g, "value", v, true);
	yajl_gen_map_close(g);
}

/* v1 "8:0 Read 4096" lines ("Total N" skipped; "8:0 N" without op) */
static void blk_v1(G g, const char *k, const char *d, const char *file)
{
	cleanup_free char *t = rd(d, file);
	if (t == NULL)
		return;
	bool open = false;
	for (const char *l = t; *l;) {
		size_t len = strcspn(l, "\n");
		unsigned long long maj, min, v;
		char op[32];
		int n = 0;
		if (sscanf(l, "%llu:%llu %31s %llu%n", &maj, &min, op, &v, &n) == 4 && (size_t) n <= len) {
			if (!open) {
				key(g, k);
				yajl_gen_array_open(g);
				open = true;
			}
			blk_entry(g, maj, min, op, strlen(op), v);
		} else if (sscanf(l, "%llu:%llu %llu%n", &maj, &min, &v, &n) == 3 && (size_t) n <= len) {
			if (!open) {
				key(g, k);
				yajl_gen_array_open(g);
				open = true;
			}
			blk_entry(g, maj, min, "", 0, v);
		}
		l += len;
		l += strspn(l, "\n");
	}
	if (open)
		yajl_gen_array_close(g);
}

/* v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" */
static void blk_v2(G g, const char *d)
{
	cleanup_free char *t = rd(d, "io.stat");
	if (t == NULL || *t == '\0')
		return;
	static const struct {
		const char *k, *field, *op;
	} m[] = {
		{"ioServiceBytesRecursive", "rbytes", "Read"},
		{"ioServiceBytesRecursive", "wbytes", "Write"},
		{"ioServicedRecursive", "rios", "Read"},
		{"ioServicedRecursive", "wios", "Write"},
	};
	for (size_t group = 0; group < OC_ARRAY_SIZE(m); group += 2) {
		key(g, m[group].k);
		yajl_gen_array_open(g);
		for (const char *l = t; *l;) {
			size_t len = strcspn(l, "\n");
			unsigned long long maj, min;
			cleanup_free char *line = oc_xstrndup(l, len);
			if (sscanf(line, "%llu:%llu", &maj, &min) == 2) {
				for (size_t j = group; j < group + 2; j++) {
					cleanup_free char *needle = oc_xasprintf(" %s=", m[j].field);
					char *p = strstr(line, needle);
					if (p != NULL)
						blk_entry(g, maj, min, m[j].op, strlen(m[j].op),
							  strtoull(p + strlen(needle), NULL, 10));
				}
			}
			l += len;
			l += strspn(l, "\n");
		}
		yajl_gen_array_close(g);
	}
}

static void blkio(G g, const struct oc_cgroup *cg)
{
	bool v2 = false;
	const char *d = dir_of(cg, "blkio", "io", &v2);
	key(g, "blkio");
	yajl_gen_map_open(g);
	if (d != NULL && v2) {
		blk_v2(g, d);
	} else if (d != NULL && oc_cg_exists(d, "blkio.io_service_bytes_recursive")) {
		blk_v1(g, "ioServiceBytesRecursive", d, "blkio.io_service_bytes_recursive");
		blk_v1(g, "ioServicedRecursive", d, "blkio.io_serviced_recursive");
		blk_v1(g, "ioQueueRecursive", d, "blkio.io_queued_recursive");
		blk_v1(g, "ioServiceTimeRecursive", d, "blkio.io_service_time_recursive");
		blk_v1(g, "ioWaitTimeRecursive", d, "blkio.io_wait_time_recursive");
		blk_v1(g, "ioMergedRecursive", d, "blkio.io_merged_recursive");
		blk_v1(g, "ioTimeRecursive", d, "blkio.time_recursive");
		blk_v1(g, "sectorsRecursive", d, "blkio.sectors_recursive");
	} else if (d != NULL && oc_cg_exists(d, "blkio.bfq.io_service_bytes_recursive")) {
		blk_v1(g, "ioServiceBytesRecursive", d, "blkio.bfq.io_service_bytes_recursive");
		blk_v1(g, "ioServicedRecursive", d, "blkio.bfq.io_serviced_recursive");
	} else if (d != NULL) {
		blk_v1(g, "ioServiceBytesRecursive", d, "blkio.throttle.io_service_bytes_recursive");
		blk_v1(g, "ioServicedRecursive", d, "blkio.throttle.io_serviced_recursive");
	}
	yajl_gen_map_close(g);
}

static void hugetlb(G g, const struct oc_cgroup *cg)
{
	bool v2 = false;
	const char *d = dir_of(cg, "hugetlb", "hugetlb", &v2);
	key(g, "hugetlb");
	yajl_gen_map_open(g);
	cleanup_dir DIR *dir = d ? opendir(d) : NULL;
	struct dirent *de;
	const char *suffix = v2 ? ".max" : ".limit_in_bytes";
	while (dir != NULL && (de = readdir(dir)) != NULL) {
		const char *n = de->d_name;
		size_t l = strlen(n), sl = strlen(suffix);
		if (strncmp(n, "hugetlb.", 8) != 0 || l <= 8 + sl || strcmp(n + l - sl, suffix) != 0 ||
		    strstr(n, ".rsvd.") != NULL)
			continue;
		cleanup_free char *size = oc_xstrndup(n + 8, l - 8 - sl);
		cleanup_free char *fu = oc_xasprintf(v2 ? "hugetlb.%s.current" : "hugetlb.%s.usage_in_bytes", size);
		cleanup_free char *fm = oc_xasprintf("hugetlb.%s.max_usage_in_bytes", size);
		cleanup_free char *ff = oc_xasprintf(v2 ? "hugetlb.%s.events" : "hugetlb.%s.failcnt", size);
		key(g, size);
		yajl_gen_map_open(g);
		u64(g, "usage", rd_u64(d, fu), true);
		u64(g, "max", v2 ? 0 : rd_u64(d, fm), true);
		cleanup_free char *ev = v2 ? rd(d, ff) : NULL;
		u64(g, "failcnt", v2 ? kv(ev, "max") : rd_u64(d, ff), false);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

char *oc_cgroup_stats_json(struct oc_cgroup *cg, oc_error_t *err)
{
	if (cg == NULL) {
		oc_error_set(err, 0, "the container has no cgroup");
		return NULL;
	}
	yajl_gen g = yajl_gen_alloc(NULL);
	if (g == NULL)
		abort();
	yajl_gen_map_open(g);
	cpu(g, cg);
	cpuset(g, cg);
	memory(g, cg);
	pids(g, cg);
	blkio(g, cg);
	hugetlb(g, cg);
	key(g, "intel_rdt");
	yajl_gen_map_open(g);
	yajl_gen_map_close(g);
	key(g, "network_interfaces");
	yajl_gen_null(g);
	yajl_gen_map_close(g);
	const unsigned char *buf;
	size_t len;
	yajl_gen_get_buf(g, &buf, &len);
	char *out = oc_xstrndup((const char *) buf, len);
	yajl_gen_free(g);
	return out;
}
