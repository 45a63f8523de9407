/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.seccomp: compiled with libseccomp in the runtime, loaded with one
 * seccomp(2) call in the container's init (see include/ocichroot/seccomp.h
 * for the decisions taken on the spec's loose ends). */
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "config.h"
#include "ocichroot/common.h"
#include "ocichroot/json.h"
#include "ocichroot/log.h"
#include "ocichroot/seccomp.h"

/* Lets the unit tests build this file as if libseccomp were absent. */
#ifdef OC_TEST_WITHOUT_LIBS
#undef HAVE_SECCOMP
#define HAVE_SECCOMP 0
#endif

#if HAVE_SECCOMP
#include <seccomp.h>
#endif

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif

struct oc_seccomp {
#if HAVE_SECCOMP
	scmp_filter_ctx ctx; /* kept for export_pfc only */
#endif
	struct sock_filter *insns;
	size_t n_insns;
	unsigned long flags; /* for seccomp(2), NEW_LISTENER included */
	bool notify;
};

static const struct {
	const char *name;
	unsigned long value; /* 0: accepted and ignored */
} known_flags[] OC_UNUSED = {
	{"SECCOMP_FILTER_FLAG_TSYNC", 0},
	{"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	{"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

/* The running kernel's answer: 1 knows the flags, 0 does not, -1 cannot
 * tell (seccomp(2) itself filtered, say). A NULL program makes the kernel
 * check the flags and then fail on copying it, before any filter exists. */
OC_UNUSED static int kernel_has_flags(unsigned long flags)
{
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL) < 0 && errno == EFAULT)
		return 1;
	return errno == EINVAL ? 0 : -1;
}

bool oc_seccomp_has_notify(const struct oc_seccomp *sc)
{
	return sc != NULL && sc->notify;
}

size_t oc_seccomp_n_insns(const struct oc_seccomp *sc)
{
	return sc != NULL ? sc->n_insns : 0;
}

void oc_seccomp_free(struct oc_seccomp *sc)
{
	if (sc == NULL)
		return;
#if HAVE_SECCOMP
	if (sc->ctx != NULL)
		seccomp_release(sc->ctx);
#endif
	free(sc->insns);
	free(sc);
}

int oc_seccomp_load(const struct oc_seccomp *sc, int *notify_fd, oc_error_t *err)
{
	struct sock_fprog prog;
	long r;

	if (sc == NULL) {
		if (notify_fd != NULL)
			*notify_fd = -1;
		return 0;
	}
	if (sc->notify && notify_fd == NULL)
		return oc_error_set(err, EINVAL, "load seccomp filter: SCMP_ACT_NOTIFY without a place for the listener");
	prog.len = (unsigned short) sc->n_insns;
	prog.filter = sc->insns;
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, sc->flags, &prog);
	if (r < 0)
		return oc_error_sys(err, "error loading seccomp filter into kernel");
	if (notify_fd != NULL)
		*notify_fd = sc->notify ? (int) r : -1;
	return 0;
}

/* ---- the listener (no libseccomp needed) --------------------------------- */

static char *process_state_json(pid_t pid, const char *state_json, const char *metadata, oc_error_t *err)
{
	cleanup_json_gen yajl_gen g = oc_json_gen_new(false, NULL);
	cleanup_free char *head = NULL;
	const char *s = state_json + strspn(state_json, " \t\r\n");
	size_t len;

	if (*s != '{')
		return oc_error_set(err, EINVAL, "seccomp listener: the container state is not a JSON object"), NULL;
	yajl_gen_map_open(g);
	oc_json_gen_kstr(g, "ociVersion", OC_SPEC_VERSION);
	oc_json_gen_str(g, "fds");
	yajl_gen_array_open(g);
	oc_json_gen_str(g, "seccompFd");
	yajl_gen_array_close(g);
	oc_json_gen_kint(g, "pid", pid);
	if (metadata != NULL && metadata[0] != '\0')
		oc_json_gen_kstr(g, "metadata", metadata);
	yajl_gen_map_close(g);
	/* yajl cannot insert ready-made JSON: close the object by hand with
	 * the state appended as its last member */
	head = oc_json_gen_finish(g);
	len = strlen(head);
	head[len - 1] = '\0';
	return oc_xasprintf("%s,\"state\":%s}", head, s);
}

int oc_seccomp_send_notify_fd(const char *listener_path, int notify_fd, pid_t pid, const char *state_json,
			      const char *metadata, oc_error_t *err)
{
	cleanup_free char *msg = NULL;
	cleanup_close int sock = -1;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov;
	struct msghdr mh = {0};
	struct cmsghdr *cm;
	size_t len, off;
	ssize_t n;

	if (strlen(listener_path) >= sizeof addr.sun_path)
		return oc_error_set(err, ENAMETOOLONG, "connect to seccomp listener `%s`", listener_path);
	msg = process_state_json(pid, state_json, metadata, err);
	if (msg == NULL)
		return -1;
	strcpy(addr.sun_path, listener_path);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return oc_error_sys(err, "seccomp listener: socket");
	if (connect(sock, (struct sockaddr *) &addr, sizeof addr) < 0)
		return oc_error_sys(err, "connect to seccomp listener `%s`", listener_path);

	len = strlen(msg);
	iov.iov_base = msg;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	memset(&control, 0, sizeof control);
	mh.msg_control = control.buf;
	mh.msg_controllen = sizeof control.buf;
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &notify_fd, sizeof(int));
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return oc_error_sys(err, "send seccomp notify fd to `%s`", listener_path);
	/* a stream socket may take a long state in pieces; the descriptor
	 * went with the first */
	for (off = (size_t) n; off < len; off += (size_t) n) {
		n = send(sock, msg + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n < 0)
			return oc_error_sys(err, "send container state to seccomp listener `%s`", listener_path);
	}
	return 0;
}

#if HAVE_SECCOMP

static const struct {
	const char *name;
	uint32_t action; /* for errno/trace, without the data */
	bool data;	 /* takes errnoRet */
} actions[] = {
	{"SCMP_ACT_KILL", SCMP_ACT_KILL, false},
	{"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
	{"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
	{"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
	{"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
	{"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
	{"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
	{"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
	{"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
};

static const struct {
	const char *name;
	enum scmp_compare op;
} operators[] = {
	{"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
	{"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
	{"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

/* Only the architectures this libseccomp knows; the spec knows more. */
static const struct {
	const char *name;
	uint32_t token;
} arches[] = {
	{"SCMP_ARCH_X86", SCMP_ARCH_X86},
	{"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
	{"SCMP_ARCH_X32", SCMP_ARCH_X32},
	{"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
	{"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
	{"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
	{"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
	{"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
	{"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
	{"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
	{"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
	{"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
	{"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
	{"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
	{"SCMP_ARCH_S390", SCMP_ARCH_S390},
	{"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
#ifdef SCMP_ARCH_PARISC
	{"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
	{"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
#endif
#ifdef SCMP_ARCH_RISCV64
	{"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#endif
#ifdef SCMP_ARCH_LOONGARCH64
	{"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#endif
#ifdef SCMP_ARCH_M68K
	{"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
#endif
#ifdef SCMP_ARCH_SH
	{"SCMP_ARCH_SH", SCMP_ARCH_SH},
	{"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
#endif
};


/* path names the object holding "action"/"errnoRet" (or, for the
 * default, "defaultAction"/"defaultErrnoRet"): pre + "Action" etc. */
static int action_value(const char *name, bool has_errno, uint32_t errno_ret, const struct oc_json *obj,
			const char *path, bool is_default, uint32_t *out, oc_error_t *err)
{
	const char *akey = is_default ? "defaultAction" : "action";
	const char *ekey = is_default ? "defaultErrnoRet" : "errnoRet";

	for (size_t i = 0; i < OC_ARRAY_SIZE(actions); i++) {
		if (strcmp(actions[i].name, name) != 0)
			continue;
		if (!actions[i].data) {
			*out = actions[i].action;
			return 0;
		}
		if (!has_errno)
			errno_ret = EPERM;
		/* the kernel keeps 16 bits of data */
		if (errno_ret > 0xffff)
			return oc_json_error(oc_json_at(obj, ekey), err, "%s.%s: %u is out of range (0..65535)", path, ekey,
					     errno_ret);
		*out = actions[i].action | errno_ret;
		return 0;
	}
	return oc_json_error(oc_json_at(obj, akey), err, "%s.%s: unknown action \"%s\"", path, akey, name);
}

/* Kernels before 4.14 lack KILL_PROCESS and LOG, before 5.0 NOTIFY:
 * say so now rather than fail to load in the child. */
static int check_kernel_action(uint32_t action, const char *name, const struct oc_json *where, oc_error_t *err)
{
	uint32_t a = action & SECCOMP_RET_ACTION_FULL;

	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &a) < 0 && errno == EOPNOTSUPP)
		return oc_json_error(where, err, "seccomp action %s is not supported by the running kernel", name);
	return 0;
}

static int add_arches(scmp_filter_ctx ctx, const struct oc_spec_seccomp *s, oc_error_t *err)
{
	for (size_t i = 0; i < s->n_architectures; i++) {
		const char *name = s->architectures[i];
		size_t k;
		int rc;

		for (k = 0; k < OC_ARRAY_SIZE(arches); k++)
			if (strcmp(arches[k].name, name) == 0)
				break;
		if (k == OC_ARRAY_SIZE(arches)) {
			/* libseccomp knows every ABI of the hosts it runs
			 * on, so no process here can use this one */
			oc_warn("seccomp: architecture %s is unknown to libseccomp, skipped", name);
			continue;
		}
		rc = seccomp_arch_add(ctx, arches[k].token);
		if (rc < 0 && rc != -EEXIST)
			return oc_error_set(err, -rc, "seccomp: add architecture %s", name);
	}
	return 0;
}

static int set_flags(struct oc_seccomp *sc, const struct oc_spec_seccomp *s, oc_error_t *err)
{
	for (size_t i = 0; i < s->n_flags; i++) {
		unsigned long f = 0;
		size_t k;

		for (k = 0; k < OC_ARRAY_SIZE(known_flags); k++)
			if (strcmp(known_flags[k].name, s->flags[i]) == 0)
				break;
		if (k == OC_ARRAY_SIZE(known_flags))
			return oc_json_error(s->json, err, "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i,
					     s->flags[i]);
		f = known_flags[k].value;
		if (f == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV && !sc->notify) {
			oc_debug("seccomp: %s ignored: no SCMP_ACT_NOTIFY rule", s->flags[i]);
			continue;
		}
		sc->flags |= f;
	}
	if (sc->notify)
		sc->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	if (sc->flags != 0 && kernel_has_flags(sc->flags) == 0) {
		for (size_t k = 0; k < OC_ARRAY_SIZE(known_flags); k++) {
			unsigned long f = known_flags[k].value;
			unsigned long probe = f | (f == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ? sc->flags : 0);
			if ((sc->flags & f) != 0 && kernel_has_flags(probe) == 0)
				return oc_error_set(err, EINVAL, "seccomp flag %s is not supported by the running kernel",
						    known_flags[k].name);
		}
		return oc_error_set(err, EINVAL, "seccomp: SCMP_ACT_NOTIFY is not supported by the running kernel");
	}
	return 0;
}

static int make_conds(const struct oc_spec_seccomp_syscall *sc, size_t idx, struct scmp_arg_cmp *conds,
		      bool *repeated, oc_error_t *err)
{
	unsigned count[6] = {0};

	*repeated = false;
	for (size_t j = 0; j < sc->n_args; j++) {
		const struct oc_spec_seccomp_arg *a = &sc->args[j];
		size_t k;

		for (k = 0; k < OC_ARRAY_SIZE(operators); k++)
			if (a->op != NULL && strcmp(operators[k].name, a->op) == 0)
				break;
		if (k == OC_ARRAY_SIZE(operators))
			return oc_json_error(oc_json_at(a->json, "op"), err,
					     "linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator \"%s\"", idx, j,
					     a->op ? a->op : "");
		if (a->index >= 6)
			return oc_json_error(oc_json_at(a->json, "index"), err,
					     "linux.seccomp.syscalls[%zu].args[%zu].index: %u is out of range (0..5)", idx,
					     j, a->index);
		/* for MASKED_EQ, value is the mask and valueTwo the datum
		 * (as libseccomp takes them); the others ignore valueTwo */
		conds[j] = (struct scmp_arg_cmp){
			.arg = a->index, .op = operators[k].op, .datum_a = a->value, .datum_b = a->value_two};
		if (++count[a->index] > 1)
			*repeated = true;
	}
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t act, const char *name, int nr, const struct scmp_arg_cmp *conds,
		    size_t n, bool repeated, const struct oc_json *where, size_t idx, oc_error_t *err)
{
	int rc = 0;

	/* libseccomp refuses two comparisons on one argument in a rule;
	 * runc then adds one rule per comparison, so any of them matches.
	 * Profiles are written for that meaning. */
	if (repeated) {
		for (size_t k = 0; k < n && rc == 0; k++)
			rc = seccomp_rule_add_array(ctx, act, nr, 1, &conds[k]);
	} else {
		rc = seccomp_rule_add_array(ctx, act, nr, (unsigned) n, conds);
	}
	if (rc < 0)
		return oc_json_error(where, err, "linux.seccomp.syscalls[%zu]: add a rule for syscall \"%s\": %s", idx,
				     name, strerror(-rc));
	return 0;
}

static int add_rules(struct oc_seccomp *sc, const struct oc_spec_seccomp *s, uint32_t def, oc_error_t *err)
{
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct oc_spec_seccomp_syscall *r = &s->syscalls[i];
		cleanup_free struct scmp_arg_cmp *conds = NULL;
		cleanup_free char *path = oc_xasprintf("linux.seccomp.syscalls[%zu]", i);
		bool repeated;
		uint32_t act;

		if (r->action == NULL)
			return oc_json_error(r->json, err, "%s.action: missing required field", path);
		if (action_value(r->action, r->has_errno_ret, r->errno_ret, r->json, path, false, &act, err) < 0)
			return -1;
		if (act == def) {
			oc_debug("seccomp: syscalls[%zu] skipped: its action is the default action", i);
			continue;
		}
		if (check_kernel_action(act, r->action, oc_json_at(r->json, "action"), err) < 0)
			return -1;
		if (act == SCMP_ACT_NOTIFY)
			sc->notify = true;
		conds = oc_xcalloc(r->n_args ? r->n_args : 1, sizeof *conds);
		if (make_conds(r, i, conds, &repeated, err) < 0)
			return -1;
		for (size_t k = 0; k < r->n_names; k++) {
			int nr = seccomp_syscall_resolve_name(r->names[k]);

			if (nr == __NR_SCMP_ERROR) {
				/* profiles name syscalls of newer kernels */
				oc_debug("seccomp: unknown syscall \"%s\" ignored", r->names[k]);
				continue;
			}
			if (add_rule(sc->ctx, act, r->names[k], nr, conds, r->n_args, repeated, r->json, i, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* libseccomp 2.5 can only write the program to a descriptor. */
static int compile(struct oc_seccomp *sc, oc_error_t *err)
{
	cleanup_close int fd = memfd_create("oc-seccomp", MFD_CLOEXEC);
	struct stat st;
	size_t size, done;
	int rc;

	if (fd < 0)
		return oc_error_sys(err, "seccomp: memfd_create");
	rc = seccomp_export_bpf(sc->ctx, fd);
	if (rc < 0)
		return oc_error_set(err, -rc, "seccomp: compile the filter");
	if (fstat(fd, &st) < 0)
		return oc_error_sys(err, "seccomp: fstat");
	size = (size_t) st.st_size;
	if (size == 0 || size % sizeof(struct sock_filter) != 0)
		return oc_error_set(err, EINVAL, "seccomp: the compiled filter has a bad size (%zu bytes)", size);
	if (size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return oc_error_set(err, E2BIG,
				    "seccomp: the filter has %zu instructions, more than the kernel's limit of %d",
				    size / sizeof(struct sock_filter), BPF_MAXINSNS);
	sc->insns = oc_xmalloc(size);
	for (done = 0; done < size;) {
		ssize_t n = pread(fd, (char *) sc->insns + done, size - done, (off_t) done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return oc_error_sys(err, "seccomp: read the compiled filter");
		done += (size_t) n;
	}
	sc->n_insns = size / sizeof(struct sock_filter);
	return 0;
}

int oc_seccomp_prepare(const struct oc_spec_seccomp *s, struct oc_seccomp **out, oc_error_t *err)
{
	struct oc_seccomp *sc = NULL;
	uint32_t def;

	if (s == NULL) {
		*out = NULL;
		return 0;
	}
	if (s->default_action == NULL)
		return oc_json_error(s->json, err, "linux.seccomp.defaultAction: missing required field");
	if (action_value(s->default_action, s->has_default_errno_ret, s->default_errno_ret, s->json, "linux.seccomp",
			 true, &def, err) < 0)
		return -1;
	if (def == SCMP_ACT_NOTIFY)
		return oc_json_error(oc_json_at(s->json, "defaultAction"), err,
				     "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
	if (check_kernel_action(def, s->default_action, oc_json_at(s->json, "defaultAction"), err) < 0)
		return -1;

	sc = oc_xcalloc(1, sizeof *sc);
	sc->ctx = seccomp_init(def);
	if (sc->ctx == NULL) {
		oc_seccomp_free(sc);
		return oc_error_set(err, EINVAL, "seccomp: cannot create a filter with default action %s",
				    s->default_action);
	}
	/* The flags (log, spec_allow, ...) are given to seccomp(2) by
	 * oc_seccomp_load(), not through libseccomp attributes: libseccomp
	 * 2.5 has no WAIT_KILLABLE_RECV, and we never call seccomp_load(),
	 * which would also set no_new_privs behind the spec's back. */
	if (add_arches(sc->ctx, s, err) < 0 || add_rules(sc, s, def, err) < 0 || set_flags(sc, s, err) < 0 ||
	    compile(sc, err) < 0) {
		oc_seccomp_free(sc);
		return -1;
	}
	*out = sc;
	return 0;
}

int oc_seccomp_export_pfc(const struct oc_seccomp *sc, int fd, oc_error_t *err)
{
	int rc;

	if (sc == NULL)
		return 0;
	rc = seccomp_export_pfc(sc->ctx, fd);
	if (rc < 0)
		return oc_error_set(err, -rc, "seccomp: export the filter");
	return 0;
}

void oc_seccomp_features_gen(yajl_gen g)
{
	yajl_gen_map_open(g);
	oc_json_gen_kbool(g, "enabled", true);
	oc_json_gen_str(g, "actions");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < OC_ARRAY_SIZE(actions); i++)
		oc_json_gen_str(g, actions[i].name);
	yajl_gen_array_close(g);
	oc_json_gen_str(g, "operators");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < OC_ARRAY_SIZE(operators); i++)
		oc_json_gen_str(g, operators[i].name);
	yajl_gen_array_close(g);
	oc_json_gen_str(g, "archs");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < OC_ARRAY_SIZE(arches); i++)
		oc_json_gen_str(g, arches[i].name);
	yajl_gen_array_close(g);
	oc_json_gen_str(g, "knownFlags");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < OC_ARRAY_SIZE(known_flags); i++)
		oc_json_gen_str(g, known_flags[i].name);
	yajl_gen_array_close(g);
	oc_json_gen_str(g, "supportedFlags");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < OC_ARRAY_SIZE(known_flags); i++) {
		unsigned long f = known_flags[i].value;
		if (f == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
			f |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		if (f == 0 || kernel_has_flags(f) == 1)
			oc_json_gen_str(g, known_flags[i].name);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

#else /* !HAVE_SECCOMP */

int oc_seccomp_prepare(const struct oc_spec_seccomp *s, struct oc_seccomp **out, oc_error_t *err)
{
	if (s == NULL) {
		*out = NULL;
		return 0;
	}
	return oc_error_set(err, 0, "seccomp requested in config.json but ocichroot was built without libseccomp");
}

int oc_seccomp_export_pfc(const struct oc_seccomp *sc, int fd, oc_error_t *err)
{
	return 0;
}

void oc_seccomp_features_gen(yajl_gen g)
{
	yajl_gen_map_open(g);
	oc_json_gen_kbool(g, "enabled", false);
	yajl_gen_map_close(g);
}

#endif
