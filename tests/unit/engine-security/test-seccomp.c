/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.seccomp: the rules libseccomp gets (checked on its text form), the
 * errors, a filter loaded in a child (no root needed: the child sets
 * no_new_privs), and the SCMP_ACT_NOTIFY listener protocol end to end. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ocichroot/common.h"
#include "ocichroot/error.h"
#include "ocichroot/json.h"
#include "ocichroot/seccomp.h"
#include "ocichroot/spec.h"
#include "../tap.h"

/* A config whose linux.seccomp is `seccomp`, all on line 1 so error
 * columns are easy to check: the seccomp object starts at column 62. */
static struct oc_spec *parse(const char *seccomp)
{
	cleanup_free char *buf =
		oc_xasprintf("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":%s}}", seccomp);
	oc_error_t err = OC_ERROR_INIT;
	struct oc_spec *s = NULL;

	if (oc_spec_parse(buf, strlen(buf), "config.json", &s, &err) < 0) {
		printf("# parse: %s\n", err.msg);
		oc_error_clear(&err);
		return NULL;
	}
	return s;
}

static char *pfc_text(const struct oc_seccomp *sc)
{
	cleanup_close int fd = memfd_create("pfc", MFD_CLOEXEC);
	oc_error_t err = OC_ERROR_INIT;
	struct stat st;
	char *buf;

	if (oc_seccomp_export_pfc(sc, fd, &err) < 0) {
		printf("# export: %s\n", err.msg);
		oc_error_clear(&err);
		return oc_xstrdup("");
	}
	fstat(fd, &st);
	buf = oc_xcalloc(1, (size_t) st.st_size + 1);
	if (pread(fd, buf, (size_t) st.st_size, 0) != st.st_size)
		buf[0] = '\0';
	return buf;
}

/* The block of the pfc text for syscall `name` on the first (native)
 * architecture, up to the next syscall. */
static char *pfc_block(const char *pfc, const char *name)
{
	cleanup_free char *key = oc_xasprintf("# filter for syscall \"%s\"", name);
	const char *p = strstr(pfc, key), *end;

	if (p == NULL)
		return oc_xstrdup("");
	end = strstr(p + 1, "# filter for syscall");
	if (end == NULL)
		end = p + strlen(p);
	return oc_xstrndup(p, (size_t) (end - p));
}

static const char *PROFILE =
	"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\","
	"\"SCMP_ARCH_SH\"],\"syscalls\":["
	"{\"names\":[\"mkdir\",\"no_such_syscall\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":42},"
	"{\"names\":[\"rmdir\"],\"action\":\"SCMP_ACT_ERRNO\"},"
	"{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"},"
	"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,\"args\":["
	"{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]},"
	"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":["
	"{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},"
	"{\"index\":1,\"value\":255,\"valueTwo\":2,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
	"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,"
	"\"args\":[{\"index\":0,\"value\":100,\"op\":\"SCMP_CMP_NE\"}]},"
	"{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":6,"
	"\"args\":[{\"index\":0,\"value\":100,\"op\":\"SCMP_CMP_LT\"}]},"
	"{\"names\":[\"close\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":[{\"index\":0,\"value\":100,\"op\":\"SCMP_CMP_LE\"}]},"
	"{\"names\":[\"dup\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":7,"
	"\"args\":[{\"index\":0,\"value\":100,\"op\":\"SCMP_CMP_GE\"}]},"
	"{\"names\":[\"dup2\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":8,"
	"\"args\":[{\"index\":0,\"value\":100,\"op\":\"SCMP_CMP_GT\"}]},"
	"{\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_KILL\"},"
	"{\"names\":[\"tkill\"],\"action\":\"SCMP_ACT_KILL_THREAD\",\"errnoRet\":3}"
	"]}";

/* Actions libseccomp accepts only when the kernel has them. */
static const char *KERNEL_PROFILE =
	"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"syscalls\":["
	"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_LOG\"},"
	"{\"names\":[\"dup2\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"},"
	"{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_NOTIFY\"}"
	"],\"listenerPath\":\"/x\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_TSYNC\"]}";

/* valgrind, for one, does not implement seccomp(2): libseccomp then
 * refuses the newer actions and nothing can be loaded */
static bool have_seccomp(void)
{
	uint32_t a = SECCOMP_RET_ALLOW;

	return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &a) == 0;
}

static void skip(int n, const char *why)
{
	for (int i = 0; i < n; i++)
		printf("ok %d - # SKIP %s\n", ++tap_n, why);
}

static void check_block(const char *pfc, const char *name, const char *want, const char *what)
{
	cleanup_free char *b = pfc_block(pfc, name);
	cleanup_free char *shown = oc_xstrdup(want);

	/* one TAP line per test */
	for (char *p = shown; *p; p++)
		if (*p == '\n')
			*p = '|';
	TAP_OK(strstr(b, want) != NULL, "%s: %s has `%s`", what, name, shown);
	if (strstr(b, want) == NULL)
		for (char *line = strtok(b, "\n"); line != NULL; line = strtok(NULL, "\n"))
			printf("# %s\n", line);
}

static void rules_cases(void)
{
	cleanup_spec struct oc_spec *s = parse(PROFILE);
	cleanup_seccomp struct oc_seccomp *sc = NULL;
	oc_error_t err = OC_ERROR_INIT;
	cleanup_free char *pfc = NULL;

	if (s == NULL) {
		TAP_OK(0, "profile parses");
		return;
	}
	TAP_OK(oc_seccomp_prepare(s->linux->seccomp, &sc, &err) == 0, "prepare the profile: %s",
	       err.msg ? err.msg : "ok");
	oc_error_clear(&err);
	if (sc == NULL)
		return;
	TAP_OK(oc_seccomp_n_insns(sc) > 10, "compiled to %zu BPF instructions", oc_seccomp_n_insns(sc));
	TAP_OK(!oc_seccomp_has_notify(sc), "has no notify rule");
	pfc = pfc_text(sc);
	TAP_OK(strstr(pfc, "# filter for arch x86_64") != NULL, "native arch present");
	TAP_OK(strstr(pfc, "# filter for arch x86 ") != NULL, "SCMP_ARCH_X86 added");
	check_block(pfc, "mkdir", "action ERRNO(42);", "errnoRet");
	check_block(pfc, "rmdir", "action ERRNO(1);", "errnoRet defaults to EPERM");
	TAP_OK(strstr(pfc, "no_such_syscall") == NULL, "unknown syscall skipped");
	TAP_OK(strstr(pfc, "\"getpid\"") == NULL, "rule with the default action skipped");
	check_block(pfc, "personality", "if ($a0.lo32 == 8)", "repeated index, first rule");
	check_block(pfc, "personality", "if ($a0.lo32 == 9)", "repeated index, second rule");
	check_block(pfc, "socket", "if ($a1.lo32 & 0x000000ff == 2)", "MASKED_EQ with valueTwo as datum");
	check_block(pfc, "socket", "if ($a0.lo32 == 1)", "two indexes, one rule");
	check_block(pfc, "read", "if ($a0.lo32 == 100)\n      else\n        action ERRNO(5);", "SCMP_CMP_NE");
	check_block(pfc, "write", "if ($a0.lo32 >= 100)\n        else\n          action ERRNO(6);", "SCMP_CMP_LT");
	check_block(pfc, "close", "if ($a0.lo32 > 100)\n        else\n          action TRAP;", "SCMP_CMP_LE");
	check_block(pfc, "dup", "if ($a0.lo32 >= 100)\n          action TRACE(7);", "SCMP_CMP_GE");
	check_block(pfc, "dup2", "if ($a0.lo32 > 100)\n          action ERRNO(8);", "SCMP_CMP_GT");
	check_block(pfc, "dup3", "action KILL;", "SCMP_ACT_KILL");
	check_block(pfc, "tkill", "action KILL;", "SCMP_ACT_KILL_THREAD, errnoRet ignored");
	TAP_OK(strstr(pfc, "# default action\n  action ALLOW;") != NULL, "default action");
}

static void kernel_rules_cases(void)
{
	cleanup_spec struct oc_spec *s = parse(KERNEL_PROFILE);
	cleanup_seccomp struct oc_seccomp *sc = NULL;
	oc_error_t err = OC_ERROR_INIT;
	cleanup_free char *pfc = NULL;

	if (!have_seccomp()) {
		skip(6, "no seccomp(2) here");
		return;
	}
	TAP_OK(s != NULL && oc_seccomp_prepare(s->linux->seccomp, &sc, &err) == 0, "prepare LOG/KILL_PROCESS/NOTIFY: %s",
	       err.msg ? err.msg : "ok");
	oc_error_clear(&err);
	if (sc == NULL)
		return;
	TAP_OK(oc_seccomp_has_notify(sc), "has a notify rule");
	pfc = pfc_text(sc);
	check_block(pfc, "read", "action LOG;", "SCMP_ACT_LOG");
	check_block(pfc, "dup2", "action KILL_PROCESS;", "SCMP_ACT_KILL_PROCESS");
	check_block(pfc, "getppid", "action 0x7fc00000;", "SCMP_ACT_NOTIFY");
	TAP_OK(strstr(pfc, "# default action\n  action ERRNO(38);") != NULL, "defaultErrnoRet");
}

struct bad {
	const char *seccomp;
	const char *want;
};

static void error_cases(void)
{
	static const struct bad cases[] = {
		{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":70000}",
		 "config.json:1:114: linux.seccomp.defaultErrnoRet: 70000 is out of range (0..65535)"},
		{"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":"
		 "\"SCMP_ACT_ERRNO\",\"errnoRet\":65536}]}",
		 "config.json:1:164: linux.seccomp.syscalls[0].errnoRet: 65536 is out of range (0..65535)"},
	};

	for (size_t i = 0; i < OC_ARRAY_SIZE(cases); i++) {
		cleanup_spec struct oc_spec *s = parse(cases[i].seccomp);
		cleanup_seccomp struct oc_seccomp *sc = NULL;
		oc_error_t err = OC_ERROR_INIT;

		if (s == NULL) {
			TAP_OK(0, "bad case %zu parses", i);
			continue;
		}
		TAP_OK(oc_seccomp_prepare(s->linux->seccomp, &sc, &err) < 0 && sc == NULL, "bad case %zu refused", i);
		TAP_STREQ(err.msg, cases[i].want, "bad case %zu message", i);
		oc_error_clear(&err);
	}
}

/* Structs built in memory (no positions): what src/spec would refuse
 * first, refused here too. */
static void memory_cases(void)
{
	char *flags[] = {"SECCOMP_FILTER_FLAG_NOPE", NULL};
	char *wk[] = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};
	char *names[] = {"mkdir", NULL};
	struct oc_spec_seccomp_arg arg = {.index = 6, .op = "SCMP_CMP_EQ"};
	struct oc_spec_seccomp_syscall sys = {.names = names, .n_names = 1, .action = "SCMP_ACT_ERRNO", .args = &arg,
					      .n_args = 1};
	struct {
		struct oc_spec_seccomp s;
		const char *want;
	} cases[] = {
		{{.default_action = "SCMP_ACT_FOO"}, "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\""},
		{{.default_action = "SCMP_ACT_NOTIFY"},
		 "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"},
		{{.default_action = "SCMP_ACT_ALLOW", .flags = flags, .n_flags = 1},
		 "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_NOPE\""},
		{{.default_action = "SCMP_ACT_ALLOW", .syscalls = &sys, .n_syscalls = 1},
		 "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0..5)"},
		{{.default_action = "SCMP_ACT_ALLOW", .flags = wk, .n_flags = 1}, NULL},
	};

	for (size_t i = 0; i < OC_ARRAY_SIZE(cases); i++) {
		cleanup_seccomp struct oc_seccomp *sc = NULL;
		oc_error_t err = OC_ERROR_INIT;
		int r = oc_seccomp_prepare(&cases[i].s, &sc, &err);

		if (cases[i].want == NULL)
			TAP_OK(r == 0 && sc != NULL, "memory case %zu accepted (%s)", i, err.msg ? err.msg : "");
		else
			TAP_STREQ(err.msg, cases[i].want, "memory case %zu refused", i);
		oc_error_clear(&err);
	}
}

static void null_and_features_cases(void)
{
	struct oc_seccomp *sc = (struct oc_seccomp *) 1;
	oc_error_t err = OC_ERROR_INIT;
	cleanup_json_gen yajl_gen g = oc_json_gen_new(false, NULL);
	cleanup_free char *json = NULL;
	int fd = 7;

	TAP_OK(oc_seccomp_prepare(NULL, &sc, &err) == 0 && sc == NULL, "no linux.seccomp: no filter");
	TAP_OK(oc_seccomp_load(NULL, &fd, &err) == 0 && fd == -1, "loading no filter does nothing");
	oc_seccomp_free(NULL);
	oc_seccomp_features_gen(g);
	json = oc_json_gen_finish(g);
	TAP_OK(strncmp(json, "{\"enabled\":true,\"actions\":[\"SCMP_ACT_KILL\",", 43) == 0, "features: %s", json);
	TAP_OK(strstr(json, "\"SCMP_CMP_MASKED_EQ\"") && strstr(json, "\"SCMP_ARCH_X86_64\"") &&
		       strstr(json, have_seccomp() ? "\"supportedFlags\":[\"SECCOMP_FILTER_FLAG_TSYNC\",\"SECCOMP_FILTER_FLAG_LOG\""
						   : "\"supportedFlags\":[\"SECCOMP_FILTER_FLAG_TSYNC\"]"),
	       "features lists operators, archs, supported flags");
}

static int wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Exit codes say which step failed. */
static void errno_load_case(void)
{
	cleanup_spec struct oc_spec *s =
		parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\","
		      "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],"
		      "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":42}]}");
	cleanup_seccomp struct oc_seccomp *sc = NULL;
	oc_error_t err = OC_ERROR_INIT;
	pid_t pid;

	if (!have_seccomp()) {
		skip(1, "no seccomp(2) here");
		return;
	}
	if (s == NULL || oc_seccomp_prepare(s->linux->seccomp, &sc, &err) < 0) {
		TAP_OK(0, "prepare mkdir filter: %s", err.msg ? err.msg : "");
		oc_error_clear(&err);
		return;
	}
	pid = fork();
	if (pid == 0) {
		int fd = -2;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(10);
		if (oc_seccomp_load(sc, &fd, &err) < 0 || fd != -1) {
			printf("# load: %s\n", err.msg ? err.msg : "fd");
			_exit(11);
		}
		if (mkdir("/tmp/oc-seccomp-test-never", 0700) == 0 || errno != 42)
			_exit(12);
		if (getpid() != (pid_t) syscall(SYS_getpid) || getpid() <= 1)
			_exit(13);
		_exit(0);
	}
	TAP_OK(wait_child(pid) == 0, "loaded filter: mkdir fails with errno 42, getpid works");
}

static int recv_fd_and_text(int sock, char *buf, size_t len, int *fd)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = {.iov_base = buf, .iov_len = len - 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.b,
			    .msg_controllen = sizeof control.b};
	struct cmsghdr *cm;
	ssize_t n, total;

	*fd = -1;
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm != NULL && cm->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	/* the rest, until the sender closes */
	for (total = n; (size_t) total < len - 1; total += n) {
		n = read(sock, buf + total, len - 1 - (size_t) total);
		if (n <= 0)
			break;
	}
	buf[total] = '\0';
	return 0;
}

static void notify_case(void)
{
	cleanup_spec struct oc_spec *s =
		parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/unused\",\"flags\":["
		      "\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],"
		      "\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}");
	cleanup_seccomp struct oc_seccomp *sc = NULL;
	oc_error_t err = OC_ERROR_INIT;
	char dir[] = "/tmp/oc-seccomp-XXXXXX";
	cleanup_free char *path = NULL, *want = NULL;
	cleanup_close int lsock = -1, conn = -1, nfd = -1;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	char buf[1024];
	pid_t pid;

	if (!have_seccomp()) {
		skip(5, "no seccomp(2) here");
		return;
	}
	if (s == NULL || oc_seccomp_prepare(s->linux->seccomp, &sc, &err) < 0) {
		TAP_OK(0, "prepare notify filter: %s", err.msg ? err.msg : "");
		oc_error_clear(&err);
		return;
	}
	if (mkdtemp(dir) == NULL)
		abort();
	path = oc_xasprintf("%s/listener.sock", dir);
	strcpy(addr.sun_path, path);
	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bind(lsock, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(lsock, 1) < 0)
		abort();

	pid = fork();
	if (pid == 0) {
		int fd = -1;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(10);
		if (oc_seccomp_load(sc, &fd, &err) < 0 || fd < 0) {
			printf("# load: %s\n", err.msg ? err.msg : "no fd");
			_exit(11);
		}
		if (oc_seccomp_send_notify_fd(path, fd, getpid(), " {\"ociVersion\":\"1.2.0\",\"id\":\"c1\"}", "m\"d",
					      &err) < 0) {
			printf("# send: %s\n", err.msg);
			_exit(12);
		}
		close(fd);
		/* answered by the listener with 4242 */
		_exit(getppid() == 4242 ? 0 : 13);
	}
	alarm(30);
	conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	TAP_OK(conn >= 0 && recv_fd_and_text(conn, buf, sizeof buf, &nfd) == 0 && nfd >= 0,
	       "listener gets the notify fd");
	want = oc_xasprintf("{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],\"pid\":%d,\"metadata\":\"m\\\"d\","
			    "\"state\":{\"ociVersion\":\"1.2.0\",\"id\":\"c1\"}}",
			    (int) pid);
	TAP_STREQ(buf, want, "containerProcessState sent with it");
	if (nfd >= 0 && seccomp_notify_alloc(&req, &resp) == 0) {
		int rc = seccomp_notify_receive(nfd, req);
		TAP_OK(rc == 0 && req->pid == (uint32_t) pid && req->data.nr == SYS_getppid,
		       "notification for the child's getppid");
		resp->id = req->id;
		resp->val = 4242;
		resp->error = 0;
		resp->flags = 0;
		TAP_OK(seccomp_notify_respond(nfd, resp) == 0, "respond");
		seccomp_notify_free(req, resp);
	} else {
		kill(pid, SIGKILL);
	}
	TAP_OK(wait_child(pid) == 0, "child saw the listener's answer");
	alarm(0);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	rules_cases();
	kernel_rules_cases();
	error_cases();
	memory_cases();
	null_and_features_cases();
	errno_load_case();
	notify_case();
	return tap_done();
}
