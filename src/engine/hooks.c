/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OCI hooks (see hooks.h and docs/hooks.md).
 *
 * One hook = fork + execve with three pipes (stdin fed from here, stdout and
 * stderr relayed to our stderr) and a CLOEXEC pipe on which the child
 * reports a failed execve. The parent then multiplexes, in one poll loop,
 * feeding stdin, relaying output, the hook's exit (a pidfd) and the
 * timeout, so that no amount of input or output and no hook that ignores
 * its stdin can make us block forever. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/hooks.h"
#include "ocichroot/log.h"
#include "ocichroot/spec.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* Bytes of the hook's stderr kept to quote its last line in the error. */
#define HOOK_TAIL_MAX 1024
/* Longest stderr line quoted in an error. */
#define HOOK_LINE_MAX 200
/* Without a pidfd the exit is polled at this period (ms). */
#define HOOK_TICK_MS 10
/* After the hook exited, a grandchild that kept its stdout or stderr open
 * could write forever: read at most this much more from each pipe. */
#define HOOK_DRAIN_MAX (256 * 1024)

struct hook_run {
	const char *kind;
	size_t index;
	const struct oc_spec_hook *hook;
	pid_t pid; /* > 0 while the child is not reaped */
	int64_t deadline; /* CLOCK_MONOTONIC ms; 0: no timeout */
	int pidfd;
	int in_fd; /* write end of the hook's stdin, -1 once all is written */
	int out_fd;
	int err_fd;
	const char *data;
	size_t len;
	size_t off;
	char tail[HOOK_TAIL_MAX];
	size_t tail_len;
	bool tail_cut; /* bytes before tail[] were dropped */
};

/* ---- child side ---------------------------------------------------------- */

/* Without close_range (before 5.9, or refused by a seccomp filter in the
 * container) walk /proc/self/fd with getdents64: no malloc after fork. */
static void close_from_slow(int low)
{
	char buf[4096];
	struct rlimit rl;
	int dfd;

	dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		bool closed_any;
		do {
			long n;
			closed_any = false;
			lseek(dfd, 0, SEEK_SET);
			while ((n = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0) {
				for (long pos = 0; pos < n;) {
					struct dirent64 *d = (struct dirent64 *) (buf + pos);
					char *end;
					long fd = strtol(d->d_name, &end, 10);

					pos += d->d_reclen;
					if (*end != '\0' || end == d->d_name || fd < low || fd == dfd)
						continue;
					close((int) fd);
					closed_any = true;
				}
			}
		} while (closed_any);
		close(dfd);
		return;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > INT_MAX)
		rl.rlim_cur = 65536;
	for (int fd = low; fd < (int) rl.rlim_cur; fd++)
		close(fd);
}

static void close_from(int low)
{
	if (syscall(SYS_close_range, (unsigned) low, ~0U, 0) == 0)
		return;
	close_from_slow(low);
}

/* The runtime blocks signals around clone and may ignore some (SIGPIPE
 * here, while we write the hook's stdin); a hook inherits both across
 * execve, and a hook with SIGTERM ignored or blocked is a hook that
 * cannot be stopped. Dispositions are reset while all signals are still
 * blocked (the parent blocked them before fork), so none of the runtime's
 * handlers can run in the child. */
static void reset_signals(void)
{
	struct sigaction sa;
	sigset_t empty;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int s = 1; s < NSIG; s++) {
		if (s == SIGKILL || s == SIGSTOP)
			continue;
		sigaction(s, &sa, NULL); /* EINVAL for glibc's internal signals */
	}
	sigemptyset(&empty);
	sigprocmask(SIG_SETMASK, &empty, NULL);
}

static OC_NORETURN void hook_child(const char *path, char *const argv[], char *const envp[], const int stdio[3],
				   int errfd)
{
	int moved[3];
	int e;

	/* Any of the pipe ends may sit on 0, 1 or 2 when the runtime runs
	 * with stdio closed: move everything above 2 first, so that no
	 * dup2() below overwrites a descriptor still to be dup'ed. */
	for (int i = 0; i < 3; i++) {
		moved[i] = fcntl(stdio[i], F_DUPFD_CLOEXEC, 3);
		if (moved[i] < 0)
			goto fail;
	}
	e = fcntl(errfd, F_DUPFD_CLOEXEC, 3);
	if (e < 0)
		goto fail;
	errfd = e;
	for (int i = 0; i < 3; i++)
		if (dup2(moved[i], i) < 0)
			goto fail;
	if (errfd != 3) {
		if (dup3(errfd, 3, O_CLOEXEC) < 0)
			goto fail;
		errfd = 3;
	}
	/* The runtime holds the state directory, the sync socket, the
	 * exec.fifo, namespace descriptors: a hook gets none of them, CLOEXEC
	 * or not. The error pipe (CLOEXEC) is the only one kept until exec. */
	close_from(4);
	reset_signals();
	execve(path, argv, envp);
fail:
	e = errno;
	while (write(errfd, &e, sizeof e) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* ---- parent side --------------------------------------------------------- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before the timeout: -1 without one, 0 when over. */
static int left_ms(const struct hook_run *r)
{
	int64_t left;

	if (r->deadline == 0)
		return -1;
	left = r->deadline - now_ms();
	if (left <= 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int) left;
}

static int hook_timed_out(struct hook_run *r, oc_error_t *err);

static void write_stderr(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(2, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return; /* stderr closed, full or gone: drop the output */
		}
		buf += w;
		len -= (size_t) w;
	}
}

static void tail_append(struct hook_run *r, const char *buf, size_t len)
{
	if (len >= HOOK_TAIL_MAX) {
		r->tail_cut = r->tail_cut || r->tail_len > 0 || len > HOOK_TAIL_MAX;
		memcpy(r->tail, buf + len - HOOK_TAIL_MAX, HOOK_TAIL_MAX);
		r->tail_len = HOOK_TAIL_MAX;
		return;
	}
	if (r->tail_len + len > HOOK_TAIL_MAX) {
		size_t drop = r->tail_len + len - HOOK_TAIL_MAX;
		memmove(r->tail, r->tail + drop, r->tail_len - drop);
		r->tail_len -= drop;
		r->tail_cut = true;
	}
	memcpy(r->tail + r->tail_len, buf, len);
	r->tail_len += len;
}

/* Read what is there (the fds are non-blocking) and copy it to our stderr.
 * Closes *fd at EOF or error. Returns the bytes read. */
static size_t relay(struct hook_run *r, int *fd, bool keep_tail)
{
	char buf[16384];
	ssize_t n;

	for (;;) {
		n = read(*fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return 0;
	}
	write_stderr(buf, (size_t) n);
	if (keep_tail)
		tail_append(r, buf, (size_t) n);
	return (size_t) n;
}

static void drain(struct hook_run *r, int *fd, bool keep_tail)
{
	size_t total = 0;

	while (*fd >= 0 && total < HOOK_DRAIN_MAX) {
		size_t n = relay(r, fd, keep_tail);
		if (n == 0)
			break;
		total += n;
	}
}

static void feed_stdin(struct hook_run *r)
{
	while (r->off < r->len) {
		ssize_t w = write(r->in_fd, r->data + r->off, r->len - r->off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			/* EPIPE: the hook closed its stdin or exited without
			 * reading it. Reading the state is its business; the
			 * verdict is its exit status. */
			break;
		}
		r->off += (size_t) w;
	}
	close(r->in_fd);
	r->in_fd = -1;
}

static void kill_and_reap(struct hook_run *r)
{
	int st;

	if (r->pid <= 0)
		return;
	kill(r->pid, SIGKILL);
	while (waitpid(r->pid, &st, 0) < 0 && errno == EINTR)
		;
	r->pid = 0;
}

/* The last non-empty line of the hook's stderr, printable, bounded. */
static char *last_stderr_line(struct hook_run *r)
{
	size_t end = r->tail_len, start;
	bool cut;
	char *line, *p;

	while (end > 0 && (r->tail[end - 1] == '\n' || r->tail[end - 1] == '\r' || r->tail[end - 1] == ' ' ||
			   r->tail[end - 1] == '\t'))
		end--;
	if (end == 0)
		return NULL;
	start = end;
	while (start > 0 && r->tail[start - 1] != '\n')
		start--;
	cut = start == 0 && r->tail_cut;
	if (end - start > HOOK_LINE_MAX) {
		start = end - HOOK_LINE_MAX;
		cut = true;
	}
	line = oc_xmalloc(end - start + 4);
	p = line;
	if (cut) {
		memcpy(p, "...", 3);
		p += 3;
	}
	for (size_t i = start; i < end; i++) {
		unsigned char c = (unsigned char) r->tail[i];
		*p++ = (c < 0x20 || c == 0x7f) ? '?' : (char) c;
	}
	*p = '\0';
	return line;
}

static int hook_fail(struct hook_run *r, int errnum, const char *what, oc_error_t *err)
{
	cleanup_free char *line = last_stderr_line(r);

	if (line != NULL)
		return oc_error_set(err, errnum, "%s hook #%zu (`%s`): %s (stderr: \"%s\")", r->kind, r->index,
				    r->hook->path, what, line);
	return oc_error_set(err, errnum, "%s hook #%zu (`%s`): %s", r->kind, r->index, r->hook->path, what);
}

static int open_pipe(int *rd, int *wr)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	*rd = p[0];
	*wr = p[1];
	return 0;
}

static int hook_spawn(struct hook_run *r, oc_error_t *err)
{
	const struct oc_spec_hook *h = r->hook;
	cleanup_free char **argv = NULL;
	cleanup_free char **envp = NULL;
	cleanup_close int in_r = -1, in_w = -1, out_r = -1, out_w = -1;
	cleanup_close int err_r = -1, err_w = -1, ex_r = -1, ex_w = -1;
	int stdio[3], child_errno, fork_errno;
	sigset_t all, old;
	ssize_t n;
	pid_t pid;

	argv = oc_xcalloc(h->n_args + 2, sizeof *argv);
	if (h->n_args == 0)
		argv[0] = h->path;
	for (size_t i = 0; i < h->n_args; i++)
		argv[i] = h->args[i];
	envp = oc_xcalloc(h->n_env + 1, sizeof *envp);
	for (size_t i = 0; i < h->n_env; i++)
		envp[i] = h->env[i];

	if (open_pipe(&in_r, &in_w) < 0 || open_pipe(&out_r, &out_w) < 0 || open_pipe(&err_r, &err_w) < 0 ||
	    open_pipe(&ex_r, &ex_w) < 0)
		return oc_error_sys(err, "%s hook #%zu (`%s`): pipe", r->kind, r->index, h->path);

	stdio[0] = in_r;
	stdio[1] = out_w;
	stdio[2] = err_w;
	if (h->has_timeout)
		r->deadline = now_ms() + (int64_t) h->timeout * 1000;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0)
		hook_child(h->path, argv, envp, stdio, ex_w);
	fork_errno = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return oc_error_set(err, fork_errno, "%s hook #%zu (`%s`): fork", r->kind, r->index, h->path);
	r->pid = pid;
	close(steal_fd(&in_r));
	close(steal_fd(&out_w));
	close(steal_fd(&err_w));
	close(steal_fd(&ex_w));

	/* EOF: execve succeeded and closed the CLOEXEC end. execve itself
	 * can hang (a dead network filesystem): the timeout covers it. */
	for (;;) {
		struct pollfd pf = {.fd = ex_r, .events = POLLIN};
		int pr = poll(&pf, 1, left_ms(r));

		if (pr == 0)
			return hook_timed_out(r, err);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return oc_error_sys(err, "%s hook #%zu (`%s`): poll", r->kind, r->index, h->path);
		do
			n = read(ex_r, &child_errno, sizeof child_errno);
		while (n < 0 && errno == EINTR);
		break;
	}
	if (n == (ssize_t) sizeof child_errno) {
		kill_and_reap(r);
		return hook_fail(r, child_errno, "exec", err);
	}

	/* pidfd_open may be missing (< 5.3) or refused by seccomp inside the
	 * container (startContainer): then the loop polls waitpid. */
	r->pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	if (r->pidfd >= 0)
		fcntl(r->pidfd, F_SETFD, FD_CLOEXEC);
	r->in_fd = steal_fd(&in_w);
	r->out_fd = steal_fd(&out_r);
	r->err_fd = steal_fd(&err_r);
	fcntl(r->in_fd, F_SETFL, O_NONBLOCK);
	fcntl(r->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(r->err_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

static void hook_run_close(struct hook_run *r)
{
	kill_and_reap(r);
	oc_closep(&r->pidfd);
	oc_closep(&r->in_fd);
	oc_closep(&r->out_fd);
	oc_closep(&r->err_fd);
}

/* Returns 1 when the child was reaped (*status set), 0 if still running. */
static int try_reap(struct hook_run *r, int *status, oc_error_t *err)
{
	pid_t w;

	do
		w = waitpid(r->pid, status, WNOHANG);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return oc_error_sys(err, "%s hook #%zu (`%s`): waitpid", r->kind, r->index, r->hook->path);
	if (w == 0)
		return 0;
	r->pid = 0;
	return 1;
}

static int hook_timed_out(struct hook_run *r, oc_error_t *err)
{
	char what[64];

	kill_and_reap(r);
	snprintf(what, sizeof what, "timed out after %ds", r->hook->timeout);
	return hook_fail(r, 0, what, err);
}

static int hook_wait(struct hook_run *r, int *status, oc_error_t *err)
{
	const struct oc_spec_hook *h = r->hook;

	for (;;) {
		struct pollfd pf[4];
		int n = 0, wait_ms = -1, pr, in_i = -1, out_i = -1, err_i = -1, pid_i = -1;

		if (r->in_fd >= 0) {
			in_i = n;
			pf[n++] = (struct pollfd){.fd = r->in_fd, .events = POLLOUT};
		}
		if (r->out_fd >= 0) {
			out_i = n;
			pf[n++] = (struct pollfd){.fd = r->out_fd, .events = POLLIN};
		}
		if (r->err_fd >= 0) {
			err_i = n;
			pf[n++] = (struct pollfd){.fd = r->err_fd, .events = POLLIN};
		}
		if (r->pidfd >= 0) {
			pid_i = n;
			pf[n++] = (struct pollfd){.fd = r->pidfd, .events = POLLIN};
		}
		wait_ms = left_ms(r);
		if (wait_ms == 0)
			return hook_timed_out(r, err);
		if (r->pidfd < 0 && (wait_ms < 0 || wait_ms > HOOK_TICK_MS))
			wait_ms = HOOK_TICK_MS;

		pr = poll(pf, (nfds_t) n, wait_ms);
		if (pr < 0 && errno != EINTR)
			return oc_error_sys(err, "%s hook #%zu (`%s`): poll", r->kind, r->index, h->path);
		if (pr <= 0 && r->pidfd >= 0)
			continue;

		if (in_i >= 0 && pf[in_i].revents)
			feed_stdin(r);
		if (out_i >= 0 && pf[out_i].revents)
			relay(r, &r->out_fd, false);
		if (err_i >= 0 && pf[err_i].revents)
			relay(r, &r->err_fd, true);
		if (pid_i < 0 || pf[pid_i].revents) {
			int got = try_reap(r, status, err);
			if (got < 0)
				return -1;
			if (got > 0) {
				drain(r, &r->out_fd, false);
				drain(r, &r->err_fd, true);
				return 0;
			}
		}
	}
}

static int run_one(const char *kind, size_t index, const struct oc_spec_hook *h, const char *state_json,
		   oc_error_t *err)
{
	struct hook_run r = {
		.kind = kind,
		.index = index,
		.hook = h,
		.pidfd = -1,
		.in_fd = -1,
		.out_fd = -1,
		.err_fd = -1,
		.data = state_json != NULL ? state_json : "",
	};
	char what[64];
	int status = 0, ret;

	r.len = strlen(r.data);
	oc_debug("running %s hook #%zu `%s`", kind, index, h->path);
	ret = hook_spawn(&r, err);
	if (ret == 0)
		ret = hook_wait(&r, &status, err);
	if (ret == 0 && WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		snprintf(what, sizeof what, "exited with status %d", WEXITSTATUS(status));
		ret = hook_fail(&r, 0, what, err);
	} else if (ret == 0 && WIFSIGNALED(status)) {
		snprintf(what, sizeof what, "killed by signal %d", WTERMSIG(status));
		ret = hook_fail(&r, 0, what, err);
	}
	hook_run_close(&r);
	return ret;
}

/* Writing to a hook that stopped reading (or to our stderr, closed by the
 * engine that runs us) must be an EPIPE, not our death; and a SIGCHLD
 * ignored by the caller would let the kernel reap the hook before we read
 * its status. Both are put back as they were afterwards. */
struct sig_guard {
	struct sigaction pipe;
	struct sigaction chld;
	bool chld_changed;
};

static void sig_guard_enter(struct sig_guard *g)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &g->pipe);
	sigaction(SIGCHLD, NULL, &g->chld);
	g->chld_changed = g->chld.sa_handler == SIG_IGN || (g->chld.sa_flags & SA_NOCLDWAIT);
	if (g->chld_changed) {
		sa.sa_handler = SIG_DFL;
		sigaction(SIGCHLD, &sa, NULL);
	}
}

static void sig_guard_leave(struct sig_guard *g)
{
	const struct timespec zero = {0, 0};
	sigset_t pipe_set;

	/* With SIGPIPE blocked (create and run block every signal around
	 * clone), the SIGPIPE of an EPIPE stays pending although ignored, and
	 * would kill us once the old disposition is back and the mask lifted:
	 * a hook that exits without reading its stdin is not our death. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
		;
	sigaction(SIGPIPE, &g->pipe, NULL);
	if (g->chld_changed)
		sigaction(SIGCHLD, &g->chld, NULL);
}

static int run_all(const struct oc_spec_hooks *hooks, enum oc_hook_kind kind, const char *state_json, bool warn,
		   oc_error_t *err)
{
	struct sig_guard g;
	const char *name;
	int ret = 0;

	if (hooks == NULL || (unsigned) kind >= OC_HOOK__MAX || hooks->n_hooks[kind] == 0)
		return 0;
	name = oc_hook_kind_name(kind);
	sig_guard_enter(&g);
	for (size_t i = 0; i < hooks->n_hooks[kind]; i++) {
		oc_error_t e = OC_ERROR_INIT;

		if (!warn) {
			ret = run_one(name, i, &hooks->hooks[kind][i], state_json, err);
			if (ret < 0)
				break;
			continue;
		}
		if (run_one(name, i, &hooks->hooks[kind][i], state_json, &e) < 0)
			oc_warn("%s", e.msg);
		oc_error_clear(&e);
	}
	sig_guard_leave(&g);
	return ret;
}

int oc_hooks_run(const struct oc_spec_hooks *hooks, enum oc_hook_kind kind, const char *state_json, oc_error_t *err)
{
	return run_all(hooks, kind, state_json, false, err);
}

int oc_hooks_run_warn(const struct oc_spec_hooks *hooks, enum oc_hook_kind kind, const char *state_json)
{
	return run_all(hooks, kind, state_json, true, NULL);
}
