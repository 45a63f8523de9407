/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cgroup module on the real cgroupfs, as root. argv[1] names the
 * layout the test runs in ("hybrid", "v1", "v2"); meson runs the v1 and v2
 * cases inside `unshare -m` with /sys/fs/cgroup rearranged. Every cgroup
 * made here is below /<hier>/oc-cgtest-<pid>/ or /<hier>/ocichroot/oc-cgtest-<pid>
 * and removed at the end, also after a failure. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ocichroot/cgroup.h"
#include "ocichroot/common.h"
#include "ocichroot/json.h"

#include "cgroup-int.h"
#include "../../unit/tap.h"

static const char *mode;
static char top[64]; /* "oc-cgtest-PID" */
static pid_t children[16];
static size_t n_children;

static void ms(unsigned n)
{
	struct timespec ts = {n / 1000, (long) (n % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* A child that waits for a byte on a pipe, then runs `what`. */
enum what { IDLE, BUSY, DEVICES, HOG };

static pid_t spawn(enum what w, int *go)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(99);
		switch (w) {
		case IDLE:
			for (;;)
				pause();
		case BUSY:
			for (volatile unsigned long i = 0;; i++)
				;
		case DEVICES: {
			int r = 0;
			/* c 1:3 is allowed, c 1:11 is not */
			int fd = open("/dev/null", O_RDWR);
			if (fd >= 0)
				r |= 1;
			fd = open("/dev/kmsg", O_RDONLY);
			if (fd < 0 && errno == EPERM)
				r |= 2;
			_exit(r);
		}
		case HOG:
			for (;;) {
				char *m = malloc(1 << 20);
				if (m == NULL)
					_exit(3);
				memset(m, 1, 1 << 20);
			}
		}
		_exit(0);
	}
	close(p[0]);
	*go = p[1];
	children[n_children++] = pid;
	return pid;
}

static void release(int go)
{
	if (write(go, "x", 1) != 1)
		abort();
	close(go);
}

static int reap(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	for (size_t i = 0; i < n_children; i++)
		if (children[i] == pid)
			children[i] = 0;
	return st;
}

static char *rd(const char *dir, const char *file)
{
	static char buf[8192];
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static unsigned long long cputime(pid_t pid)
{
	char p[64], buf[1024];
	snprintf(p, sizeof(p), "/proc/%d/stat", (int) pid);
	FILE *f = fopen(p, "r");
	if (f == NULL)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *s = strrchr(buf, ')');
	unsigned long long ut = 0, st = 0;
	if (s)
		sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st);
	return ut + st;
}

static bool in_cgroup(pid_t pid, const char *needle)
{
	char p[64], buf[4096];
	snprintf(p, sizeof(p), "/proc/%d/cgroup", (int) pid);
	FILE *f = fopen(p, "r");
	if (f == NULL)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

/* Any directory named top left under /sys/fs/cgroup/<hier>/ or
 * /sys/fs/cgroup/<hier>/ocichroot/ ? */
static bool leftovers(const char *name)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "ls -d /sys/fs/cgroup/%s /sys/fs/cgroup/*/%s /sys/fs/cgroup/ocichroot/%s /sys/fs/cgroup/*/ocichroot/%s >/dev/null 2>&1",
		 name, name, name, name);
	return system(cmd) == 0;
}

static void kill_children(void)
{
	for (size_t i = 0; i < n_children; i++) {
		if (children[i] > 0) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
			children[i] = 0;
		}
	}
}

static void rm_top(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "for d in /sys/fs/cgroup/%s /sys/fs/cgroup/*/%s /sys/fs/cgroup/ocichroot/%s /sys/fs/cgroup/*/ocichroot/%s; do "
		 "[ -d \"$d\" ] && find \"$d\" -depth -type d -exec rmdir {} \\; ; done 2>/dev/null; true",
		 top, top, top, top);
	if (system(cmd) != 0)
		printf("# cleanup command failed\n");
}

#define OKE(call, ...)                                                    \
	do {                                                              \
		oc_error_t e_ = OC_ERROR_INIT;                            \
		int r_ = (call);                                          \
		TAP_OK(r_ >= 0, __VA_ARGS__);                             \
		if (r_ < 0)                                               \
			printf("#   error: %s\n", e_.msg ? e_.msg : "?"); \
		oc_error_clear(&e_);                                      \
	} while (0)

/* Expect a failure whose message contains `want`. */
static void expect_err(struct oc_cgroup *cg, const struct oc_spec_resources *r, const char *want, const char *what)
{
	oc_error_t e = OC_ERROR_INIT;
	int ret = oc_cgroup_apply(cg, r, &e);
	TAP_OK(ret < 0 && e.msg && strstr(e.msg, want), "%s refused: %s", what, e.msg ? e.msg : "(no error)");
	oc_error_clear(&e);
}

static const char *blockdev(void)
{
	static char buf[32];
	FILE *f = fopen("/sys/block/vda/dev", "r");
	if (f == NULL)
		f = popen("cat /sys/block/*/dev | grep -v '^7:' | head -1", "r");
	if (f == NULL || fgets(buf, sizeof(buf), f) == NULL)
		return NULL;
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* ---- v1 controllers (hybrid and v1) ------------------------------------------ */

static void v1_resources(struct oc_cgroup *cg)
{
	const char *mem = oc_cgroup_dir(cg, "memory"), *cpu = oc_cgroup_dir(cg, "cpu");
	const char *cs = oc_cgroup_dir(cg, "cpuset"), *pids = oc_cgroup_dir(cg, "pids");
	const char *blk = oc_cgroup_dir(cg, "blkio"), *dev = oc_cgroup_dir(cg, "devices");
	TAP_OK(mem && cpu && cs && pids && blk && dev, "v1 directories present");
	if (!(mem && cpu && cs && pids && blk && dev))
		return;
	TAP_STREQ(rd(mem, "memory.limit_in_bytes"), "67108864", "memory.limit_in_bytes");
	TAP_STREQ(rd(mem, "memory.memsw.limit_in_bytes"), "134217728", "memory.memsw.limit_in_bytes");
	TAP_STREQ(rd(mem, "memory.soft_limit_in_bytes"), "33554432", "memory.soft_limit_in_bytes");
	TAP_STREQ(rd(mem, "memory.swappiness"), "10", "memory.swappiness");
	TAP_STREQ(rd(mem, "memory.kmem.tcp.limit_in_bytes"), "16777216", "memory.kmem.tcp.limit_in_bytes");
	TAP_STREQ(rd(mem, "memory.oom_control"), "oom_kill_disable 1", "memory.oom_control");
	TAP_STREQ(rd(mem, "memory.use_hierarchy"), "1", "memory.use_hierarchy");
	TAP_STREQ(rd(cpu, "cpu.shares"), "512", "cpu.shares");
	TAP_STREQ(rd(cpu, "cpu.cfs_quota_us"), "20000", "cpu.cfs_quota_us");
	TAP_STREQ(rd(cpu, "cpu.cfs_period_us"), "50000", "cpu.cfs_period_us");
	TAP_STREQ(rd(cpu, "cpu.cfs_burst_us"), "1000", "cpu.cfs_burst_us");
	TAP_STREQ(rd(cpu, "cpu.idle"), "0", "cpu.idle");
	TAP_STREQ(rd(cs, "cpuset.cpus"), "0", "cpuset.cpus");
	TAP_STREQ(rd(cs, "cpuset.mems"), "0", "cpuset.mems");
	TAP_STREQ(rd(pids, "pids.max"), "32", "pids.max");
	const char *wf = oc_cg_exists(blk, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
	char *w = rd(blk, wf);
	TAP_OK(w && strstr(w, "300"), "%s: %s", wf, w ? w : "(none)");
	const char *bd = blockdev();
	if (bd) {
		char want[64];
		snprintf(want, sizeof(want), "%s 1048576", bd);
		TAP_STREQ(rd(blk, "blkio.throttle.read_bps_device"), want, "blkio.throttle.read_bps_device");
		snprintf(want, sizeof(want), "%s 200", bd);
		TAP_STREQ(rd(blk, "blkio.throttle.write_iops_device"), want, "blkio.throttle.write_iops_device");
	}
	/* deny all + defaults: the kernel's list is ours */
	char *dl = rd(dev, "devices.list");
	TAP_STREQ(dl, "c *:* m", "devices.list starts with the first default");
	cleanup_free char *all = NULL;
	oc_error_t e = OC_ERROR_INIT;
	oc_cg_read(dev, "devices.list", &all, &e);
	TAP_OK(all && strstr(all, "c 1:3 rwm") && strstr(all, "c 136:* rwm") && !strstr(all, "a *:* rwm"),
	       "devices.list has /dev/null and pts, no allow-all");
	oc_error_clear(&e);
}

static void run_devices_child(struct oc_cgroup *cg, const char *what)
{
	int go;
	pid_t p = spawn(DEVICES, &go);
	OKE(oc_cgroup_enter(cg, p, &e_), "enter the device checker (%s)", what);
	release(go);
	int st = reap(p);
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "%s: /dev/null opens, /dev/kmsg is EPERM (status %d)", what,
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void processes(struct oc_cgroup *cg)
{
	/* enter, pids, enter_paths */
	int go1, go2;
	pid_t busy = spawn(BUSY, &go1);
	OKE(oc_cgroup_enter(cg, busy, &e_), "enter busy child");
	release(go1);
	pid_t idle = spawn(IDLE, &go2);
	cleanup_strv char **paths = NULL;
	size_t np = 0;
	oc_cgroup_to_paths(cg, &paths, &np);
	OKE(oc_cgroup_enter_paths(paths, np, idle, &e_), "enter idle child from saved paths");
	release(go2);
	char needle[128];
	snprintf(needle, sizeof(needle), "/%s/c\n", top);
	TAP_OK(in_cgroup(busy, needle) && in_cgroup(idle, needle), "/proc/PID/cgroup shows the container's cgroup");
	if (strcmp(mode, "v2") != 0) {
		snprintf(needle, sizeof(needle), ":memory:/%s/c\n", top);
		TAP_OK(in_cgroup(idle, needle), "v1 memory hierarchy joined");
	}
	if (strcmp(mode, "v1") != 0) {
		snprintf(needle, sizeof(needle), "0::/%s/c\n", top);
		TAP_OK(in_cgroup(idle, needle), "unified hierarchy joined");
	}
	cleanup_free pid_t *pv = NULL;
	size_t n = 0;
	OKE(oc_cgroup_pids(cg, &pv, &n, &e_), "pids");
	TAP_OK(n == 2 && ((pv[0] == busy && pv[1] == idle) || (pv[0] == idle && pv[1] == busy)), "pids are the 2 children (%zu)", n);

	/* freeze a busy process: its cpu time stops */
	bool fr = true;
	ms(200);
	OKE(oc_cgroup_freeze(cg, true, &e_), "freeze");
	OKE(oc_cgroup_is_frozen(cg, &fr, &e_), "is_frozen");
	TAP_OK(fr, "reported frozen");
	ms(50);
	unsigned long long t1 = cputime(busy);
	ms(300);
	unsigned long long t2 = cputime(busy);
	TAP_OK(t1 == t2, "frozen busy child gets no cpu (%llu -> %llu ticks)", t1, t2);
	OKE(oc_cgroup_freeze(cg, false, &e_), "thaw");
	OKE(oc_cgroup_is_frozen(cg, &fr, &e_), "is_frozen after thaw");
	TAP_OK(!fr, "reported thawed");
	ms(300);
	unsigned long long t3 = cputime(busy);
	TAP_OK(t3 > t2, "thawed busy child runs again (%llu -> %llu)", t2, t3);

	/* stats */
	oc_error_t e = OC_ERROR_INIT;
	cleanup_free char *js = oc_cgroup_stats_json(cg, &e);
	struct oc_json_doc *doc = NULL;
	TAP_OK(js && oc_json_parse(js, strlen(js), "stats", 1 << 22, 64, &doc, &e) == 0, "stats json parses");
	if (doc) {
		const struct oc_json *root = oc_json_doc_root(doc);
		TAP_OK(oc_json_get(root, "cpu") && oc_json_get(root, "memory") && oc_json_get(root, "pids") &&
			       oc_json_get(root, "blkio") && oc_json_get(root, "hugetlb"),
		       "stats has cpu, memory, pids, blkio, hugetlb");
	}
	oc_json_doc_free(doc);
	oc_error_clear(&e);
	if (strcmp(mode, "v2") != 0) {
		TAP_OK(js && strstr(js, "\"pids\":{\"current\":2,\"limit\":32}"), "pids stats: 2 of 32");
		printf("# %.300s...\n", js ? js : "");
	}

	/* a non-KILL signal to everything: frozen, signalled, thawed */
	OKE(oc_cgroup_signal_all(cg, SIGTERM, &e_), "signal_all SIGTERM");
	int st1 = reap(busy), st2 = reap(idle);
	TAP_OK(WIFSIGNALED(st1) && WTERMSIG(st1) == SIGTERM && WIFSIGNALED(st2) && WTERMSIG(st2) == SIGTERM,
	       "both children died of SIGTERM");
	OKE(oc_cgroup_is_frozen(cg, &fr, &e_), "is_frozen after signal_all");
	TAP_OK(!fr, "not left frozen");

	/* SIGKILL (cgroup.kill on v2/hybrid, freezer on v1) */
	pid_t a = spawn(BUSY, &go1), b = spawn(IDLE, &go2);
	OKE(oc_cgroup_enter(cg, a, &e_), "enter");
	OKE(oc_cgroup_enter(cg, b, &e_), "enter");
	release(go1);
	release(go2);
	ms(50);
	OKE(oc_cgroup_freeze(cg, true, &e_), "pause before kill --all");
	OKE(oc_cgroup_signal_all(cg, SIGKILL, &e_), "signal_all SIGKILL of a paused container");
	st1 = reap(a);
	st2 = reap(b);
	TAP_OK(WIFSIGNALED(st1) && WTERMSIG(st1) == SIGKILL && WIFSIGNALED(st2) && WTERMSIG(st2) == SIGKILL,
	       "both children died of SIGKILL");
	OKE(oc_cgroup_is_frozen(cg, &fr, &e_), "is_frozen after kill");
	TAP_OK(!fr, "thawed by SIGKILL");
}

static void oom(struct oc_cgroup *cg)
{
	const char *mem = oc_cgroup_dir(cg, "memory");
	oc_error_t e = OC_ERROR_INIT;
	struct oc_spec_memory m = {.has_limit = true, .limit = 16 << 20, .has_swap = true, .swap = 16 << 20,
				   .has_disable_oom_killer = true, .disable_oom_killer = false};
	struct oc_spec_resources r = {.memory = &m};
	OKE(oc_cgroup_apply(cg, &r, &e_), "lower the memory limit to 16M (update)");
	TAP_STREQ(rd(mem, "memory.limit_in_bytes"), "16777216", "lowered limit (limit first, then memsw)");
	int fd = oc_cgroup_oom_fd(cg, &e);
	TAP_OK(fd >= 0, "oom fd");
	oc_error_clear(&e);
	int go;
	pid_t hog = spawn(HOG, &go);
	OKE(oc_cgroup_enter(cg, hog, &e_), "enter memory hog");
	release(go);
	struct pollfd pfd = {fd, POLLIN, 0};
	int pr = fd >= 0 ? poll(&pfd, 1, 10000) : -1;
	TAP_OK(pr == 1, "oom fd readable after the hog hits the limit");
	int st = reap(hog);
	TAP_OK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "hog killed by the OOM killer");
	uint64_t cnt = 0;
	OKE(oc_cgroup_oom_count(cg, &cnt, &e_), "oom count");
	TAP_OK(cnt >= 1, "oom_kill count %llu", (unsigned long long) cnt);
	if (fd >= 0)
		close(fd);
}

static void test_v1ish(void)
{
	const char *bd = blockdev();
	unsigned bmaj = 0, bmin = 0;
	if (bd)
		sscanf(bd, "%u:%u", &bmaj, &bmin);
	struct oc_spec_memory mem = {.has_limit = true, .limit = 64 << 20, .has_swap = true, .swap = 128 << 20,
				     .has_reservation = true, .reservation = 32 << 20, .has_swappiness = true,
				     .swappiness = 10, .has_kernel = true, .kernel = 16 << 20, .has_kernel_tcp = true,
				     .kernel_tcp = 16 << 20, .has_disable_oom_killer = true, .disable_oom_killer = true,
				     .has_use_hierarchy = true, .use_hierarchy = true, .has_check_before_update = true,
				     .check_before_update = true};
	struct oc_spec_cpu cpu = {.has_shares = true, .shares = 512, .has_quota = true, .quota = 20000,
				  .has_period = true, .period = 50000, .has_burst = true, .burst = 1000,
				  .cpus = "0", .mems = "0", .has_idle = true, .idle = 0};
	struct oc_spec_pids pids = {.has_limit = true, .limit = 32};
	struct oc_spec_throttle_device rbps = {.major = bmaj, .minor = bmin, .rate = 1048576};
	struct oc_spec_throttle_device wiops = {.major = bmaj, .minor = bmin, .rate = 200};
	struct oc_spec_blockio bio = {.has_weight = true, .weight = 300, .throttle_read_bps_device = &rbps,
				      .n_throttle_read_bps_device = bd ? 1 : 0, .throttle_write_iops_device = &wiops,
				      .n_throttle_write_iops_device = bd ? 1 : 0};
	struct oc_spec_device_rule dr[] = {{.allow = false, .type = 'a', .access = "rwm"}};
	struct oc_spec_resources res = {.memory = &mem, .cpu = &cpu, .pids = &pids, .blockio = &bio,
					.devices = dr, .n_devices = 1};
	char path[128];
	snprintf(path, sizeof(path), "/%s/c", top);
	struct oc_cgroup_config cfg = {.id = top, .cgroups_path = path, .resources = &res, .default_devices = true};
	cleanup_cgroup struct oc_cgroup *cg = NULL;
	oc_error_t e = OC_ERROR_INIT;
	int r = oc_cgroup_create(&cfg, &cg, &e);
	TAP_OK(r == 0 && cg, "create with every v1 resource");
	if (r < 0) {
		printf("#   error: %s\n", e.msg);
		oc_error_clear(&e);
		return;
	}
	TAP_OK(oc_cgroup_layout(cg) == (strcmp(mode, "v1") == 0 ? OC_CG_V1 : OC_CG_HYBRID), "layout %s", mode);
	v1_resources(cg);
	run_devices_child(cg, "v1 devices cgroup");

	/* what cannot be set here is refused with the controller named */
	struct oc_spec_network net = {.has_class_id = true, .class_id = 0x100001};
	struct oc_spec_resources rn = {.network = &net};
	expect_err(cg, &rn, "the net_cls controller is not mounted", "network classID");
	struct oc_spec_rdma rdma = {.device = "mlx4_0", .has_hca_handles = true, .hca_handles = 1};
	struct oc_spec_resources rr = {.rdma = &rdma, .n_rdma = 1};
	expect_err(cg, &rr, "cannot set rdma limit", "rdma");
	struct oc_spec_blockio lw = {.has_leaf_weight = true, .leaf_weight = 100};
	struct oc_spec_resources rl = {.blockio = &lw};
	expect_err(cg, &rl, "blkio.leaf_weight`: No such file or directory", "blkio leafWeight (gone with CFQ)");
	char *uk[] = {"memory.high"}, *uv[] = {"1000000"};
	struct oc_spec_resources ru = {.unified_keys = uk, .unified_values = uv, .n_unified = 1};
	expect_err(cg, &ru, strcmp(mode, "v1") == 0 ? "cannot use unified on cgroup v1" : "is bound to cgroup v1",
		   "unified memory.high");
	struct oc_spec_memory low = {.has_limit = true, .limit = 4096, .has_check_before_update = true,
				     .check_before_update = true};
	struct oc_spec_resources rlow = {.memory = &low};
	int go;
	pid_t hog = spawn(IDLE, &go);
	OKE(oc_cgroup_enter(cg, hog, &e_), "enter a child for the usage check");
	release(go);
	ms(50);
	expect_err(cg, &rlow, "below current usage", "checkBeforeUpdate with a limit below usage");
	kill(hog, SIGKILL);
	reap(hog);
	struct oc_spec_cpu rt = {.has_realtime_period = true, .realtime_period = 1000000, .has_realtime_runtime = true,
				 .realtime_runtime = 10000};
	struct oc_spec_resources rrt = {.cpu = &rt};
	oc_error_t re = OC_ERROR_INIT;
	int rtr = oc_cgroup_apply(cg, &rrt, &re);
	TAP_OK(rtr == 0 || (re.msg && strstr(re.msg, "cpu.rt_runtime_us")), "realtime: %s",
	       rtr == 0 ? "written" : re.msg);
	if (rtr == 0)
		TAP_STREQ(rd(oc_cgroup_dir(cg, "cpu"), "cpu.rt_runtime_us"), "10000", "cpu.rt_runtime_us");
	oc_error_clear(&re);

	struct oc_spec_hugepage_limit hl = {.page_size = "2MB", .limit = 4 << 20};
	struct oc_spec_resources rh = {.hugepage_limits = &hl, .n_hugepage_limits = 1};
	if (strcmp(mode, "hybrid") == 0) {
		/* no v1 hugetlb here: it goes through unified */
		OKE(oc_cgroup_apply(cg, &rh, &e_), "hugetlb through the unified hierarchy");
		TAP_STREQ(rd(oc_cgroup_dir(cg, "unified"), "hugetlb.2MB.max"), "4194304", "unified hugetlb.2MB.max");
		/* the eBPF device program also works on the unified dir of a hybrid host */
		struct oc_spec_device_rule d2[] = {{.allow = false, .type = 'a', .access = "rwm"},
						   {.allow = true, .type = 'c', .has_major = true, .major = 1, .has_minor = true,
						    .minor = 3, .access = "rwm"}};
		struct oc_spec_resources rd2 = {.devices = d2, .n_devices = 2};
		cleanup_free struct oc_cg_dev_rule *rules = NULL;
		size_t nr = 0;
		oc_cg_dev_rules(&rd2, NULL, 0, false, &rules, &nr, &e);
		OKE(oc_cg_dev_bpf_apply(oc_cgroup_dir(cg, "unified"), rules, nr, &e_), "attach a bpf device program on unified");
		OKE(oc_cg_dev_bpf_apply(oc_cgroup_dir(cg, "unified"), rules, nr, &e_), "replace it (update)");
		run_devices_child(cg, "bpf program on hybrid unified");
	} else {
		expect_err(cg, &rh, "the hugetlb controller is not mounted", "hugetlb on v1");
	}

	processes(cg);
	oom(cg);
	OKE(oc_cgroup_destroy(cg, &e_), "destroy");
	char name[128];
	snprintf(name, sizeof(name), "%s/c", top);
	TAP_OK(!leftovers(name), "no directory left in any hierarchy");
}

/* ---- pure v2 -------------------------------------------------------------------------- */

static void test_v2(void)
{
	/* The v1 hierarchies keep cpu, memory, pids, io... bound on this
	 * host: the v2 tree only has what v1 does not (hugetlb here). */
	struct oc_spec_hugepage_limit hl = {.page_size = "2MB", .limit = 4 << 20};
	char *uk[] = {"cgroup.max.depth", "cgroup.max.descendants"}, *uv[] = {"5", "20"};
	struct oc_spec_device_rule dr[] = {{.allow = false, .type = 'a', .access = "rwm"}};
	struct oc_spec_resources res = {.hugepage_limits = &hl, .n_hugepage_limits = 1, .unified_keys = uk,
					.unified_values = uv, .n_unified = 2, .devices = dr, .n_devices = 1};
	char path[128];
	snprintf(path, sizeof(path), "/%s/c", top);
	struct oc_cgroup_config cfg = {.id = top, .cgroups_path = path, .resources = &res, .default_devices = true};
	cleanup_cgroup struct oc_cgroup *cg = NULL;
	oc_error_t e = OC_ERROR_INIT;
	int r = oc_cgroup_create(&cfg, &cg, &e);
	TAP_OK(r == 0 && cg, "create on pure v2");
	if (r < 0) {
		printf("#   error: %s\n", e.msg);
		oc_error_clear(&e);
		return;
	}
	TAP_OK(oc_cgroup_layout(cg) == OC_CG_V2, "layout v2");
	const char *u = oc_cgroup_dir(cg, "unified");
	char want[256];
	snprintf(want, sizeof(want), "/sys/fs/cgroup/%s/c", top);
	TAP_STREQ(u, want, "the v2 directory");
	char parent[256];
	snprintf(parent, sizeof(parent), "/sys/fs/cgroup/%s", top);
	char *sc = rd(parent, "cgroup.subtree_control");
	TAP_OK(sc && strstr(sc, "hugetlb"), "hugetlb enabled in the parent's subtree_control (%s)", sc ? sc : "");
	TAP_STREQ(rd(u, "hugetlb.2MB.max"), "4194304", "hugetlb.2MB.max");
	TAP_STREQ(rd(u, "cgroup.max.depth"), "5", "unified cgroup.max.depth");
	TAP_STREQ(rd(u, "cgroup.max.descendants"), "20", "unified cgroup.max.descendants");
	run_devices_child(cg, "bpf device program on v2");

	struct oc_spec_pids p = {.has_limit = true, .limit = 10};
	struct oc_spec_resources rp = {.pids = &p};
	expect_err(cg, &rp, "cannot set pids limit: the pids controller is not available in", "pids (bound to v1 here)");
	struct oc_spec_memory m = {.has_limit = true, .limit = 1 << 26};
	struct oc_spec_resources rm = {.memory = &m};
	expect_err(cg, &rm, "cannot set memory limit: the memory controller is not available", "memory (bound to v1 here)");
	char *bk[] = {"memory.high"};
	struct oc_spec_resources rb = {.unified_keys = bk, .unified_values = uv, .n_unified = 1};
	expect_err(cg, &rb, "controller \"memory\" not available", "unified memory.high");
	struct oc_spec_network net = {.has_class_id = true, .class_id = 1};
	struct oc_spec_resources rn = {.network = &net};
	OKE(oc_cgroup_apply(cg, &rn, &e_), "network ignored on v2 (warning)");

	processes(cg);
	OKE(oc_cgroup_destroy(cg, &e_), "destroy");
	char name[128];
	snprintf(name, sizeof(name), "%s/c", top);
	TAP_OK(!leftovers(name), "no directory left");
}

/* The default path, /ocichroot/<id>, and joining an existing cgroup. */
static void test_default_and_join(void)
{
	struct oc_cgroup_config cfg = {.id = top};
	cleanup_cgroup struct oc_cgroup *cg = NULL;
	oc_error_t e = OC_ERROR_INIT;
	OKE(oc_cgroup_create(&cfg, &cg, &e_), "create with the default path");
	const char *d = cg ? (oc_cgroup_dir(cg, "memory") ? oc_cgroup_dir(cg, "memory") : oc_cgroup_dir(cg, "unified")) : NULL;
	char want[256];
	snprintf(want, sizeof(want), "/ocichroot/%s", top);
	TAP_OK(d && strstr(d, want), "default path %s", d ? d : "(none)");
	/* a second create of the same path joins it, and destroying the
	 * joiner leaves it */
	cleanup_cgroup struct oc_cgroup *cg2 = NULL;
	OKE(oc_cgroup_create(&cfg, &cg2, &e_), "create again joins");
	cleanup_strv char **paths = NULL;
	size_t np = 0;
	oc_cgroup_to_paths(cg2, &paths, &np);
	TAP_OK(np > 0 && strstr(paths[0], ":joined:"), "saved as joined: %s", np ? paths[0] : "");
	OKE(oc_cgroup_destroy(cg2, &e_), "destroy the joiner");
	struct stat st;
	TAP_OK(d && stat(d, &st) == 0, "joined cgroup kept");
	OKE(oc_cgroup_destroy(cg, &e_), "destroy the owner");
	TAP_OK(d == NULL || stat(d, &st) < 0, "owned cgroup removed");
	TAP_OK(!leftovers(top), "no directory left");
	oc_error_clear(&e);
}

int main(int argc, char **argv)
{
	mode = argc > 1 ? argv[1] : "hybrid";
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 0;
	}
	enum oc_cg_layout lay;
	oc_error_t e = OC_ERROR_INIT;
	if (oc_cgroup_detect(&lay, &e) < 0) {
		printf("1..0 # SKIP no cgroups: %s\n", e.msg);
		return 0;
	}
	const char *have = oc_cgroup_layout_name(lay);
	if (strcmp(have, mode) != 0) {
		printf("1..0 # SKIP host layout is %s, not %s\n", have, mode);
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(top, sizeof(top), "oc-cgtest-%d", (int) getpid());
	TAP_OK(1, "layout detected: %s", have);
	if (strcmp(mode, "v2") == 0)
		test_v2();
	else
		test_v1ish();
	test_default_and_join();
	kill_children();
	rm_top();
	TAP_OK(!leftovers(top), "nothing left under %s", top);
	return tap_done();
}
