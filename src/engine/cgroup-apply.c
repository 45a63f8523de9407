/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources written to cgroupfs. Each controller is written where it
 * lives (oc_cg_find): the v1 files, or their v2 forms with the documented
 * conversions (runc's fs2, crun's cgroup-v2.md):
 *   cpu.shares -> cpu.weight         1 + ((shares - 2) * 9999) / 262142
 *   quota/period -> cpu.max          "quota period", quota -1 -> "max"
 *   blkio.weight -> io.weight        1 + ((weight - 10) * 9999) / 990
 *                   (io.bfq.weight takes the v1 value as is)
 *   memory swap -> memory.swap.max   swap - limit
 *   reservation -> memory.low, limit -> memory.max
 * Resources without a v2 form (kernel memory, swappiness, OOM killer,
 * realtime, leaf weights, network) are ignored on v2 with a debug line,
 * except realtime, which is refused: silently running a realtime workload
 * without its budget is worse than failing. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocichroot/common.h"
#include "ocichroot/log.h"

#include "cgroup-int.h"

/* The linux kernel's internal ENOTSUPP, seen by userspace on some cgroup
 * writes (memory.kmem.limit_in_bytes since 5.16). */
#define OC_ENOTSUPP 524

uint64_t oc_cgroup_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t oc_cgroup_blkio_to_io_weight(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + ((weight - 10) * 9999) / 990;
}

int oc_cgroup_swap_to_v2(int64_t limit, int64_t swap, int64_t *out, oc_error_t *err)
{
	/* v1 compatibility: an unlimited memory with swap unset means both
	 * unlimited. */
	if (limit == -1 && swap == 0) {
		*out = -1;
		return 1;
	}
	if (swap == 0)
		return 0;
	if (swap == -1) {
		*out = -1;
		return 1;
	}
	if (swap < 0)
		return oc_error_set(err, 0, "invalid memory swap value: %" PRId64, swap);
	if (limit == 0 || limit == -1)
		return oc_error_set(err, 0, "unable to set swap limit without memory limit");
	if (limit < 0)
		return oc_error_set(err, 0, "invalid memory value: %" PRId64, limit);
	if (swap < limit)
		return oc_error_set(err, 0, "memory+swap limit should be >= memory limit");
	*out = swap - limit;
	return 1;
}

static char *num_or_max(int64_t v)
{
	return v < 0 ? oc_xstrdup("max") : oc_xasprintf("%" PRId64, v);
}

/* The directory of a controller that a set resource needs. */
static const struct oc_cg_dir *need(const struct oc_cgroup *cg, const char *v1name, const char *v2name, oc_error_t *err)
{
	const struct oc_cg_dir *d = oc_cg_find2(cg, v1name, v2name);
	if (d != NULL)
		return d;
	if (oc_cg_skipped(cg, v1name))
		oc_error_set(err, 0, "cannot set %s limit: container could not join or create cgroup", v1name);
	else if (oc_cg_v2_dir(cg) != NULL && !oc_cg_v1_has(cg, v1name) && strcmp(v1name, "net_cls") != 0 &&
		 strcmp(v1name, "net_prio") != 0)
		oc_error_set(err, 0, "cannot set %s limit: the %s controller is not available in `%s`", v1name,
			     v2name, oc_cg_v2_dir(cg)->path);
	else
		oc_error_set(err, 0, "cannot set %s limit: the %s controller is not mounted", v1name, v1name);
	return NULL;
}

/* ---- memory ------------------------------------------------------------- */

static bool memory_set(const struct oc_spec_memory *m)
{
	return m->has_limit || m->has_reservation || m->has_swap || m->has_kernel || m->has_kernel_tcp ||
	       m->has_swappiness || m->has_disable_oom_killer || m->has_use_hierarchy;
}

static int check_usage(const char *dir, const char *file, int64_t limit, oc_error_t *err)
{
	uint64_t usage;
	if (limit <= 0)
		return 0;
	if (oc_cg_read_u64(dir, file, &usage, err) < 0)
		return -1;
	if ((uint64_t) limit < usage)
		return oc_error_set(err, 0, "rejecting memory limit %" PRId64 " below current usage %" PRIu64, limit,
				    usage);
	return 0;
}

static int memory_v1_limits(const char *dir, int64_t limit, int64_t swap, oc_error_t *err)
{
	static const char lim[] = "memory.limit_in_bytes", sw[] = "memory.memsw.limit_in_bytes";
	if (limit != 0 && swap != 0) {
		/* memsw must stay >= the memory limit at every step: raise
		 * memsw first when growing, lower the limit first when not. */
		uint64_t cur;
		if (oc_cg_read_u64(dir, lim, &cur, err) < 0)
			return -1;
		if (swap == -1 || cur < (uint64_t) swap) {
			if (oc_cg_writef(dir, sw, err, "%" PRId64, swap) < 0 ||
			    oc_cg_writef(dir, lim, err, "%" PRId64, limit) < 0)
				return -1;
		} else {
			if (oc_cg_writef(dir, lim, err, "%" PRId64, limit) < 0 ||
			    oc_cg_writef(dir, sw, err, "%" PRId64, swap) < 0)
				return -1;
		}
		return 0;
	}
	if (limit != 0 && oc_cg_writef(dir, lim, err, "%" PRId64, limit) < 0)
		return -1;
	if (swap != 0 && oc_cg_writef(dir, sw, err, "%" PRId64, swap) < 0)
		return -1;
	return 0;
}

static int memory_v1(const char *dir, const struct oc_spec_memory *m, oc_error_t *err)
{
	int64_t limit = m->has_limit ? m->limit : 0, swap = m->has_swap ? m->swap : 0;
	if (limit == -1 && !m->has_swap)
		swap = -1;
	if (m->has_check_before_update && m->check_before_update &&
	    check_usage(dir, "memory.usage_in_bytes", limit, err) < 0)
		return -1;
	if (memory_v1_limits(dir, limit, swap, err) < 0)
		return -1;
	if (m->has_reservation && oc_cg_writef(dir, "memory.soft_limit_in_bytes", err, "%" PRId64, m->reservation) < 0)
		return -1;
	if (m->has_kernel && m->kernel != 0) {
		oc_error_t e = OC_ERROR_INIT;
		if (oc_cg_writef(dir, "memory.kmem.limit_in_bytes", &e, "%" PRId64, m->kernel) < 0) {
			if (e.code != ENOENT && e.code != EOPNOTSUPP && e.code != OC_ENOTSUPP && e.code != EINVAL) {
				*err = e;
				return -1;
			}
			/* deprecated and gone from recent kernels, as runc */
			oc_debug("cgroup: kernel memory limit ignored: %s", e.msg);
			oc_error_clear(&e);
		}
	}
	if (m->has_kernel_tcp &&
	    oc_cg_writef(dir, "memory.kmem.tcp.limit_in_bytes", err, "%" PRId64, m->kernel_tcp) < 0)
		return -1;
	if (m->has_swappiness) {
		if (m->swappiness > 100)
			return oc_error_set(err, 0, "invalid memory swappiness value: %" PRIu64 " (valid range is 0-100)",
					    m->swappiness);
		if (oc_cg_writef(dir, "memory.swappiness", err, "%" PRIu64, m->swappiness) < 0)
			return -1;
	}
	if (m->has_disable_oom_killer &&
	    oc_cg_write(dir, "memory.oom_control", m->disable_oom_killer ? "1" : "0", err) < 0)
		return -1;
	if (m->has_use_hierarchy) {
		/* Always 1 on recent kernels, where writing 0 fails, and
		 * ignored by runc: only a change is written, and a refusal
		 * is a debug line. */
		uint64_t cur;
		oc_error_t e = OC_ERROR_INIT;
		if (oc_cg_read_u64(dir, "memory.use_hierarchy", &cur, &e) == 0 && cur != (m->use_hierarchy ? 1u : 0u))
			oc_cg_write(dir, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0", &e);
		if (e.msg != NULL)
			oc_debug("cgroup: memory.useHierarchy not applied: %s", e.msg);
		oc_error_clear(&e);
	}
	return 0;
}

static int memory_v2(const char *dir, const struct oc_spec_memory *m, oc_error_t *err)
{
	int64_t limit = m->has_limit ? m->limit : 0, swap = m->has_swap ? m->swap : 0, sv = 0;
	int w = oc_cgroup_swap_to_v2(limit, swap, &sv, err);
	if (w < 0)
		return -1;
	if (m->has_check_before_update && m->check_before_update && check_usage(dir, "memory.current", limit, err) < 0)
		return -1;
	if (w > 0) {
		cleanup_free char *v = num_or_max(sv);
		oc_error_t e = OC_ERROR_INIT;
		if (oc_cg_write(dir, "memory.swap.max", v, &e) < 0) {
			/* without swap accounting, "no limit" and "no swap"
			 * are what we have already */
			if (!(e.code == ENOENT && (sv == -1 || sv == 0))) {
				*err = e;
				return -1;
			}
			oc_error_clear(&e);
		}
	}
	if (limit != 0) {
		cleanup_free char *v = num_or_max(limit);
		if (oc_cg_write(dir, "memory.max", v, err) < 0)
			return -1;
	}
	if (m->has_reservation && m->reservation != 0) {
		cleanup_free char *v = num_or_max(m->reservation);
		if (oc_cg_write(dir, "memory.low", v, err) < 0)
			return -1;
	}
	if (m->has_kernel || m->has_kernel_tcp || m->has_swappiness || m->has_disable_oom_killer || m->has_use_hierarchy)
		oc_debug("cgroup: memory kernel, kernelTCP, swappiness, disableOOMKiller and useHierarchy have no cgroup v2 form: ignored");
	return 0;
}

static int apply_memory(struct oc_cgroup *cg, const struct oc_spec_memory *m, oc_error_t *err)
{
	if (m == NULL || !memory_set(m))
		return 0;
	const struct oc_cg_dir *d = need(cg, "memory", "memory", err);
	if (d == NULL)
		return -1;
	return d->v2 ? memory_v2(d->path, m, err) : memory_v1(d->path, m, err);
}

/* ---- cpu, cpuset ------------------------------------------------------------ */

static int cpu_v1(const char *dir, const struct oc_spec_cpu *c, oc_error_t *err)
{
	if (c->has_shares && c->shares != 0) {
		if (oc_cg_writef(dir, "cpu.shares", err, "%" PRIu64, c->shares) < 0)
			return -1;
		uint64_t got;
		if (oc_cg_read_u64(dir, "cpu.shares", &got, err) < 0)
			return -1;
		if (c->shares > got)
			return oc_error_set(err, 0, "the maximum allowed cpu-shares is %" PRIu64, got);
		if (c->shares < got)
			return oc_error_set(err, 0, "the minimum allowed cpu-shares is %" PRIu64, got);
	}
	if (c->has_period && c->period != 0) {
		oc_error_t e = OC_ERROR_INIT;
		if (oc_cg_writef(dir, "cpu.cfs_period_us", &e, "%" PRIu64, c->period) < 0) {
			/* The new period may only fit with the new quota
			 * written first. */
			if (e.code != EINVAL || !(c->has_quota && c->quota != 0)) {
				*err = e;
				return -1;
			}
			oc_error_clear(&e);
			if (oc_cg_writef(dir, "cpu.cfs_quota_us", err, "%" PRId64, c->quota) < 0 ||
			    oc_cg_writef(dir, "cpu.cfs_period_us", err, "%" PRIu64, c->period) < 0)
				return -1;
		}
	}
	if (c->has_quota && c->quota != 0 && oc_cg_writef(dir, "cpu.cfs_quota_us", err, "%" PRId64, c->quota) < 0)
		return -1;
	if (c->has_burst && oc_cg_writef(dir, "cpu.cfs_burst_us", err, "%" PRIu64, c->burst) < 0)
		return -1;
	if (c->has_realtime_period && c->realtime_period != 0 &&
	    oc_cg_writef(dir, "cpu.rt_period_us", err, "%" PRIu64, c->realtime_period) < 0)
		return -1;
	if (c->has_realtime_runtime && c->realtime_runtime != 0 &&
	    oc_cg_writef(dir, "cpu.rt_runtime_us", err, "%" PRId64, c->realtime_runtime) < 0)
		return -1;
	if (c->has_idle && oc_cg_writef(dir, "cpu.idle", err, "%" PRId64, c->idle) < 0)
		return -1;
	return 0;
}

static int cpu_v2(const char *dir, const struct oc_spec_cpu *c, oc_error_t *err)
{
	if ((c->has_realtime_runtime && c->realtime_runtime != 0) || (c->has_realtime_period && c->realtime_period != 0))
		return oc_error_set(err, 0, "realtime scheduling (cpu.realtimeRuntime, cpu.realtimePeriod) is not supported on cgroup v2");
	if (c->has_idle && oc_cg_writef(dir, "cpu.idle", err, "%" PRId64, c->idle) < 0)
		return -1;
	if (c->has_shares && c->shares != 0 &&
	    oc_cg_writef(dir, "cpu.weight", err, "%" PRIu64, oc_cgroup_shares_to_weight(c->shares)) < 0)
		return -1;
	bool quota = c->has_quota && c->quota != 0, period = c->has_period && c->period != 0;
	if (quota || period) {
		cleanup_free char *q = NULL;
		if (quota) {
			q = num_or_max(c->quota);
		} else {
			/* only the period changes: keep the current quota */
			cleanup_free char *cur = NULL;
			if (oc_cg_read_line(dir, "cpu.max", &cur, err) < 0)
				return -1;
			q = oc_xstrndup(cur, strcspn(cur, " "));
		}
		if (period ? oc_cg_writef(dir, "cpu.max", err, "%s %" PRIu64, q, c->period) < 0
			   : oc_cg_write(dir, "cpu.max", q, err) < 0)
			return -1;
	}
	if (c->has_burst && oc_cg_writef(dir, "cpu.max.burst", err, "%" PRIu64, c->burst) < 0)
		return -1;
	return 0;
}

static int apply_cpu(struct oc_cgroup *cg, const struct oc_spec_cpu *c, oc_error_t *err)
{
	if (c == NULL)
		return 0;
	if (c->has_shares || c->has_quota || c->has_burst || c->has_period || c->has_realtime_runtime ||
	    c->has_realtime_period || c->has_idle) {
		const struct oc_cg_dir *d = need(cg, "cpu", "cpu", err);
		if (d == NULL)
			return -1;
		if ((d->v2 ? cpu_v2 : cpu_v1)(d->path, c, err) < 0)
			return -1;
	}
	if (c->cpus != NULL || c->mems != NULL) {
		const struct oc_cg_dir *d = need(cg, "cpuset", "cpuset", err);
		if (d == NULL)
			return -1;
		if (c->cpus != NULL && oc_cg_write(d->path, "cpuset.cpus", c->cpus, err) < 0)
			return -1;
		if (c->mems != NULL && oc_cg_write(d->path, "cpuset.mems", c->mems, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- pids ------------------------------------------------------------------- */

static int apply_pids(struct oc_cgroup *cg, const struct oc_spec_pids *p, oc_error_t *err)
{
	if (p == NULL || !p->has_limit)
		return 0;
	const struct oc_cg_dir *d = need(cg, "pids", "pids", err);
	if (d == NULL)
		return -1;
	/* 0 and negative both mean "no limit" (runc maps 0 to -1) */
	cleanup_free char *v = p->limit > 0 ? oc_xasprintf("%" PRId64, p->limit) : oc_xstrdup("max");
	return oc_cg_write(d->path, "pids.max", v, err);
}

/* ---- block io ------------------------------------------------------------------ */

static int throttle(const char *dir, const char *file, const char *v2key, const struct oc_spec_throttle_device *t,
		    size_t n, oc_error_t *err)
{
	for (size_t i = 0; i < n; i++) {
		int r;
		if (v2key == NULL)
			r = oc_cg_writef(dir, file, err, "%" PRId64 ":%" PRId64 " %" PRIu64, t[i].major, t[i].minor,
					 t[i].rate);
		else if (t[i].rate == 0)
			r = oc_cg_writef(dir, "io.max", err, "%" PRId64 ":%" PRId64 " %s=max", t[i].major, t[i].minor,
					 v2key);
		else
			r = oc_cg_writef(dir, "io.max", err, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t[i].major,
					 t[i].minor, v2key, t[i].rate);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int blkio_v1(const char *dir, const struct oc_spec_blockio *b, oc_error_t *err)
{
	/* With the BFQ scheduler and no CFQ, only the bfq files exist. */
	bool bfq = !oc_cg_exists(dir, "blkio.weight") && oc_cg_exists(dir, "blkio.bfq.weight");
	const char *wf = bfq ? "blkio.bfq.weight" : "blkio.weight";
	const char *wdf = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";
	if (b->has_weight && b->weight != 0 && oc_cg_writef(dir, wf, err, "%u", b->weight) < 0)
		return -1;
	if (b->has_leaf_weight && b->leaf_weight != 0 && oc_cg_writef(dir, "blkio.leaf_weight", err, "%u", b->leaf_weight) < 0)
		return -1;
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct oc_spec_weight_device *w = &b->weight_device[i];
		if (w->has_weight &&
		    oc_cg_writef(dir, wdf, err, "%" PRId64 ":%" PRId64 " %u", w->major, w->minor, w->weight) < 0)
			return -1;
		if (w->has_leaf_weight && oc_cg_writef(dir, "blkio.leaf_weight_device", err, "%" PRId64 ":%" PRId64 " %u",
						       w->major, w->minor, w->leaf_weight) < 0)
			return -1;
	}
	if (throttle(dir, "blkio.throttle.read_bps_device", NULL, b->throttle_read_bps_device,
		     b->n_throttle_read_bps_device, err) < 0 ||
	    throttle(dir, "blkio.throttle.write_bps_device", NULL, b->throttle_write_bps_device,
		     b->n_throttle_write_bps_device, err) < 0 ||
	    throttle(dir, "blkio.throttle.read_iops_device", NULL, b->throttle_read_iops_device,
		     b->n_throttle_read_iops_device, err) < 0 ||
	    throttle(dir, "blkio.throttle.write_iops_device", NULL, b->throttle_write_iops_device,
		     b->n_throttle_write_iops_device, err) < 0)
		return -1;
	return 0;
}

static int blkio_v2(const char *dir, const struct oc_spec_blockio *b, oc_error_t *err)
{
	bool bfq = oc_cg_exists(dir, "io.bfq.weight");
	if (b->has_weight && b->weight != 0) {
		int r = bfq ? oc_cg_writef(dir, "io.bfq.weight", err, "%u", b->weight)
			    : oc_cg_writef(dir, "io.weight", err, "%" PRIu64, oc_cgroup_blkio_to_io_weight(b->weight));
		if (r < 0)
			return -1;
	}
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct oc_spec_weight_device *w = &b->weight_device[i];
		if (!w->has_weight)
			continue;
		int r = bfq ? oc_cg_writef(dir, "io.bfq.weight", err, "%" PRId64 ":%" PRId64 " %u", w->major, w->minor,
					   w->weight)
			    : oc_cg_writef(dir, "io.weight", err, "%" PRId64 ":%" PRId64 " %" PRIu64, w->major,
					   w->minor, oc_cgroup_blkio_to_io_weight(w->weight));
		if (r < 0)
			return -1;
	}
	if (b->has_leaf_weight)
		oc_debug("cgroup: blockIO leafWeight has no cgroup v2 form: ignored");
	if (throttle(dir, NULL, "rbps", b->throttle_read_bps_device, b->n_throttle_read_bps_device, err) < 0 ||
	    throttle(dir, NULL, "wbps", b->throttle_write_bps_device, b->n_throttle_write_bps_device, err) < 0 ||
	    throttle(dir, NULL, "riops", b->throttle_read_iops_device, b->n_throttle_read_iops_device, err) < 0 ||
	    throttle(dir, NULL, "wiops", b->throttle_write_iops_device, b->n_throttle_write_iops_device, err) < 0)
		return -1;
	return 0;
}

static int apply_blkio(struct oc_cgroup *cg, const struct oc_spec_blockio *b, oc_error_t *err)
{
	if (b == NULL)
		return 0;
	if (!(b->has_weight || b->has_leaf_weight || b->n_weight_device || b->n_throttle_read_bps_device ||
	      b->n_throttle_write_bps_device || b->n_throttle_read_iops_device || b->n_throttle_write_iops_device))
		return 0;
	const struct oc_cg_dir *d = need(cg, "blkio", "io", err);
	if (d == NULL)
		return -1;
	return d->v2 ? blkio_v2(d->path, b, err) : blkio_v1(d->path, b, err);
}

/* ---- hugetlb --------------------------------------------------------------------- */

static int apply_hugetlb(struct oc_cgroup *cg, const struct oc_spec_resources *r, oc_error_t *err)
{
	if (r->n_hugepage_limits == 0)
		return 0;
	const struct oc_cg_dir *d = need(cg, "hugetlb", "hugetlb", err);
	if (d == NULL)
		return -1;
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct oc_spec_hugepage_limit *h = &r->hugepage_limits[i];
		const char *ps = h->page_size ? h->page_size : "";
		/* the size becomes part of a file name */
		if (*ps == '\0' || strspn(ps, "0123456789KMGTPkmgtpB") != strlen(ps))
			return oc_error_set(err, 0, "invalid hugepage size \"%s\"", ps);
		cleanup_free char *f = oc_xasprintf(d->v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes", ps);
		cleanup_free char *rf = oc_xasprintf(d->v2 ? "hugetlb.%s.rsvd.max" : "hugetlb.%s.rsvd.limit_in_bytes", ps);
		if (!oc_cg_exists(d->path, f))
			return oc_error_set(err, 0, "hugepage size \"%s\" is not supported: no `%s/%s`", ps, d->path, f);
		if (oc_cg_writef(d->path, f, err, "%" PRIu64, h->limit) < 0)
			return -1;
		/* runc 1.2 sets the reservation limit alike when the kernel
		 * has it, so that reserved-but-unfaulted pages count too */
		if (oc_cg_exists(d->path, rf) && oc_cg_writef(d->path, rf, err, "%" PRIu64, h->limit) < 0)
			return -1;
	}
	return 0;
}

/* ---- network, rdma ---------------------------------------------------------------- */

static int apply_network(struct oc_cgroup *cg, const struct oc_spec_network *n, oc_error_t *err)
{
	if (n == NULL || (!n->has_class_id && n->n_priorities == 0))
		return 0;
	if (cg->layout == OC_CG_V2) {
		oc_warn("linux.resources.network has no cgroup v2 form: ignored");
		return 0;
	}
	if (n->has_class_id) {
		const struct oc_cg_dir *d = need(cg, "net_cls", "net_cls", err);
		if (d == NULL || oc_cg_writef(d->path, "net_cls.classid", err, "%" PRIu32, n->class_id) < 0)
			return -1;
	}
	if (n->n_priorities > 0) {
		const struct oc_cg_dir *d = need(cg, "net_prio", "net_prio", err);
		if (d == NULL)
			return -1;
		for (size_t i = 0; i < n->n_priorities; i++) {
			const char *name = n->priorities[i].name ? n->priorities[i].name : "";
			if (*name == '\0' || strpbrk(name, " \n/") != NULL)
				return oc_error_set(err, 0, "invalid interface name \"%s\"", name);
			if (oc_cg_writef(d->path, "net_prio.ifpriomap", err, "%s %" PRIu32, name,
					 n->priorities[i].priority) < 0)
				return -1;
		}
	}
	return 0;
}

static int apply_rdma(struct oc_cgroup *cg, const struct oc_spec_resources *r, oc_error_t *err)
{
	if (r->n_rdma == 0)
		return 0;
	const struct oc_cg_dir *d = need(cg, "rdma", "rdma", err);
	if (d == NULL)
		return -1;
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct oc_spec_rdma *x = &r->rdma[i];
		const char *dev = x->device ? x->device : "";
		if (*dev == '\0' || strpbrk(dev, " \n") != NULL)
			return oc_error_set(err, 0, "invalid rdma device \"%s\"", dev);
		cleanup_free char *h = x->has_hca_handles ? oc_xasprintf("%" PRIu32, x->hca_handles) : oc_xstrdup("max");
		cleanup_free char *o = x->has_hca_objects ? oc_xasprintf("%" PRIu32, x->hca_objects) : oc_xstrdup("max");
		if (oc_cg_writef(d->path, "rdma.max", err, "%s hca_handle=%s hca_object=%s", dev, h, o) < 0)
			return -1;
	}
	return 0;
}

/* ---- unified ------------------------------------------------------------------------ */

static int apply_unified(struct oc_cgroup *cg, const struct oc_spec_resources *r, oc_error_t *err)
{
	if (r->n_unified == 0)
		return 0;
	const struct oc_cg_dir *u = oc_cg_v2_dir(cg);
	if (u == NULL) {
		if (oc_cg_skipped(cg, "unified"))
			return oc_error_set(err, 0, "cannot set unified resources: container could not join or create cgroup");
		return oc_error_set(err, 0, "invalid configuration: cannot use unified on cgroup v1");
	}
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified_keys[i];
		const char *dot = strchr(k, '.');
		if (dot == NULL || dot == k || strchr(k, '/') != NULL)
			return oc_error_set(err, 0, "unified resource \"%s\": invalid file name", k);
		cleanup_free char *ctrl = oc_xstrndup(k, (size_t) (dot - k));
		if (strcmp(ctrl, "cgroup") != 0 && oc_cg_v1_has(cg, ctrl))
			return oc_error_set(err, 0,
					    "unified resource \"%s\" can't be set: controller \"%s\" is bound to cgroup v1 on this host",
					    k, ctrl);
		if (!oc_cg_exists(u->path, k)) {
			if (strcmp(ctrl, "cgroup") != 0 && !oc_cg_v2_has(u->path, ctrl))
				return oc_error_set(err, 0,
						    "unified resource \"%s\" can't be set: controller \"%s\" not available", k,
						    ctrl);
			return oc_error_set(err, 0, "unified resource \"%s\" can't be set: no such file `%s/%s`", k,
					    u->path, k);
		}
		if (oc_cg_write(u->path, k, r->unified_values[i], err) < 0)
			return -1;
	}
	return 0;
}

/* ---- devices --------------------------------------------------------------------------- */

static int apply_devices(struct oc_cgroup *cg, const struct oc_spec_resources *r, const struct oc_spec_device *devices,
			 size_t n_devices, bool default_devices, oc_error_t *err)
{
	cleanup_free struct oc_cg_dev_rule *rules = NULL;
	size_t n = 0;
	if ((r == NULL || r->n_devices == 0) && n_devices == 0 && !default_devices)
		return 0;
	if (oc_cg_dev_rules(r, devices, n_devices, default_devices, &rules, &n, err) < 0)
		return -1;
	const struct oc_cg_dir *d = oc_cg_find(cg, "devices");
	if (d == NULL) {
		if (cg->rootless)
			return 0; /* as runc: not expected to work rootless */
		need(cg, "devices", "devices", err);
		return -1;
	}
	oc_error_t e = OC_ERROR_INIT;
	int ret = d->v2 ? oc_cg_dev_bpf_apply(d->path, rules, n, &e) : oc_cg_dev_v1_apply(d->path, rules, n, &e);
	if (ret < 0) {
		if (cg->rootless && (e.code == EPERM || e.code == EACCES)) {
			oc_debug("cgroup: rootless, device rules not applied: %s", e.msg);
			oc_error_clear(&e);
			return 0;
		}
		*err = e;
		return -1;
	}
	return 0;
}

/* ---- all ---------------------------------------------------------------------------------- */

int oc_cgroup_apply_full(struct oc_cgroup *cg, const struct oc_spec_resources *r, const struct oc_spec_device *devices,
			 size_t n_devices, bool default_devices, oc_error_t *err)
{
	if (cg == NULL) {
		if (r != NULL && (r->memory || r->cpu || r->pids || r->blockio || r->n_hugepage_limits || r->network ||
				  r->n_rdma || r->n_unified))
			return oc_error_set(err, 0, "cannot set resources: the container has no cgroup");
		return 0;
	}
	if (apply_devices(cg, r, devices, n_devices, default_devices, err) < 0)
		return -1;
	if (r == NULL)
		return 0;
	/* cpuset before the rest as runc v1; unified last so that its keys
	 * override the converted values */
	if (apply_cpu(cg, r->cpu, err) < 0 || apply_memory(cg, r->memory, err) < 0 || apply_pids(cg, r->pids, err) < 0 ||
	    apply_blkio(cg, r->blockio, err) < 0 || apply_hugetlb(cg, r, err) < 0 ||
	    apply_network(cg, r->network, err) < 0 || apply_rdma(cg, r, err) < 0 || apply_unified(cg, r, err) < 0)
		return -1;
	return 0;
}

int oc_cgroup_apply(struct oc_cgroup *cg, const struct oc_spec_resources *r, oc_error_t *err)
{
	return oc_cgroup_apply_full(cg, r, NULL, 0, false, err);
}
