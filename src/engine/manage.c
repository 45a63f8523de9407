/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The verbs that act on a container's cgroup: pause, resume, ps, update,
 * events. */
#include <fcntl.h>
#include <stddef.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "engine-int.h"
#include "ocichroot/cgroup.h"
#include "ocichroot/common.h"
#include "ocichroot/json.h"
#include "ocichroot/state.h"

struct opened {
	int dirfd, lockfd;
	struct oc_state *st;
	struct oc_cgroup *cg;
	enum oc_status status;
};

static void opened_release(struct opened *o)
{
	if (o->dirfd >= 0)
		close(o->dirfd);
	if (o->lockfd >= 0)
		close(o->lockfd);
	oc_state_free(o->st);
	oc_cgroup_free(o->cg);
}
#define cleanup_opened __attribute__((cleanup(opened_release)))

static int open_with_cgroup(const struct oc_runtime *rt, const char *id, bool lock, struct opened *o, oc_error_t *err)
{
	if (oc_container_open(rt, id, &o->dirfd, lock ? &o->lockfd : NULL, &o->st, err) < 0)
		return -1;
	o->status = oc_state_status(o->dirfd, o->st);
	return oc_container_cgroup(o->st, &o->cg, err);
}

static int need_cgroup(const struct opened *o, const char *verb, oc_error_t *err)
{
	if (o->cg == NULL)
		return oc_error_set(err, 0, "cannot %s a container without a cgroup (created with --cgroup-manager disabled or rootless)", verb);
	return 0;
}

int oc_engine_pause(const struct oc_runtime *rt, const char *id, oc_error_t *err)
{
	cleanup_opened struct opened o = {.dirfd = -1, .lockfd = -1};

	if (open_with_cgroup(rt, id, true, &o, err) < 0)
		return -1;
	if (o.status != OC_STATUS_RUNNING && o.status != OC_STATUS_CREATED)
		return oc_error_set(err, 0, "container not running");
	if (need_cgroup(&o, "pause", err) < 0 || oc_cgroup_freeze(o.cg, true, err) < 0)
		return -1;
	o.st->status_saved = OC_STATUS_PAUSED;
	return oc_state_write(o.dirfd, o.st, err);
}

int oc_engine_resume(const struct oc_runtime *rt, const char *id, oc_error_t *err)
{
	cleanup_opened struct opened o = {.dirfd = -1, .lockfd = -1};

	if (open_with_cgroup(rt, id, true, &o, err) < 0)
		return -1;
	if (o.status != OC_STATUS_PAUSED)
		return oc_error_set(err, 0, "container not paused");
	if (need_cgroup(&o, "resume", err) < 0 || oc_cgroup_freeze(o.cg, false, err) < 0)
		return -1;
	o.st->status_saved = oc_state_has_exec_fifo(o.dirfd) ? OC_STATUS_CREATED : OC_STATUS_RUNNING;
	return oc_state_write(o.dirfd, o.st, err);
}

/* ---- ps ------------------------------------------------------------------- */

static int container_pids(struct opened *o, pid_t **pids, size_t *n, oc_error_t *err)
{
	if (o->cg != NULL)
		return oc_cgroup_pids(o->cg, pids, n, err);
	/* no cgroup: what we know for sure is init */
	*pids = oc_xcalloc(1, sizeof(pid_t));
	*n = 0;
	if (o->status != OC_STATUS_STOPPED)
		(*pids)[(*n)++] = o->st->pid;
	return 0;
}

static bool has_pid(const pid_t *pids, size_t n, long p)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == p)
			return true;
	return false;
}

/* Run ps(1) with args and keep the header and the rows of our pids, found
 * in the PID column of the header, as runc does. */
static int filter_ps(const pid_t *pids, size_t n, char *const *args, int n_args, char **out, oc_error_t *err)
{
	cleanup_free char **argv = oc_xcalloc((size_t) n_args + 3, sizeof(char *));
	cleanup_free char *text = NULL, *res = NULL;
	size_t len = 0, rlen = 0;
	FILE *f, *r;
	int pfd[2], status, col = -1;
	pid_t pid;
	char *save = NULL;

	argv[0] = (char *) "ps";
	if (n_args == 0)
		argv[1] = (char *) "-ef";
	for (int i = 0; i < n_args; i++)
		argv[i + 1] = args[i];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return oc_error_sys(err, "pipe");
	pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(pfd[1], 1);
		execvp("ps", argv);
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return oc_error_sys(err, "fork ps");
	}
	f = fdopen(pfd[0], "r");
	r = open_memstream(&text, &len);
	if (f != NULL && r != NULL) {
		char buf[4096];
		size_t k;
		while ((k = fread(buf, 1, sizeof buf, f)) > 0)
			fwrite(buf, 1, k, r);
	}
	if (f != NULL)
		fclose(f);
	if (r != NULL)
		fclose(r);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return oc_error_set(err, 0, "ps: %s", WIFEXITED(status) && WEXITSTATUS(status) == 127 ? "command not found" : "failed");
	r = open_memstream(&res, &rlen);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (col < 0) {
			/* the header: which field is PID */
			cleanup_free char *h = oc_xstrdup(line);
			char *s2 = NULL;
			int i = 0;
			for (char *w = strtok_r(h, " \t", &s2); w; w = strtok_r(NULL, " \t", &s2), i++)
				if (strcmp(w, "PID") == 0)
					col = i;
			if (col < 0) {
				fclose(r);
				return oc_error_set(err, 0, "ps: no PID column in its output");
			}
			fprintf(r, "%s\n", line);
			continue;
		}
		{
			cleanup_free char *l = oc_xstrdup(line);
			char *s2 = NULL, *w = strtok_r(l, " \t", &s2);
			for (int i = 0; w && i < col; i++)
				w = strtok_r(NULL, " \t", &s2);
			if (w && has_pid(pids, n, strtol(w, NULL, 10)))
				fprintf(r, "%s\n", line);
		}
	}
	fclose(r);
	*out = steal_pointer(&res);
	return 0;
}

int oc_engine_ps(const struct oc_runtime *rt, const char *id, bool json, char *const *ps_args, int n_ps_args,
		 char **out, oc_error_t *err)
{
	cleanup_opened struct opened o = {.dirfd = -1, .lockfd = -1};
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;

	if (open_with_cgroup(rt, id, false, &o, err) < 0 || container_pids(&o, &pids, &n, err) < 0)
		return -1;
	if (json) {
		cleanup_json_gen yajl_gen g = oc_json_gen_new(false, NULL);
		yajl_gen_array_open(g);
		for (size_t i = 0; i < n; i++)
			yajl_gen_integer(g, pids[i]);
		yajl_gen_array_close(g);
		*out = oc_json_gen_finish(g);
		return 0;
	}
	return filter_ps(pids, n, ps_args, n_ps_args, out, err);
}

/* ---- update ----------------------------------------------------------------- */

static int parse_size(const char *flag, const char *v, int64_t *out, oc_error_t *err)
{
	char *end;
	long long n;
	int64_t mul = 1;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (end == v || errno != 0)
		return oc_error_set(err, 0, "%s: invalid value \"%s\"", flag, v);
	switch (*end) {
	case 'k': case 'K': mul = 1LL << 10; end++; break;
	case 'm': case 'M': mul = 1LL << 20; end++; break;
	case 'g': case 'G': mul = 1LL << 30; end++; break;
	case 't': case 'T': mul = 1LL << 40; end++; break;
	default: break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0' || (n > 0 && n > INT64_MAX / mul))
		return oc_error_set(err, 0, "%s: invalid value \"%s\"", flag, v);
	*out = n * mul;
	return 0;
}

static int parse_u64(const char *flag, const char *v, uint64_t *out, oc_error_t *err)
{
	int64_t n;

	if (parse_size(flag, v, &n, err) < 0)
		return -1;
	if (n < 0)
		return oc_error_set(err, 0, "%s: must not be negative", flag);
	*out = (uint64_t) n;
	return 0;
}

static int flags_to_resources(const struct oc_update_opts *o, struct oc_spec_resources *r, oc_error_t *err)
{
	struct oc_spec_memory *m = r->memory;
	struct oc_spec_cpu *c = r->cpu;

	static const struct {
		size_t opt, val, has;
		const char *flag;
	} mem[] = {
		{offsetof(struct oc_update_opts, memory), offsetof(struct oc_spec_memory, limit),
		 offsetof(struct oc_spec_memory, has_limit), "--memory"},
		{offsetof(struct oc_update_opts, memory_swap), offsetof(struct oc_spec_memory, swap),
		 offsetof(struct oc_spec_memory, has_swap), "--memory-swap"},
		{offsetof(struct oc_update_opts, memory_reservation), offsetof(struct oc_spec_memory, reservation),
		 offsetof(struct oc_spec_memory, has_reservation), "--memory-reservation"},
		{offsetof(struct oc_update_opts, kernel_memory), offsetof(struct oc_spec_memory, kernel),
		 offsetof(struct oc_spec_memory, has_kernel), "--kernel-memory"},
		{offsetof(struct oc_update_opts, kernel_memory_tcp), offsetof(struct oc_spec_memory, kernel_tcp),
		 offsetof(struct oc_spec_memory, has_kernel_tcp), "--kernel-memory-tcp"},
	};

	for (size_t i = 0; i < OC_ARRAY_SIZE(mem); i++) {
		const char *v = *(const char *const *) ((const char *) o + mem[i].opt);

		if (v == NULL)
			continue;
		if (m == NULL)
			m = r->memory = oc_xcalloc(1, sizeof *m);
		if (parse_size(mem[i].flag, v, (int64_t *) ((char *) m + mem[i].val), err) < 0)
			return -1;
		*(bool *) ((char *) m + mem[i].has) = true;
	}
	if ((o->cpu_shares || o->cpu_quota || o->cpu_period || o->cpu_rt_period || o->cpu_rt_runtime ||
	     o->cpuset_cpus || o->cpuset_mems) && c == NULL)
		c = r->cpu = oc_xcalloc(1, sizeof *c);
	if (o->cpu_shares && (parse_u64("--cpu-share", o->cpu_shares, &c->shares, err) < 0 || !(c->has_shares = true)))
		return -1;
	if (o->cpu_quota && (parse_size("--cpu-quota", o->cpu_quota, &c->quota, err) < 0 || !(c->has_quota = true)))
		return -1;
	if (o->cpu_period && (parse_u64("--cpu-period", o->cpu_period, &c->period, err) < 0 || !(c->has_period = true)))
		return -1;
	if (o->cpu_rt_period &&
	    (parse_u64("--cpu-rt-period", o->cpu_rt_period, &c->realtime_period, err) < 0 ||
	     !(c->has_realtime_period = true)))
		return -1;
	if (o->cpu_rt_runtime &&
	    (parse_size("--cpu-rt-runtime", o->cpu_rt_runtime, &c->realtime_runtime, err) < 0 ||
	     !(c->has_realtime_runtime = true)))
		return -1;
	if (o->cpuset_cpus) {
		free(c->cpus);
		c->cpus = oc_xstrdup(o->cpuset_cpus);
	}
	if (o->cpuset_mems) {
		free(c->mems);
		c->mems = oc_xstrdup(o->cpuset_mems);
	}
	if (o->pids_limit) {
		if (r->pids == NULL)
			r->pids = oc_xcalloc(1, sizeof *r->pids);
		if (parse_size("--pids-limit", o->pids_limit, &r->pids->limit, err) < 0)
			return -1;
		r->pids->has_limit = true;
	}
	if (o->blkio_weight) {
		uint64_t w = 0;
		if (parse_u64("--blkio-weight", o->blkio_weight, &w, err) < 0)
			return -1;
		if (w > 1000)
			return oc_error_set(err, 0, "--blkio-weight: must be at most 1000");
		if (r->blockio == NULL)
			r->blockio = oc_xcalloc(1, sizeof *r->blockio);
		r->blockio->weight = (uint16_t) w;
		r->blockio->has_weight = true;
	}
	return 0;
}

int oc_engine_update(const struct oc_runtime *rt, const char *id, const struct oc_update_opts *o, oc_error_t *err)
{
	cleanup_opened struct opened op = {.dirfd = -1, .lockfd = -1};
	cleanup_spec_resources struct oc_spec_resources *r = NULL;

	if (o->resources_file != NULL) {
		cleanup_free char *buf = NULL;
		size_t len = 0;
		const char *path = strcmp(o->resources_file, "-") == 0 ? "/dev/stdin" : o->resources_file;

		if (oc_json_read_file(path, OC_SPEC_MAX_SIZE, &buf, &len, err) < 0 ||
		    oc_spec_parse_resources(buf, len, o->resources_file, &r, err) < 0)
			return -1;
	} else {
		r = oc_xcalloc(1, sizeof *r);
	}
	if (flags_to_resources(o, r, err) < 0)
		return -1;
	if (open_with_cgroup(rt, id, true, &op, err) < 0)
		return -1;
	if (op.status == OC_STATUS_STOPPED)
		return oc_error_set(err, 0, "container not running");
	if (need_cgroup(&op, "update", err) < 0)
		return -1;
	return oc_cgroup_apply(op.cg, r, err);
}

/* ---- events ----------------------------------------------------------------- */

static char *event_json(const char *type, const char *id, const char *data)
{
	return data ? oc_xasprintf("{\"type\":\"%s\",\"id\":\"%s\",\"data\":%s}", type, id, data)
		    : oc_xasprintf("{\"type\":\"%s\",\"id\":\"%s\"}", type, id);
}

int oc_engine_events(const struct oc_runtime *rt, const char *id, bool stats_once, long interval_ms,
		     void (*emit)(const char *json), oc_error_t *err)
{
	cleanup_opened struct opened o = {.dirfd = -1, .lockfd = -1};
	cleanup_close int oomfd = -1;

	if (open_with_cgroup(rt, id, false, &o, err) < 0)
		return -1;
	if (o.status == OC_STATUS_STOPPED)
		return oc_error_set(err, 0, "container with id %s is not running", id);
	if (need_cgroup(&o, "get events of", err) < 0)
		return -1;
	if (!stats_once) {
		oomfd = oc_cgroup_oom_fd(o.cg, err);
		if (oomfd < 0)
			oc_error_clear(err); /* no OOM notification: stats only */
	}
	for (;;) {
		cleanup_free char *data = oc_cgroup_stats_json(o.cg, err), *ev = NULL;
		struct pollfd p = {.fd = oomfd, .events = POLLIN};

		if (data == NULL)
			return -1;
		ev = event_json("stats", id, data);
		emit(ev);
		if (stats_once)
			return 0;
		if (poll(&p, 1, (int) interval_ms) > 0 && (p.revents & POLLIN)) {
			uint64_t v;
			cleanup_free char *oom = event_json("oom", id, NULL);
			if (read(oomfd, &v, sizeof v) < 0) {
				/* an inotify fd: drain */
				char buf[512];
				ssize_t rr = read(oomfd, buf, sizeof buf);
				(void) rr;
			}
			emit(oom);
		}
		if (!oc_proc_alive(o.st->pid, o.st->pid_start))
			return 0;
	}
}
