/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the OCI hook runner (src/engine/hooks.c).
 *
 * Two kinds of hooks: /bin/sh scripts written to a temporary directory, and
 * this very binary, which turns into a reporting hook when its environment
 * has OC_HOOKTEST_OUT: it writes its argv, environment, stdin, open
 * descriptors and signal state to that file, so argv[0] and the exact
 * environment can be checked (a script would see neither). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/hooks.h"
#include "ocichroot/spec.h"

#include "../tap.h"

extern char **environ;

static char tmpdir[] = "/tmp/oc-test-hooks-XXXXXX";
static char self_exe[PATH_MAX];

/* ---- the reporting hook -------------------------------------------------- */

static int hook_main(const char *out, int argc, char **argv)
{
	FILE *f = fopen(out, "w");
	cleanup_free char *stdin_path = oc_xasprintf("%s.stdin", out);
	int sf, ef = 0;
	char buf[65536], line[256];
	ssize_t n;
	DIR *d;
	struct dirent *de;
	FILE *st;
	const char *code;

	if (f == NULL)
		return 99;
	fprintf(f, "argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		fprintf(f, "argv=%s\n", argv[i]);
	for (char **e = environ; *e != NULL; e++)
		fprintf(f, "env=%s\n", *e);
	d = opendir("/proc/self/fd");
	fprintf(f, "fds=");
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d) || atoi(de->d_name) == fileno(f))
			continue;
		fprintf(f, "%s,", de->d_name);
	}
	fprintf(f, "\n");
	if (d != NULL)
		closedir(d);
	st = fopen("/proc/self/status", "r");
	while (st != NULL && fgets(line, sizeof line, st) != NULL)
		if (strncmp(line, "SigBlk:", 7) == 0 || strncmp(line, "SigIgn:", 7) == 0)
			fputs(line, f);
	if (st != NULL)
		fclose(st);
	sf = open(stdin_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	while ((n = read(0, buf, sizeof buf)) > 0)
		if (write(sf, buf, (size_t) n) != n)
			ef = 98;
	close(sf);
	fclose(f);
	code = getenv("OC_HOOKTEST_EXIT");
	return ef ? ef : code ? atoi(code) : 0;
}

/* ---- helpers ------------------------------------------------------------- */

static char *tpath(const char *name)
{
	return oc_xasprintf("%s/%s", tmpdir, name);
}

static char *script(const char *name, const char *body)
{
	char *p = tpath(name);
	FILE *f = fopen(p, "w");

	if (f == NULL)
		abort();
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(p, 0755);
	return p;
}

/* The forked tests' children leave with _exit(): their strings live on the
 * stack so that valgrind in the child sees no leak. */
static void tpath_buf(char buf[PATH_MAX], const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", tmpdir, name);
}

static void script_buf(char buf[PATH_MAX], const char *name, const char *body)
{
	char *p = script(name, body);

	snprintf(buf, PATH_MAX, "%s", p);
	free(p);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	size_t r;

	if (f == NULL)
		return NULL;
	do {
		if (cap - n < 65536) {
			cap = cap * 2 + 65536;
			buf = oc_xrealloc(buf, cap + 1);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* A hooks object holding `n` hooks of `kind`. */
struct hk {
	struct oc_spec_hooks hooks;
	struct oc_spec_hook h[4];
};

static void hk_init(struct hk *k, enum oc_hook_kind kind, size_t n)
{
	memset(k, 0, sizeof *k);
	k->hooks.hooks[kind] = k->h;
	k->hooks.n_hooks[kind] = n;
}

static void hk_set(struct hk *k, size_t i, char *path, char **args, size_t n_args, char **env, size_t n_env,
		   int timeout)
{
	struct oc_spec_hook *h = &k->h[i];

	h->path = path;
	h->args = args;
	h->n_args = n_args;
	h->env = env;
	h->n_env = n_env;
	h->has_timeout = timeout > 0;
	h->timeout = timeout;
}

/* Run with our stderr sent to a file; returns what the hooks wrote there. */
static char *run_capturing_stderr(const struct oc_spec_hooks *hooks, enum oc_hook_kind kind, const char *json,
				  int *ret, oc_error_t *err)
{
	cleanup_free char *p = tpath("stderr.out");
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int saved = dup(2);

	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	*ret = oc_hooks_run(hooks, kind, json, err);
	dup2(saved, 2);
	close(saved);
	return slurp(p, NULL);
}

/* ---- tests --------------------------------------------------------------- */

static void test_exact_process(void)
{
	cleanup_free char *out = tpath("report");
	cleanup_free char *out_stdin = tpath("report.stdin");
	cleanup_free char *env_out = oc_xasprintf("OC_HOOKTEST_OUT=%s", out);
	cleanup_free char *report = NULL, *got_stdin = NULL, *want = NULL;
	char *args[] = {"myhook", "a", "b c", ""};
	char *env[] = {"A=1", "B=two words", env_out};
	const char *json = "{\"ociVersion\":\"1.2.0\",\"id\":\"c/1\",\"status\":\"creating\",\"pid\":42,"
			   "\"bundle\":\"/b/x y\",\"annotations\":{\"k\":\"v\\u003c\\\"\"}}";
	oc_error_t err = OC_ERROR_INIT;
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_term, old_pipe;
	sigset_t all, old_mask;
	int leak_plain, leak_cloexec, r;
	struct hk k;

	/* What the runtime holds when it runs a hook: extra descriptors
	 * (with and without CLOEXEC), all signals blocked, some ignored,
	 * variables in its own environment. None of it may reach the hook. */
	leak_plain = open("/dev/null", O_RDONLY);
	leak_cloexec = open("/dev/null", O_RDONLY | O_CLOEXEC);
	setenv("OC_HOOKTEST_LEAK", "1", 1);
	sigemptyset(&ign.sa_mask);
	sigaction(SIGTERM, &ign, &old_term);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old_mask);

	hk_init(&k, OC_HOOK_CREATE_RUNTIME, 1);
	hk_set(&k, 0, self_exe, args, OC_ARRAY_SIZE(args), env, OC_ARRAY_SIZE(env), 0);
	r = oc_hooks_run(&k.hooks, OC_HOOK_CREATE_RUNTIME, json, &err);

	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	unsetenv("OC_HOOKTEST_LEAK");
	close(leak_plain);
	close(leak_cloexec);

	TAP_OK(r == 0, "reporting hook succeeds (%s)", err.msg ? err.msg : "no error");
	report = slurp(out, NULL);
	want = oc_xasprintf("argc=4\nargv=myhook\nargv=a\nargv=b c\nargv=\n"
			    "env=A=1\nenv=B=two words\nenv=%s\n"
			    "fds=0,1,2,\n"
			    "SigBlk:\t0000000000000000\n"
			    "SigIgn:\t0000000000000000\n",
			    env_out);
	TAP_STREQ(report, want, "argv as given (argv[0] too), env exactly the hook's, fds 0-2 only, no signal "
				"blocked or ignored");
	got_stdin = slurp(out_stdin, NULL);
	TAP_STREQ(got_stdin, json, "stdin is the state JSON byte for byte, then EOF");
	sigaction(SIGPIPE, NULL, &old_pipe);
	TAP_OK(old_pipe.sa_handler == SIG_DFL, "SIGPIPE disposition restored after the run");
	oc_error_clear(&err);
}

static void test_no_args(void)
{
	cleanup_free char *out = tpath("report-noargs");
	cleanup_free char *env_out = oc_xasprintf("OC_HOOKTEST_OUT=%s", out);
	cleanup_free char *report = NULL, *want = NULL;
	char *env[] = {env_out};
	oc_error_t err = OC_ERROR_INIT;
	struct hk k;
	int r;

	hk_init(&k, OC_HOOK_PRESTART, 1);
	hk_set(&k, 0, self_exe, NULL, 0, env, 1, 0);
	r = oc_hooks_run(&k.hooks, OC_HOOK_PRESTART, "", &err);
	TAP_OK(r == 0, "hook without args succeeds");
	report = slurp(out, NULL);
	want = oc_xasprintf("argc=1\nargv=%s\nenv=%s\n", self_exe, env_out);
	TAP_OK(report != NULL && strncmp(report, want, strlen(want)) == 0, "no args: argv is {path}");
	oc_error_clear(&err);
}

static void test_no_env(void)
{
	cleanup_free char *p = script("noenv.sh", "/usr/bin/env > \"$0.out\"");
	cleanup_free char *out = oc_xasprintf("%s.out", p);
	cleanup_free char *got = NULL;
	oc_error_t err = OC_ERROR_INIT;
	struct hk k;
	int r;

	hk_init(&k, OC_HOOK_POSTSTOP, 1);
	hk_set(&k, 0, p, NULL, 0, NULL, 0, 0);
	r = oc_hooks_run(&k.hooks, OC_HOOK_POSTSTOP, "{}", &err);
	got = slurp(out, NULL);
	for (char *c = got; c != NULL && *c != '\0'; c++)
		if (*c == '\n')
			*c = ' ';
	/* dash exports PWD on its own; nothing else may be there */
	TAP_OK(r == 0 && got != NULL && strstr(got, "PATH=") == NULL && strstr(got, "HOME=") == NULL &&
		       strstr(got, "OC_FIXTURES") == NULL,
	       "no env: nothing of the runtime's environment reaches the hook (got: %s)", got ? got : "(null)");
	oc_error_clear(&err);
}

static void test_exit_status(void)
{
	cleanup_free char *p = script("exit3.sh", "exit 3");
	cleanup_free char *want = oc_xasprintf("createRuntime hook #0 (`%s`): exited with status 3", p);
	oc_error_t err = OC_ERROR_INIT;
	struct hk k;
	int r;

	hk_init(&k, OC_HOOK_CREATE_RUNTIME, 1);
	hk_set(&k, 0, p, NULL, 0, NULL, 0, 0);
	r = oc_hooks_run(&k.hooks, OC_HOOK_CREATE_RUNTIME, "{}", &err);
	TAP_OK(r == -1, "exit 3 fails");
	TAP_STREQ(err.msg, want, "exit status message");
	oc_error_clear(&err);
}

static void test_stderr_relay_and_tail(void)
{
	cleanup_free char *p = script("noisy.sh", "echo to-stdout\necho first >&2\necho 'the last\tline' >&2\n"
						  "printf '\\n\\n' >&2\nexit 1");
	cleanup_free char *want = oc_xasprintf("createContainer hook #0 (`%s`): exited with status 1 "
					       "(stderr: \"the last?line\")",
					       p);
	cleanup_free char *seen = NULL;
	oc_error_t err = OC_ERROR_INIT;
	struct hk k;
	int r;

	hk_init(&k, OC_HOOK_CREATE_CONTAINER, 1);
	hk_set(&k, 0, p, NULL, 0, NULL, 0, 0);
	seen = run_capturing_stderr(&k.hooks, OC_HOOK_CREATE_CONTAINER, "{}", &r, &err);
	TAP_OK(r == -1, "noisy hook fails");
	TAP_STREQ(err.msg, want, "error quotes the last non-empty stderr line, control characters replaced");
	TAP_OK(seen != NULL && strstr(seen, "to-stdout\n") != NULL && strstr(seen, "first\n") != NULL,
	       "hook stdout and stderr are copied to the runtime's stderr");
	oc_error_clear(&err);
}

static void test_signal(void)
{
	cleanup_free char *p = script("kill9.sh", "kill -9 $$");
	cleanup_free char *want = oc_xasprintf("startContainer hook #0 (`%s`): killed by signal 9", p);
	oc_error_t err = OC_ERROR_INIT;
	struct hk k;
	int r;

	hk_init(&k, OC_HOOK_START_CONTAINER, 1);
	hk_set(&k, 0, p, NULL, 0, NULL, 0, 0);
	r = oc_hooks_run(&k.hooks, OC_HOOK_START_CONTAINER, "{}", &err);
	TAP_OK(r == -1, "killed hook fails");
	TAP_STREQ(err.msg, want, "signal message");
	oc_error_clear(&err);
}

static void test_timeout(void)
{
	cleanup_free char *pidfile = tpath("sleep.pid");
	cleanup_free char *body = oc_xasprintf("echo $$ > %s\nexec /bin/sleep 10", pidfile);
	cleanup_free char *p = script("sleep.sh", body);
	cleanup_free char *want = oc_xasprintf("createRuntime hook #0 (`%s`): timed out after 1s", p);
	cleanup_free char *pidtxt = NULL;
	oc_error_t err = OC_ERROR_INIT;
	double t0, dt;
	struct hk k;
	int r;

	hk_init(&k, OC_HOOK_CREATE_RUNTIME, 1);
	hk_set(&k, 0, p, NULL, 0, NULL, 0, 1);
	t0 = now_s();
	r = oc_hooks_run(&k.hooks, OC_HOOK_CREATE_RUNTIME, "{}", &err);
	dt = now_s() - t0;
	TAP_OK(r == -1, "sleeping hook fails");
	TAP_STREQ(err.msg, want, "timeout message");
	TAP_OK(dt >= 0.9 && dt < 2.5, "killed after about 1s (took %.2fs)", dt);
	pidtxt = slurp(pidfile, NULL);
	TAP_OK(pidtxt != NULL && atoi(pidtxt) > 0 && kill(atoi(pidtxt), 0) < 0 && errno == ESRCH,
	       "the hook process is gone (killed and reaped)");
	oc_error_clear(&err);
}

static void test_exec_errors(void)
{
	cleanup_free char *missing = tpath("does-not-exist");
	cleanup_free char *noexec = tpath("noexec.sh");
	cleanup_free char *want1 = oc_xasprintf("prestart hook #0 (`%s`): exec: No such file or directory", missing);
	cleanup_free char *want2 = oc_xasprintf("prestart hook #0 (`%s`): exec: Permission denied", noexec);
	oc_error_t err = OC_ERROR_INIT;
	struct hk k;
	FILE *f;
	int r;

	hk_init(&k, OC_HOOK_PRESTART, 1);
	hk_set(&k, 0, missing, NULL, 0, NULL, 0, 0);
	r = oc_hooks_run(&k.hooks, OC_HOOK_PRESTART, "{}", &err);
	TAP_OK(r == -1 && err.code == ENOENT, "missing hook fails with ENOENT");
	TAP_STREQ(err.msg, want1, "missing hook message");
	oc_error_clear(&err);

	f = fopen(noexec, "w");
	fputs("#!/bin/sh\n", f);
	fclose(f);
	chmod(noexec, 0644);
	hk_set(&k, 0, noexec, NULL, 0, NULL, 0, 0);
	r = oc_hooks_run(&k.hooks, OC_HOOK_PRESTART, "{}", &err);
	/* root too: execve wants an x bit somewhere */
	TAP_OK(r == -1 && err.code == EACCES, "non-executable hook fails with EACCES");
	TAP_STREQ(err.msg, want2, "non-executable hook message");
	oc_error_clear(&err);
}

static char *big_json(size_t size)
{
	char *s = oc_xmalloc(size + 1);

	memset(s, 'x', size);
	memcpy(s, "{\"id\":\"", 7);
	memcpy(s + size - 2, "\"}", 2);
	s[size] = '\0';
	return s;
}

static void test_huge_stdin(void)
{
	cleanup_free char *json = big_json(1 << 20);
	cleanup_free char *ign = script("ignore-stdin.sh", "exit 0");
	cleanup_free char *slow = script("ignore-stdin-slow.sh", "/bin/sleep 0.2; exit 0");
	cleanup_free char *copy_out = tpath("copy.out");
	cleanup_free char *body = oc_xasprintf("exec /bin/cat > %s", copy_out);
	cleanup_free char *copy = script("copy-stdin.sh", body);
	cleanup_free char *got = NULL;
	oc_error_t err = OC_ERROR_INIT;
	size_t len = 0;
	double t0;
	struct hk k;
	int r;

	hk_init(&k, OC_HOOK_CREATE_RUNTIME, 1);
	hk_set(&k, 0, ign, NULL, 0, NULL, 0, 5);
	t0 = now_s();
	r = oc_hooks_run(&k.hooks, OC_HOOK_CREATE_RUNTIME, json, &err);
	TAP_OK(r == 0 && now_s() - t0 < 2, "1 MiB state, hook exits without reading: success, no hang (%s)",
	       err.msg ? err.msg : "ok");
	oc_error_clear(&err);

	hk_set(&k, 0, slow, NULL, 0, NULL, 0, 5);
	r = oc_hooks_run(&k.hooks, OC_HOOK_CREATE_RUNTIME, json, &err);
	TAP_OK(r == 0, "1 MiB state, hook fills the pipe and exits later: success (%s)", err.msg ? err.msg : "ok");
	oc_error_clear(&err);

	hk_set(&k, 0, copy, NULL, 0, NULL, 0, 5);
	r = oc_hooks_run(&k.hooks, OC_HOOK_CREATE_RUNTIME, json, &err);
	got = slurp(copy_out, &len);
	TAP_OK(r == 0 && got != NULL && len == strlen(json) && memcmp(got, json, len) == 0,
	       "1 MiB state read by the hook arrives whole (%zu bytes)", len);
	oc_error_clear(&err);
}

static void test_huge_output(void)
{
	cleanup_free char *p = script("flood.sh", "/usr/bin/head -c 1048576 /dev/zero\n"
						  "/usr/bin/head -c 1048576 /dev/zero >&2");
	cleanup_free char *json = big_json(1 << 20);
	cleanup_free char *seen_path = tpath("stderr.out");
	oc_error_t err = OC_ERROR_INIT;
	struct stat stb;
	struct hk k;
	char *seen;
	int r;

	hk_init(&k, OC_HOOK_POSTSTART, 1);
	hk_set(&k, 0, p, NULL, 0, NULL, 0, 10);
	seen = run_capturing_stderr(&k.hooks, OC_HOOK_POSTSTART, json, &r, &err);
	free(seen);
	TAP_OK(r == 0 && stat(seen_path, &stb) == 0 && stb.st_size == 2 << 20,
	       "2 MiB of output while 1 MiB of stdin goes unread: relayed whole, no deadlock (%s)",
	       err.msg ? err.msg : "ok");
	oc_error_clear(&err);
}

static void test_order_and_warn(void)
{
	cleanup_free char *marker = tpath("marker");
	cleanup_free char *body = oc_xasprintf("echo ran >> %s", marker);
	cleanup_free char *ok = script("marker.sh", body);
	cleanup_free char *bad = script("bad.sh", "exit 7");
	cleanup_free char *want = oc_xasprintf("poststop hook #1 (`%s`): exited with status 7", bad);
	cleanup_free char *got = NULL, *seen = NULL;
	oc_error_t err = OC_ERROR_INIT;
	struct hk k;
	int r, saved;

	/* Strict: #0 runs, #1 fails, #2 never runs. */
	hk_init(&k, OC_HOOK_POSTSTOP, 3);
	hk_set(&k, 0, ok, NULL, 0, NULL, 0, 0);
	hk_set(&k, 1, bad, NULL, 0, NULL, 0, 0);
	hk_set(&k, 2, ok, NULL, 0, NULL, 0, 0);
	r = oc_hooks_run(&k.hooks, OC_HOOK_POSTSTOP, "{}", &err);
	got = slurp(marker, NULL);
	TAP_OK(r == -1, "strict run fails");
	TAP_STREQ(err.msg, want, "the failing hook is named by kind and index");
	TAP_STREQ(got, "ran\n", "strict run stops at the first failure");
	oc_error_clear(&err);
	unlink(marker);
	free(got);

	/* Warn: every hook runs, failures are logged, result is 0. */
	hk_set(&k, 0, bad, NULL, 0, NULL, 0, 0);
	hk_set(&k, 1, ok, NULL, 0, NULL, 0, 0);
	hk_set(&k, 2, bad, NULL, 0, NULL, 0, 0);
	{
		cleanup_free char *p = tpath("warn.out");
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		saved = dup(2);
		dup2(fd, 2);
		close(fd);
		r = oc_hooks_run_warn(&k.hooks, OC_HOOK_POSTSTOP, "{}");
		dup2(saved, 2);
		close(saved);
		seen = slurp(p, NULL);
	}
	got = slurp(marker, NULL);
	TAP_OK(r == 0, "warn run returns 0");
	TAP_STREQ(got, "ran\n", "warn run goes on after a failure");
	TAP_OK(seen != NULL && strstr(seen, "poststop hook #0") != NULL && strstr(seen, "poststop hook #2") != NULL,
	       "both failures are logged as warnings");
}

static void test_sigchld_ignored(void)
{
	cleanup_free char *p = script("exit5.sh", "exit 5");
	struct sigaction ign = {.sa_handler = SIG_IGN}, old, now;
	oc_error_t err = OC_ERROR_INIT;
	struct hk k;
	int r;

	sigemptyset(&ign.sa_mask);
	sigaction(SIGCHLD, &ign, &old);
	hk_init(&k, OC_HOOK_CREATE_RUNTIME, 1);
	hk_set(&k, 0, p, NULL, 0, NULL, 0, 0);
	r = oc_hooks_run(&k.hooks, OC_HOOK_CREATE_RUNTIME, "{}", &err);
	sigaction(SIGCHLD, &old, &now);
	TAP_OK(r == -1 && err.msg != NULL && strstr(err.msg, "exited with status 5") != NULL,
	       "status still read when the caller ignores SIGCHLD (%s)", err.msg ? err.msg : "no error");
	TAP_OK(now.sa_handler == SIG_IGN, "SIGCHLD disposition restored");
	oc_error_clear(&err);
}

/* A runtime started with stdio closed: the pipes land on 0-2 themselves. */
static void test_stdio_closed(void)
{
	char out[PATH_MAX], out_stdin[PATH_MAX], env_out[PATH_MAX + 32];
	cleanup_free char *got = NULL, *report = NULL;
	char *env[] = {env_out};
	struct hk k;
	pid_t pid;
	int st = -1;

	hk_init(&k, OC_HOOK_CREATE_RUNTIME, 1);
	tpath_buf(out, "report-closed");
	tpath_buf(out_stdin, "report-closed.stdin");
	snprintf(env_out, sizeof env_out, "OC_HOOKTEST_OUT=%s", out);
	hk_set(&k, 0, self_exe, NULL, 0, env, 1, 5);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		oc_error_t err = OC_ERROR_INIT;
		close(0);
		close(1);
		close(2);
		_exit(oc_hooks_run(&k.hooks, OC_HOOK_CREATE_RUNTIME, "{\"closed\":1}", &err) == 0 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	got = slurp(out_stdin, NULL);
	report = slurp(out, NULL);
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "runtime with fds 0-2 closed: hook succeeds");
	TAP_STREQ(got, "{\"closed\":1}", "runtime with fds 0-2 closed: stdin still right");
	TAP_OK(report != NULL && strstr(report, "fds=0,1,2,\n") != NULL,
	       "runtime with fds 0-2 closed: hook has exactly 0-2");
}

/* Inside a container, startContainer hooks run under the container's seccomp
 * filter, which may refuse pidfd_open and close_range (and old kernels lack
 * them): the slow paths (waitpid polling, /proc/self/fd walk) must give the
 * same results. */
static int deny_new_syscalls(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 434 /* pidfd_open */, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 436 /* close_range */, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	struct sock_fprog prog = {.len = OC_ARRAY_SIZE(f), .filter = f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static void test_without_pidfd_and_close_range(void)
{
	char out[PATH_MAX], env_out[PATH_MAX + 32], sl[PATH_MAX], ex[PATH_MAX];
	cleanup_free char *report = NULL;
	char *env[] = {env_out};
	struct hk k;
	pid_t pid;
	int st = -1;

	tpath_buf(out, "report-seccomp");
	snprintf(env_out, sizeof env_out, "OC_HOOKTEST_OUT=%s", out);
	script_buf(sl, "seccomp-sleep.sh", "exec /bin/sleep 10");
	script_buf(ex, "seccomp-exit.sh", "/bin/sleep 0.1; exit 4");

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		oc_error_t err = OC_ERROR_INIT;
		int leak = open("/dev/null", O_RDONLY);
		double t0;

		if (leak < 0)
			_exit(10);
		if (deny_new_syscalls() < 0)
			_exit(77); /* no seccomp here (valgrind refuses it) */
		if (syscall(SYS_close_range, 1000, 1001, 0) == 0 || errno != ENOSYS)
			_exit(11);
		hk_init(&k, OC_HOOK_START_CONTAINER, 1);
		hk_set(&k, 0, self_exe, NULL, 0, env, 1, 0);
		if (oc_hooks_run(&k.hooks, OC_HOOK_START_CONTAINER, "{}", &err) < 0)
			_exit(12);
		hk_set(&k, 0, ex, NULL, 0, NULL, 0, 0);
		if (oc_hooks_run(&k.hooks, OC_HOOK_START_CONTAINER, "{}", &err) == 0 ||
		    strstr(err.msg, "exited with status 4") == NULL)
			_exit(13);
		hk_set(&k, 0, sl, NULL, 0, NULL, 0, 1);
		t0 = now_s();
		if (oc_hooks_run(&k.hooks, OC_HOOK_START_CONTAINER, "{}", &err) == 0 ||
		    strstr(err.msg, "timed out after 1s") == NULL || now_s() - t0 > 2.5)
			_exit(14);
		oc_error_clear(&err);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		TAP_OK(1, "without pidfd_open and close_range # SKIP cannot install a seccomp filter here");
		return;
	}
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "without pidfd_open and close_range: success, exit status and timeout all seen (child status %d)",
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	report = slurp(out, NULL);
	TAP_OK(report != NULL && strstr(report, "fds=0,1,2,\n") != NULL,
	       "without close_range: the hook still has exactly 0-2");
}

static void test_nothing_to_run(void)
{
	oc_error_t err = OC_ERROR_INIT;
	struct hk k;

	hk_init(&k, OC_HOOK_POSTSTART, 0);
	TAP_OK(oc_hooks_run(NULL, OC_HOOK_PRESTART, "{}", &err) == 0 && err.msg == NULL, "no hooks object: no-op");
	TAP_OK(oc_hooks_run(&k.hooks, OC_HOOK_POSTSTART, "{}", &err) == 0, "empty list: no-op");
}

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

int main(int argc, char **argv)
{
	const char *out = getenv("OC_HOOKTEST_OUT");
	ssize_t n;

	if (out != NULL)
		return hook_main(out, argc, argv);

	n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
	if (n <= 0 || mkdtemp(tmpdir) == NULL) {
		printf("Bail out! cannot set up: %s\n", strerror(errno));
		return 1;
	}
	self_exe[n] = '\0';
	setvbuf(stdout, NULL, _IOLBF, 0);

	test_exact_process();
	test_no_args();
	test_no_env();
	test_exit_status();
	test_stderr_relay_and_tail();
	test_signal();
	test_timeout();
	test_exec_errors();
	test_huge_stdin();
	test_huge_output();
	test_order_and_warn();
	test_sigchld_ignored();
	test_stdio_closed();
	test_without_pidfd_and_close_range();
	test_nothing_to_run();

	nftw(tmpdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
