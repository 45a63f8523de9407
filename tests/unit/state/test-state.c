/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the state root: ids, directories, locking, state.json,
 * liveness and the JSON shapes runc prints. No root needed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/state.h"
#include "../tap.h"

static char tmpdir[] = "/tmp/oc-test-state-XXXXXX";

static bool exists_at(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int count_entries(int dirfd, const char *prefix)
{
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int n = 0;

	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

/* A child that waits on a pipe for orders: "n" = rename itself, EOF = exit. */
struct child {
	pid_t pid;
	int cmd;  /* write end to the child */
	int done; /* read end from the child */
};

static void child_start(struct child *c)
{
	int to[2], from[2];
	char ch;

	if (pipe2(to, O_CLOEXEC) < 0 || pipe2(from, O_CLOEXEC) < 0)
		abort();
	fflush(stdout); /* a child must not inherit, then flush, pending TAP lines */
	c->pid = fork();
	if (c->pid < 0)
		abort();
	if (c->pid == 0) {
		close(to[1]);
		close(from[0]);
		while (read(to[0], &ch, 1) == 1) {
			if (ch == 'n')
				prctl(PR_SET_NAME, "x) (y) Z 1 ) (", 0, 0, 0);
			if (write(from[1], &ch, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(to[0]);
	close(from[1]);
	c->cmd = to[1];
	c->done = from[0];
}

static void child_order(struct child *c, char ch)
{
	if (write(c->cmd, &ch, 1) != 1 || read(c->done, &ch, 1) != 1)
		abort();
}

static void child_stop(struct child *c, bool reap)
{
	kill(c->pid, SIGKILL);
	close(c->cmd);
	close(c->done);
	if (reap)
		waitpid(c->pid, NULL, 0);
}

static void wait_zombie(pid_t pid)
{
	for (int i = 0; i < 2000; i++) {
		char s = 0;

		if (oc_proc_state(pid, &s, NULL, NULL) == 0 && s == 'Z')
			return;
		usleep(1000);
	}
}

/* TAP descriptions must stay on one line. */
static const char *printable(const char *s)
{
	static char buf[80];
	size_t i;

	for (i = 0; s[i] != '\0' && i < sizeof buf - 1; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

static void test_ids(void)
{
	static const struct {
		const char *id;
		bool ok;
	} cases[] = {
		{"a", true},
		{"abc-DEF_0.9+x", true},
		{"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true},
		{"a.b", true},
		{".a", true},
		{"a.", true},
		{"", false},
		{".", false},
		{"..", false},
		{"a..b", false},
		{"../x", false},
		{"a/b", false},
		{"/a", false},
		{"a b", false},
		{"a\nb", false},
		{"a,b", false},
		{"a:b", false},
		{"a*", false},
		{"\xc3\xa9t\xc3\xa9", false},
		{"caf\xc3\xa9", false},
	};
	char big[OC_STATE_ID_MAX + 2];

	for (size_t i = 0; i < OC_ARRAY_SIZE(cases); i++) {
		cleanup_error oc_error_t err = OC_ERROR_INIT;
		int r = oc_state_id_validate(cases[i].id, &err);

		TAP_OK((r == 0) == cases[i].ok, "id \"%s\" %s", printable(cases[i].id),
		       cases[i].ok ? "accepted" : "refused");
		if (!cases[i].ok) {
			TAP_STREQ(err.msg, "invalid container ID format", "id \"%s\" error text", printable(cases[i].id));
			TAP_OK(err.code == EINVAL, "id \"%s\" error code EINVAL", printable(cases[i].id));
		}
	}
	memset(big, 'a', sizeof big);
	big[OC_STATE_ID_MAX] = '\0';
	TAP_OK(oc_state_id_validate(big, NULL) == 0, "id of %d bytes accepted", OC_STATE_ID_MAX);
	big[OC_STATE_ID_MAX] = 'a';
	big[OC_STATE_ID_MAX + 1] = '\0';
	TAP_OK(oc_state_id_validate(big, NULL) < 0, "id of %d bytes refused", OC_STATE_ID_MAX + 1);
	TAP_OK(oc_state_id_validate(NULL, NULL) < 0, "NULL id refused");
}

static void test_root(void)
{
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	cleanup_free char *path = oc_xasprintf("%s/a/b/root", tmpdir);
	cleanup_free char *parent = oc_xasprintf("%s/a/b", tmpdir);
	cleanup_close int fd = -1, fd2 = -1;
	struct stat st;
	mode_t old = umask(022);

	TAP_OK(oc_state_root_open(path, &fd, &err) == 0, "root created with parents (%s)", err.msg ? err.msg : "");
	TAP_OK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0700, "root mode 0700");
	TAP_OK(stat(parent, &st) == 0 && (st.st_mode & 07777) == 0711, "parent mode 0711");
	TAP_OK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "root fd is close-on-exec");
	TAP_OK(oc_state_root_open(path, &fd2, &err) == 0, "existing root opens");
	umask(old);
	TAP_OK(oc_state_root_open("", &fd2, &err) < 0, "empty root path refused");
	if (geteuid() == 0)
		TAP_STREQ(oc_state_default_root(), "/run/ocichroot", "default root for euid 0");
	else
		TAP_OK(strstr(oc_state_default_root(), "/ocichroot") != NULL, "default root for a user");
}

static int open_root(const char *name)
{
	cleanup_free char *path = oc_xasprintf("%s/%s", tmpdir, name);
	int fd = -1;

	if (oc_state_root_open(path, &fd, NULL) < 0)
		abort();
	return fd;
}

static void test_dirs(void)
{
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	cleanup_close int root = open_root("dirs");
	cleanup_close int d = -1, d2 = -1, lk = -1, outside = -1;
	cleanup_free char *outpath = oc_xasprintf("%s/outside", tmpdir);
	struct stat st;

	TAP_OK(oc_state_create_dir(root, "c1", &d, &err) == 0, "create_dir");
	TAP_OK(fstat(d, &st) == 0 && (st.st_mode & 07777) == 0711, "container dir mode 0711");
	TAP_OK(oc_state_create_dir(root, "c1", &d2, &err) < 0, "second create_dir of one id fails");
	TAP_STREQ(err.msg, "container with given ID already exists", "exists error text");
	TAP_OK(err.code == EEXIST, "exists error code");
	TAP_OK(oc_state_create_dir(root, "../c1", &d2, &err) < 0 && err.code == EINVAL, "create_dir validates id");
	TAP_OK(oc_state_open_dir(root, "nosuch", &d2, &err) < 0, "open_dir of a missing id fails");
	TAP_STREQ(err.msg, "container does not exist", "missing error text");
	TAP_OK(err.code == ENOENT, "missing error code");
	TAP_OK(symlinkat("c1", root, "link") == 0, "symlink in root");
	TAP_OK(oc_state_open_dir(root, "link", &d2, &err) < 0 && err.code == ENOENT, "open_dir does not follow a symlink");
	TAP_OK(oc_state_open_dir(root, "c1", &d2, &err) == 0, "open_dir");

	/* lock: held exclusively, another open file description can't get it */
	TAP_OK(oc_state_lock(d, true, &lk, &err) == 0, "lock exclusive");
	{
		int other = openat(d2, OC_STATE_LOCK_FILE, O_RDWR | O_CLOEXEC);
		TAP_OK(other >= 0 && flock(other, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK,
		       "exclusive lock excludes others");
		close(other);
	}
	close(steal_fd(&lk));
	TAP_OK(oc_state_lock(d2, false, &lk, &err) == 0, "lock shared after release");
	close(steal_fd(&lk));

	/* remove: contents, subdirs, a symlink to outside whose target stays */
	mkdir(outpath, 0700);
	outside = open(outpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(openat(outside, "keep", O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	TAP_OK(symlinkat(outpath, d, "evil") == 0, "symlink to outside in container dir");
	mkdirat(d, "sub", 0700);
	mkdirat(d, "sub/deeper", 0700);
	close(openat(d, "sub/deeper/f", O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	mkfifoat(d, OC_STATE_EXEC_FIFO, 0600);
	TAP_OK(oc_state_remove_dir(root, "c1", &err) == 0, "remove_dir (%s)", err.msg ? err.msg : "");
	TAP_OK(!exists_at(root, "c1"), "container dir gone");
	TAP_OK(exists_at(outside, "keep"), "symlink target outside survived");
	TAP_OK(exists_at(root, "link"), "remove_dir left the root's other entries");
	TAP_OK(oc_state_lock(d, true, &lk, &err) < 0 && err.code == ENOENT, "lock on a removed dir fails");
	TAP_OK(oc_state_remove_dir(root, "c1", &err) < 0 && err.code == ENOENT, "remove_dir of a missing id");
	TAP_OK(oc_state_remove_dir(root, "link", &err) < 0 && exists_at(root, "link"),
	       "remove_dir refuses a symlink id");
	unlinkat(outside, "keep", 0);
	rmdir(outpath);
}

/* The lock must hold off a concurrent delete: the waiter sees ENOENT. */
static void test_lock_vs_delete(void)
{
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	cleanup_close int root = open_root("lockdel");
	cleanup_close int d = -1, lk = -1;
	int status = -1, p[2];
	pid_t pid;
	char c;

	oc_state_create_dir(root, "x", &d, NULL);
	oc_state_lock(d, true, &lk, NULL);
	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	fflush(stdout); /* a child must not inherit, then flush, pending TAP lines */
	pid = fork();
	if (pid == 0) {
		int cd = -1, clk = -1;
		oc_error_t e = OC_ERROR_INIT;

		/* flock belongs to the open file description: an inherited
		 * copy of the parent's fd would keep its lock alive. */
		close(lk);
		if (oc_state_open_dir(root, "x", &cd, &e) < 0)
			_exit(2);
		if (write(p[1], "r", 1) != 1)
			_exit(2);
		/* blocks until the parent deleted and unlocked */
		if (oc_state_lock(cd, true, &clk, &e) == 0)
			_exit(1);
		_exit(e.code == ENOENT && strcmp(e.msg, "container does not exist") == 0 ? 0 : 3);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		abort();
	close(p[0]);
	usleep(20000);
	TAP_OK(oc_state_remove_dir(root, "x", &err) == 0, "delete under lock");
	close(steal_fd(&lk));
	waitpid(pid, &status, 0);
	TAP_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a verb waiting on the lock sees the container gone");
}

static void test_concurrent_create(void)
{
	enum { N = 16 };
	cleanup_close int root = open_root("race");
	pid_t pids[N];
	int gate[2], won = 0, lost = 0, other = 0;

	if (pipe2(gate, O_CLOEXEC) < 0)
		abort();
	for (int i = 0; i < N; i++) {
		fflush(stdout); /* a child must not inherit, then flush, pending TAP lines */
		pids[i] = fork();
		if (pids[i] == 0) {
			oc_error_t e = OC_ERROR_INIT;
			int d = -1;
			char c;

			close(gate[1]);
			(void) !read(gate[0], &c, 1); /* EOF opens the gate for all */
			if (oc_state_create_dir(root, "same", &d, &e) == 0)
				_exit(0);
			_exit(e.code == EEXIST ? 1 : 2);
		}
	}
	close(gate[0]);
	close(gate[1]);
	for (int i = 0; i < N; i++) {
		int status = -1;

		waitpid(pids[i], &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			won++;
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
			lost++;
		else
			other++;
	}
	TAP_OK(won == 1 && lost == N - 1 && other == 0, "%d concurrent creates: %d won, %d lost, %d failed", N, won,
	       lost, other);
}

static struct oc_state *sample_state(void)
{
	struct oc_state *st = oc_state_new();

	st->oci_version = oc_xstrdup("1.0.2-dev");
	st->id = oc_xstrdup("ctr");
	st->status_saved = OC_STATUS_RUNNING;
	st->pid = 4242;
	st->pid_start = 123456789012ULL;
	st->bundle = oc_xstrdup("/tmp/b u/n\"dle");
	st->rootfs = oc_xstrdup("/tmp/bundle/rootfs");
	st->created = oc_xstrdup("2024-01-02T03:04:05.123456789Z");
	st->owner = oc_xstrdup("");
	oc_state_set_annotation(st, "z.last", "1");
	oc_state_set_annotation(st, "a/first", "<&>");
	oc_state_set_annotation(st, "m", "x");
	oc_state_set_annotation(st, "m", "y");
	st->creator_pid = 17;
	st->creator_start = 99;
	oc_state_add_cgroup_path(st, "memory:/sys/fs/cgroup/memory/ctr");
	oc_state_add_cgroup_path(st, ":/sys/fs/cgroup/unified/ctr");
	st->cgroup_manager = oc_xstrdup("cgroupfs");
	oc_state_add_degraded(st, "proc: bind mount of the host /proc");
	st->systemd = true;
	st->use_terminal = true;
	st->config_hash = oc_xstrdup("sha256:abc");
	oc_state_set_extra(st, "noPivot", "true");
	return st;
}

static bool same_list(char **a, char **b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return a[n] == NULL && b[n] == NULL;
}

static void write_raw(int d, const char *text)
{
	int fd = openat(d, OC_STATE_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text))
		abort();
	close(fd);
}

static void test_roundtrip(void)
{
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	cleanup_close int root = open_root("rt");
	cleanup_close int d = -1;
	cleanup_state struct oc_state *st = sample_state();
	cleanup_state struct oc_state *got = NULL;
	cleanup_state struct oc_state *none = NULL;
	struct stat sb;

	oc_state_create_dir(root, "ctr", &d, NULL);
	TAP_OK(oc_state_read(d, &none, &err) < 0 && err.code == ENOENT, "read without state.json: does not exist");
	TAP_OK(oc_state_write(d, st, &err) == 0, "write");
	TAP_OK(oc_state_write(d, st, &err) == 0, "overwrite");
	TAP_OK(count_entries(d, OC_STATE_FILE ".tmp") == 0, "no temporary file left");
	TAP_OK(fstatat(d, OC_STATE_FILE, &sb, 0) == 0 && (sb.st_mode & 0777) == 0600, "state.json mode 0600");
	TAP_OK(oc_state_read(d, &got, &err) == 0, "read (%s)", err.msg ? err.msg : "");
	if (got == NULL)
		return;
	TAP_STREQ(got->oci_version, st->oci_version, "ociVersion");
	TAP_STREQ(got->id, st->id, "id");
	TAP_OK(got->status_saved == OC_STATUS_RUNNING, "status");
	TAP_OK(got->pid == 4242 && got->pid_start == 123456789012ULL, "pid + start time");
	TAP_STREQ(got->bundle, st->bundle, "bundle with quote and space");
	TAP_STREQ(got->rootfs, st->rootfs, "rootfs");
	TAP_STREQ(got->created, st->created, "created");
	TAP_STREQ(got->owner, "", "owner");
	TAP_OK(got->n_annotations == 3 && same_list(got->annotation_keys, st->annotation_keys, 3) &&
		       same_list(got->annotation_values, st->annotation_values, 3),
	       "annotations in order, replaced value kept");
	TAP_OK(got->creator_pid == 17 && got->creator_start == 99, "creator");
	TAP_OK(got->n_cgroup_paths == 2 && same_list(got->cgroup_paths, st->cgroup_paths, 2), "cgroup paths");
	TAP_STREQ(got->cgroup_manager, "cgroupfs", "cgroup manager");
	TAP_OK(got->n_degraded == 1 && same_list(got->degraded, st->degraded, 1), "degraded");
	TAP_OK(got->systemd && got->use_terminal, "booleans");
	TAP_STREQ(got->config_hash, "sha256:abc", "config hash");
	TAP_STREQ(oc_state_get_extra(got, "noPivot"), "true", "extra");
	TAP_OK(oc_state_get_extra(got, "nosuch") == NULL, "missing extra is NULL");

	/* A state built with NULL strings is written as "" and reads back. */
	{
		cleanup_state struct oc_state *bare = oc_state_new();
		cleanup_state struct oc_state *back = NULL;

		bare->id = oc_xstrdup("ctr");
		TAP_OK(oc_state_write(d, bare, &err) == 0 && oc_state_read(d, &back, &err) == 0, "sparse state round trip");
		TAP_OK(back && back->bundle && back->bundle[0] == '\0' && back->status_saved == OC_STATUS_CREATING,
		       "absent strings read as \"\"");
	}

	static const struct {
		const char *text, *want;
	} garbage[] = {
		{"", NULL},
		{"{", NULL},
		{"[]", "state.json: expected an object"},
		{"{\"id\":\"x\",\"status\":\"running\"}", "state.json: ociVersion: missing"},
		{"{\"ociVersion\":\"1\",\"id\":5,\"status\":\"running\"}", "state.json: id: expected a string"},
		{"{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"dancing\"}",
		 "state.json: status: unknown status \"dancing\""},
		{"{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"running\",\"pid\":-1}",
		 "state.json: pid: expected a non-negative integer"},
		{"{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"running\",\"pid\":1.5}",
		 "state.json: pid: expected a non-negative integer"},
		{"{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"running\",\"pid\":\"1\"}",
		 "state.json: pid: expected a non-negative integer"},
		{"{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"running\",\"pid\":99999999999}",
		 "state.json: pid: expected a non-negative integer"},
		{"{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"running\",\"systemd\":1}",
		 "state.json: systemd: expected a boolean"},
		{"{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"running\",\"annotations\":{\"a\":1}}",
		 "state.json: annotations: expected an object of strings"},
		{"{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"running\",\"degraded\":[\"a\",null]}",
		 "state.json: degraded: expected an array of strings"},
		{"{\"ociVersion\":\"1\",\"id\":\"../x\",\"status\":\"running\"}", "state.json: id: invalid container ID"},
	};
	for (size_t i = 0; i < OC_ARRAY_SIZE(garbage); i++) {
		cleanup_state struct oc_state *g = NULL;
		int r;

		write_raw(d, garbage[i].text);
		r = oc_state_read(d, &g, &err);
		TAP_OK(r < 0 && g == NULL, "garbage %zu refused", i);
		if (garbage[i].want)
			TAP_STREQ(err.msg, garbage[i].want, "garbage %zu message", i);
		else
			TAP_OK(err.msg && strncmp(err.msg, "state.json: ", 12) == 0, "garbage %zu message: %s", i, err.msg);
	}
	{
		static const char nul[] = "{\"ociVersion\":\"1\",\"id\":\"x\"\0,\"status\":\"running\"}";
		cleanup_state struct oc_state *g = NULL;
		int fd = openat(d, OC_STATE_FILE, O_WRONLY | O_TRUNC | O_CLOEXEC);

		(void) !write(fd, nul, sizeof nul - 1);
		close(fd);
		TAP_OK(oc_state_read(d, &g, &err) < 0, "state.json with a NUL byte refused");
	}
	unlinkat(d, OC_STATE_FILE, 0);
	symlinkat("/etc/passwd", d, OC_STATE_FILE);
	TAP_OK(oc_state_read(d, &none, &err) < 0 && err.code != ENOENT, "symlinked state.json refused");
	unlinkat(d, OC_STATE_FILE, 0);
}

static void test_status(void)
{
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	cleanup_close int root = open_root("status");
	cleanup_close int d = -1;
	cleanup_state struct oc_state *st = oc_state_new();
	unsigned long long start = 0, self_start = 0;
	struct child c;
	char s = 0;

	oc_state_create_dir(root, "s", &d, NULL);
	child_start(&c);
	TAP_OK(oc_proc_start_time(c.pid, &start, &err) == 0 && start > 0, "start time of a child");
	TAP_OK(oc_proc_start_time(getpid(), &self_start, &err) == 0 && self_start <= start,
	       "own start time not after the child's");

	st->pid = c.pid;
	st->pid_start = start;
	st->status_saved = OC_STATUS_RUNNING;
	TAP_OK(oc_state_status(d, st) == OC_STATUS_RUNNING, "live pid, no fifo: running");
	mkfifoat(d, OC_STATE_EXEC_FIFO, 0600);
	TAP_OK(oc_state_status(d, st) == OC_STATUS_CREATED, "live pid + exec.fifo: created");
	st->status_saved = OC_STATUS_CREATED;
	unlinkat(d, OC_STATE_EXEC_FIFO, 0);
	TAP_OK(oc_state_status(d, st) == OC_STATUS_RUNNING, "saved created but no fifo: running");
	st->status_saved = OC_STATUS_PAUSED;
	TAP_OK(oc_state_status(d, st) == OC_STATUS_PAUSED, "saved paused + alive: paused");
	st->status_saved = OC_STATUS_RUNNING;
	st->pid_start = start + 1;
	TAP_OK(oc_state_status(d, st) == OC_STATUS_STOPPED, "start time differs (recycled pid): stopped");
	st->pid_start = start;
	st->pid = 0;
	TAP_OK(oc_state_status(d, st) == OC_STATUS_STOPPED, "pid 0: stopped");

	/* creating: judged by the creator */
	st->status_saved = OC_STATUS_CREATING;
	st->creator_pid = c.pid;
	st->creator_start = start;
	TAP_OK(oc_state_status(d, st) == OC_STATUS_CREATING, "creating + live creator: creating");
	st->creator_start = start + 7;
	TAP_OK(oc_state_status(d, st) == OC_STATUS_STOPPED, "creating + recycled creator pid: stopped");
	st->creator_pid = 0;
	TAP_OK(oc_state_status(d, st) == OC_STATUS_STOPPED, "creating without creator: stopped");

	/* zombie, then gone */
	st->status_saved = OC_STATUS_RUNNING;
	st->pid = c.pid;
	child_stop(&c, false);
	wait_zombie(c.pid);
	TAP_OK(oc_proc_state(c.pid, &s, NULL, &err) == 0 && s == 'Z', "killed child is a zombie");
	TAP_OK(oc_state_status(d, st) == OC_STATUS_STOPPED, "zombie: stopped");
	st->status_saved = OC_STATUS_CREATING;
	st->creator_pid = c.pid;
	st->creator_start = start;
	TAP_OK(oc_state_status(d, st) == OC_STATUS_STOPPED, "creating + zombie creator: stopped");
	waitpid(c.pid, NULL, 0);
	st->status_saved = OC_STATUS_RUNNING;
	TAP_OK(oc_state_status(d, st) == OC_STATUS_STOPPED, "reaped: stopped");
	s = 'x';
	TAP_OK(oc_proc_state(c.pid, &s, NULL, &err) == 0 && s == 0, "gone process: state 0, no error");
	TAP_OK(oc_proc_start_time(c.pid, &start, &err) < 0 && err.code == ESRCH, "start time of a gone process: ESRCH");
	TAP_OK(!oc_proc_alive(-1, 0) && !oc_proc_alive(0, 0), "pid <= 0 never alive");

	st->status_saved = OC_STATUS_CREATING;
	st->creator_pid = getpid();
	st->creator_start = self_start;
	TAP_OK(oc_state_status(d, st) == OC_STATUS_CREATING, "creating + this process as creator: creating");

	TAP_STREQ(oc_status_name(OC_STATUS_CREATING), "creating", "name creating");
	TAP_STREQ(oc_status_name(OC_STATUS_CREATED), "created", "name created");
	TAP_STREQ(oc_status_name(OC_STATUS_RUNNING), "running", "name running");
	TAP_STREQ(oc_status_name(OC_STATUS_STOPPED), "stopped", "name stopped");
	TAP_STREQ(oc_status_name(OC_STATUS_PAUSED), "paused", "name paused");
	TAP_OK(oc_status_from_name("paused") == OC_STATUS_PAUSED && oc_status_from_name("x") < 0, "status from name");
}

static void test_proc_comm(void)
{
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	unsigned long long before = 0, after = 0;
	char comm[64] = "", path[64], s = 0;
	struct child c;
	int fd;

	child_start(&c);
	oc_proc_start_time(c.pid, &before, &err);
	child_order(&c, 'n');
	snprintf(path, sizeof path, "/proc/%d/comm", (int) c.pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	(void) !read(fd, comm, sizeof comm - 1);
	close(fd);
	TAP_STREQ(comm, "x) (y) Z 1 ) (\n", "child comm holds \") (\"");
	TAP_OK(oc_proc_state(c.pid, &s, &after, &err) == 0, "stat with a hostile comm parses");
	/* 'R' when caught before it blocks again; never the 'Z' in comm. */
	TAP_OK(s == 'S' || s == 'R', "state letter after the last ')' (got '%c')", s ? s : '0');
	TAP_OK(after == before && before > 0, "start time unchanged by the comm");
	child_stop(&c, true);
}

static void test_list(void)
{
	cleanup_error oc_error_t err = OC_ERROR_INIT;
	cleanup_close int root = open_root("list");
	cleanup_strv char **ids = NULL;
	static const char *names[] = {"b", "a", "c-1", "B"};
	size_t n = 99;

	TAP_OK(oc_state_list(root, &ids, &n, &err) == 0 && n == 0 && ids && ids[0] == NULL, "empty root lists nothing");
	oc_strvfree(steal_pointer(&ids));
	for (size_t i = 0; i < OC_ARRAY_SIZE(names); i++) {
		cleanup_close int d = -1;
		cleanup_state struct oc_state *st = oc_state_new();

		st->id = oc_xstrdup(names[i]);
		oc_state_create_dir(root, names[i], &d, NULL);
		oc_state_write(d, st, NULL);
	}
	mkdirat(root, "nostate", 0700);
	close(openat(root, "file", O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	symlinkat("a", root, "alink");
	mkdirat(root, "bad id", 0700);
	close(openat(root, "bad id/state.json", O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	mkdirat(root, "dirstate", 0700);
	mkdirat(root, "dirstate/state.json", 0700);
	TAP_OK(oc_state_list(root, &ids, &n, &err) == 0, "list");
	TAP_OK(n == 4 && ids[4] == NULL, "list has the 4 containers (got %zu)", n);
	if (n == 4) {
		TAP_STREQ(ids[0], "B", "sorted 0");
		TAP_STREQ(ids[1], "a", "sorted 1");
		TAP_STREQ(ids[2], "b", "sorted 2");
		TAP_STREQ(ids[3], "c-1", "sorted 3");
	}
}

static void test_json(void)
{
	cleanup_state struct oc_state *st = sample_state();
	cleanup_free char *pretty = NULL, *compact = NULL, *stopped = NULL, *hook = NULL, *hook2 = NULL;
	cleanup_free char *noann = NULL, *esc = NULL;

	pretty = oc_state_to_oci_json(st, OC_STATUS_RUNNING, true);
	TAP_STREQ(pretty,
		  "{\n"
		  "  \"ociVersion\": \"1.0.2-dev\",\n"
		  "  \"id\": \"ctr\",\n"
		  "  \"pid\": 4242,\n"
		  "  \"status\": \"running\",\n"
		  "  \"bundle\": \"/tmp/b u/n\\\"dle\",\n"
		  "  \"rootfs\": \"/tmp/bundle/rootfs\",\n"
		  "  \"created\": \"2024-01-02T03:04:05.123456789Z\",\n"
		  "  \"annotations\": {\n"
		  "    \"a/first\": \"\\u003c\\u0026\\u003e\",\n"
		  "    \"m\": \"y\",\n"
		  "    \"z.last\": \"1\"\n"
		  "  },\n"
		  "  \"owner\": \"\"\n"
		  "}",
		  "state output: runc's keys, order, indentation, sorted annotations, Go escaping");
	compact = oc_state_to_oci_json(st, OC_STATUS_CREATED, false);
	TAP_STREQ(compact,
		  "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"ctr\",\"pid\":4242,\"status\":\"created\","
		  "\"bundle\":\"/tmp/b u/n\\\"dle\",\"rootfs\":\"/tmp/bundle/rootfs\","
		  "\"created\":\"2024-01-02T03:04:05.123456789Z\","
		  "\"annotations\":{\"a/first\":\"\\u003c\\u0026\\u003e\",\"m\":\"y\",\"z.last\":\"1\"},\"owner\":\"\"}",
		  "compact state output (list entries)");

	oc_strvfree(steal_pointer(&st->annotation_keys));
	oc_strvfree(steal_pointer(&st->annotation_values));
	st->n_annotations = 0;
	stopped = oc_state_to_oci_json(st, OC_STATUS_STOPPED, true);
	TAP_STREQ(stopped,
		  "{\n"
		  "  \"ociVersion\": \"1.0.2-dev\",\n"
		  "  \"id\": \"ctr\",\n"
		  "  \"pid\": 0,\n"
		  "  \"status\": \"stopped\",\n"
		  "  \"bundle\": \"/tmp/b u/n\\\"dle\",\n"
		  "  \"rootfs\": \"/tmp/bundle/rootfs\",\n"
		  "  \"created\": \"2024-01-02T03:04:05.123456789Z\",\n"
		  "  \"owner\": \"\"\n"
		  "}",
		  "stopped: pid 0, no annotations key");
	hook = oc_state_to_hook_json(st, OC_STATUS_CREATING);
	TAP_STREQ(hook,
		  "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"ctr\",\"status\":\"creating\",\"pid\":4242,"
		  "\"bundle\":\"/tmp/b u/n\\\"dle\"}",
		  "hook state: compact, '/' not escaped, no empty annotations");
	TAP_OK(strstr(hook, "\\/") == NULL, "hook JSON has no escaped solidus");
	oc_state_set_annotation(st, "k", "v/w");
	st->pid = 0;
	hook2 = oc_state_to_hook_json(st, OC_STATUS_CREATED);
	TAP_STREQ(hook2,
		  "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"ctr\",\"status\":\"created\","
		  "\"bundle\":\"/tmp/b u/n\\\"dle\",\"annotations\":{\"k\":\"v/w\"}}",
		  "hook state: pid 0 omitted, annotations present");

	free(st->bundle);
	st->bundle = oc_xstrdup("a\tb\nc\x01\x7f \xc3\xa9 \xe2\x80\xa8 \xff\xc0\xaf \xed\xa0\x80 \xf0\x9f\x90\xb3\\");
	esc = oc_state_to_hook_json(st, OC_STATUS_CREATED);
	TAP_OK(strstr(esc, "\"bundle\":\"a\\tb\\nc\\u0001\x7f \xc3\xa9 \\u2028 \\ufffd\\ufffd\\ufffd "
			   "\\ufffd\\ufffd\\ufffd \xf0\x9f\x90\xb3\\\\\"") != NULL,
	       "Go string escaping: controls, U+2028, invalid UTF-8, surrogates, 4-byte UTF-8 (%s)", esc);

	st->oci_version = (free(st->oci_version), NULL);
	free(noann);
	noann = oc_state_to_hook_json(st, OC_STATUS_STOPPED);
	TAP_OK(strncmp(noann, "{\"ociVersion\":\"\",\"id\":\"ctr\",\"status\":\"stopped\",\"bundle\"", 55) == 0,
	       "NULL string prints as \"\", stopped omits pid: %s", noann);
}

static void test_time(void)
{
	cleanup_free char *t = oc_rfc3339_now();
	struct tm tm = {0};
	const char *rest;
	size_t frac;

	rest = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm);
	TAP_OK(rest != NULL, "rfc3339 date part: %s", t);
	if (rest == NULL)
		return;
	if (*rest == '.') {
		frac = strspn(rest + 1, "0123456789");
		TAP_OK(frac >= 1 && frac <= 9 && rest[frac] != '0', "fraction of 1-9 digits, no trailing zero");
		rest += 1 + frac;
	} else {
		TAP_OK(1, "no fraction (exact second)");
	}
	TAP_STREQ(rest, "Z", "UTC suffix");
	TAP_OK(tm.tm_year + 1900 >= 2024, "plausible year");
}

static int rm_rf(const char *path)
{
	cleanup_free char *cmd = oc_xasprintf("rm -rf '%s'", path);

	return system(cmd);
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_ids();
	test_root();
	test_dirs();
	test_lock_vs_delete();
	test_concurrent_create();
	test_roundtrip();
	test_status();
	test_proc_comm();
	test_list();
	test_json();
	test_time();
	rm_rf(tmpdir);
	return tap_done();
}
