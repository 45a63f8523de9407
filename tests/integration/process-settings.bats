#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The process settings of issue 4, seen from inside the container:
# capabilities, no_new_privs, seccomp (errno, argument conditions, allow
# lists, kill), rlimits, oom_score_adj, umask, personality, scheduler, io
# priority, cpu affinity and the session keyring; and the bad values of
# each, refused with an error that names the item and leaves nothing.

load helpers

# ---- helpers of this file ---------------------------------------------------

# in_ctr SCRIPT [NAME] — run SCRIPT with sh in a new container (run_oc).
in_ctr() {
	set_args sh -c "$1"
	run_oc run --bundle "$BUNDLE" "$(ctr_id "${2:-c}")"
}

# field NAME — the value of "NAME:" in $output (a /proc/self/status line).
field() {
	awk -v k="$1:" '$1 == k { print $2; exit }' <<<"$output"
}

# assert_field NAME WANT — one /proc/self/status field of $output.
assert_field() {
	assert_eq "$(field "$1")" "$2" "$1"
}

# set_caps SET CAP... — replace one capability set of process.capabilities.
set_caps() {
	local set=$1 a
	shift
	a=$(printf '%s\n' "$@" | jq -R . | jq -cs 'map(select(. != ""))')
	update_config --arg s "$set" --argjson a "$a" '.process.capabilities[$s] = $a'
}

# Nothing of a refused container remains: no listed container, no state
# directory, no process carrying the test's tag.
assert_nothing_left() {
	[ -z "$(oc list -q)" ] || {
		echo "containers left: $(oc list -q)" >&2
		return 1
	}
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ] || {
		echo "state left: $(ls -A "$ROOT")" >&2
		return 1
	}
	[ -z "$(tagged_pids)" ] || {
		echo "processes left: $(tagged_pids)" >&2
		return 1
	}
}

# refused JSONPATH KEY TEXT... — create fails and the output holds every
# TEXT; on ocichroot the error is also exactly
# "ocichroot: BUNDLE/config.json:LINE:COL: JSONPATH" with LINE the first
# line of config.json holding KEY (jq writes one member a line), or N for
# a KEY "=N"; nothing is left behind.  An empty JSONPATH skips the position.
refused() {
	local path=$1 key=$2 id want_line re
	shift 2
	id=$(ctr_id)
	if [[ "$key" == =* ]]; then
		want_line=${key#=}
	else
		want_line=$(grep -nF -- "$key" "$BUNDLE/config.json" | head -1 | cut -d: -f1)
	fi
	run_oc create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "$@"
	if is_ocichroot && [ -n "$path" ]; then
		# ("[." would open a collating element: "]" first, "[" last)
		re="^ocichroot: $(sed 's/[].[]/\\&/g' <<<"$BUNDLE/config.json"):${want_line}:[0-9]+: $(sed 's/[].[]/\\&/g' <<<"$path")"
		grep -qE -- "$re" <<<"$output" || {
			echo "expected /$re/ in: $output" >&2
			return 1
		}
	fi
	assert_nothing_left
}

# A seccomp profile: default action $1, rules $2 (a JSON array).
set_seccomp() {
	update_config --arg d "$1" --argjson r "$2" '.linux.seccomp = {"defaultAction": $d, "syscalls": $r}'
}

# Stat field N (1-based, as proc(5) counts) of the process reading
# /proc/self/stat: a script line for in_ctr.  The comm field may hold
# spaces, hence the cut after ") ".
stat_field_cmd() {
	echo "sed 's/.*) //' /proc/self/stat | cut -d' ' -f$(($1 - 2))"
}

# CapEff of this shell has CAP_SYS_RESOURCE (bit 24)?
have_sys_resource() {
	local eff
	eff=$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status)
	[ $(((0x$eff >> 24) & 1)) -eq 1 ]
}

# The seccomp listener helper (tests/integration/seccomp-listener.c): meson
# passes SECCOMP_LISTENER, a direct bats run compiles it.
listener_bin() {
	if [ -n "${SECCOMP_LISTENER:-}" ] && [ -x "$SECCOMP_LISTENER" ]; then
		echo "$SECCOMP_LISTENER"
		return
	fi
	local b="$BATS_FILE_TMPDIR/seccomp-listener"
	if [ ! -x "$b" ]; then
		command -v cc >/dev/null || skip "needs a C compiler or SECCOMP_LISTENER"
		cc -O2 -Wall -o "$b" "$BATS_TEST_DIRNAME/seccomp-listener.c" || return 1
	fi
	echo "$b"
}

setup() {
	setup_common
}

teardown() {
	teardown_common
}

# ---- capabilities ------------------------------------------------------------

@test "caps: each set as listed, effective a subset of permitted, root keeps no more" {
	set_caps bounding CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_AUDIT_WRITE
	set_caps permitted CAP_CHOWN CAP_KILL
	set_caps effective CAP_KILL
	set_caps ambient
	in_ctr 'grep -E "^(Cap|NoNewPrivs)" /proc/self/status'
	assert_success
	# CAP_CHOWN 0, CAP_KILL 5, CAP_NET_BIND_SERVICE 10, CAP_AUDIT_WRITE 29
	assert_field CapBnd 0000000020000421
	assert_field CapPrm 0000000000000021
	# execve as uid 0 makes effective = permitted (the kernel's rule for
	# root without SECBIT_NOROOT): CAP_CHOWN is back in CapEff
	assert_field CapEff 0000000000000021
	assert_field CapInh 0000000000000000
	assert_field CapAmb 0000000000000000
	assert_field NoNewPrivs 1
}

@test "caps: ambient listed without inheritable is not raised (root or not)" {
	# the kernel wants an ambient capability in permitted and inheritable
	# too: the default spec lists ambient only, and runs without it
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	in_ctr 'grep -E "^Cap" /proc/self/status'
	assert_success
	assert_field CapAmb 0000000000000000
	assert_field CapInh 0000000000000000
	assert_field CapEff 0000000000000000
	assert_field CapPrm 0000000000000000
	assert_field CapBnd 0000000020000420
}

@test "caps: a non-root user keeps an ambient capability across exec (CapAmb, CapEff)" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_caps bounding CAP_KILL CAP_NET_BIND_SERVICE CAP_AUDIT_WRITE
	set_caps effective CAP_NET_BIND_SERVICE
	set_caps permitted CAP_NET_BIND_SERVICE CAP_KILL
	set_caps inheritable CAP_NET_BIND_SERVICE
	set_caps ambient CAP_NET_BIND_SERVICE
	# sh execs cat: what the program of the container passes on
	in_ctr 'id -u; grep -E "^Cap" /proc/self/status'
	assert_success
	assert_eq "${lines[0]}" 1000
	assert_field CapInh 0000000000000400
	assert_field CapAmb 0000000000000400
	# execve as non-root: permitted and effective are the ambient set,
	# CAP_KILL (permitted, not ambient) is gone
	assert_field CapPrm 0000000000000400
	assert_field CapEff 0000000000000400
	assert_field CapBnd 0000000020000420
}

@test "caps: the inheritable set when asked, ambient empty when not listed" {
	set_caps inheritable CAP_KILL
	set_caps ambient
	in_ctr 'grep -E "^Cap" /proc/self/status'
	assert_success
	assert_field CapInh 0000000000000020
	assert_field CapAmb 0000000000000000
}

@test "noNewPrivileges false: NoNewPrivs 0" {
	update_config '.process.noNewPrivileges = false'
	in_ctr 'grep ^NoNewPrivs: /proc/self/status'
	assert_success
	assert_field NoNewPrivs 0
}

# ---- seccomp ---------------------------------------------------------------------

@test "seccomp: one filter in force (Seccomp 2), errnoRet 42 reaches the program (ENOMSG)" {
	set_seccomp SCMP_ACT_ALLOW '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]'
	in_ctr 'grep -E "^Seccomp" /proc/self/status; mkdir /tmp/x 2>&1; [ -d /tmp/x ] && echo MADE; touch /tmp/f && echo TOUCHED'
	assert_success
	assert_field Seccomp 2
	# Seccomp_filters exists since Linux 5.9
	if grep -q ^Seccomp_filters: /proc/self/status; then
		assert_field Seccomp_filters 1
	fi
	assert_output_contains "No message of desired type" TOUCHED
	[[ "$output" != *MADE* ]]
}

@test "seccomp: no linux.seccomp, no filter (Seccomp 0)" {
	in_ctr 'grep -E "^Seccomp:" /proc/self/status'
	assert_success
	assert_field Seccomp 0
}

@test "seccomp: an argument condition (setpriority prio == 7) matches that call only" {
	# busybox renice -n N calls setpriority(PRIO_PROCESS, pid, old + N),
	# and old is 0
	set_seccomp SCMP_ACT_ALLOW '[{"names": ["setpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
		"args": [{"index": 2, "value": 7, "op": "SCMP_CMP_EQ"}]}]'
	in_ctr "renice -n 7 -p \$\$ 2>&1 && echo NICE7-OK; renice -n 3 -p \$\$ && echo NICE3-OK; $(stat_field_cmd 19)"
	assert_success
	assert_output_contains "setpriority: No message of desired type" NICE3-OK
	[[ "$output" != *NICE7-OK* ]]
	assert_eq "${lines[-1]}" 3 "nice value"
}

@test "seccomp: MASKED_EQ on an argument (umask with the 0700 bits set is refused)" {
	set_seccomp SCMP_ACT_ALLOW '[{"names": ["umask"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
		"args": [{"index": 0, "value": 448, "valueTwo": 448, "op": "SCMP_CMP_MASKED_EQ"}]}]'
	# umask(2) cannot fail, so the filter's errno shows as its return
	# value: a busybox umask that reads back gets "42"
	set_args sh -c 'umask 0027; umask; umask 0777; umask'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_eq "${lines[0]}" 0027
	[ "${lines[1]}" != 0777 ]
}

# The syscalls that busybox sh, cat and mkdir and the runtimes' last steps
# before execve make on x86_64 (unknown names are skipped by every runtime).
allow_list() {
	jq -cn '[ "accept4","access","arch_prctl","brk","capget","capset","chdir","clock_gettime",
		"clock_nanosleep","clone","clone3","close","close_range","dup","dup2","dup3",
		"epoll_create1","epoll_ctl","epoll_pwait","epoll_wait","execve","execveat","exit",
		"exit_group","faccessat","faccessat2","fchdir","fcntl","fstat","fstatfs","futex",
		"getcwd","getdents64","getegid","geteuid","getgid","getgroups","getpgid","getpgrp",
		"getpid","getppid","getrandom","getresgid","getresuid","getrlimit","getsid","gettid",
		"gettimeofday","getuid","ioctl","kill","lseek","lstat","madvise","mmap","mprotect",
		"mremap","munmap","nanosleep","newfstatat","open","openat","pipe","pipe2","poll",
		"ppoll","prctl","pread64","prlimit64","pselect6","read","readlink","readlinkat",
		"readv","rseq","rt_sigaction","rt_sigprocmask","rt_sigreturn","sched_getaffinity",
		"sched_yield","select","set_robust_list","set_tid_address","setgid","setgroups",
		"setpgid","setresgid","setresuid","setsid","setuid","sigaltstack","stat","statx",
		"sysinfo","tgkill","time","umask","uname","vfork","wait4","waitid","write","writev" ]'
}

@test "seccomp: defaultAction ERRNO with an allow-list, defaultErrnoRet 42 for the rest" {
	update_config --argjson a "$(allow_list)" '.linux.seccomp = {
		"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 42,
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		"syscalls": [ { "names": $a, "action": "SCMP_ACT_ALLOW" } ] }'
	in_ctr 'echo STARTED; mkdir /tmp/x 2>&1; [ -d /tmp/x ] && echo MADE; cat /proc/self/status | grep ^Seccomp:'
	assert_success
	assert_output_contains STARTED "No message of desired type"
	assert_field Seccomp 2
	[[ "$output" != *MADE* ]]
}

@test "seccomp: defaultAction ERRNO without defaultErrnoRet is EPERM" {
	update_config --argjson a "$(allow_list)" '.linux.seccomp = {
		"defaultAction": "SCMP_ACT_ERRNO",
		"syscalls": [ { "names": $a, "action": "SCMP_ACT_ALLOW" } ] }'
	in_ctr 'mkdir /tmp/x 2>&1; [ -d /tmp/x ] && echo MADE; echo DONE'
	assert_success
	assert_output_contains "Operation not permitted" DONE
	[[ "$output" != *MADE* ]]
}

@test "seccomp: SCMP_ACT_KILL_PROCESS ends the process by SIGSYS (status 159)" {
	set_seccomp SCMP_ACT_ALLOW '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]'
	in_ctr 'mkdir /tmp/x; echo "rc=$?"'
	assert_success
	assert_output_contains "rc=159"
	# the container's own process killed: the runtime reports 128 + 31
	set_args mkdir /tmp/y
	run_oc run --bundle "$BUNDLE" "$(ctr_id direct)"
	assert_eq "$status" 159 "exit status of run"
	assert_nothing_left
}

@test "seccomp: the filter is loaded with noNewPrivileges false too (root, before the caps drop)" {
	update_config '.process.noNewPrivileges = false'
	set_seccomp SCMP_ACT_ALLOW '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]'
	in_ctr 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; mkdir /tmp/x 2>&1; true'
	assert_success
	assert_field Seccomp 2
	assert_field NoNewPrivs 0
	assert_output_contains "No message of desired type"
}

@test "seccomp: SCMP_ACT_NOTIFY hands fd and state to listenerPath; the listener answers mkdir" {
	local id l sock
	id=$(ctr_id)
	l=$(listener_bin)
	sock="$TESTDIR/listener.sock"
	bg "$l" "$sock" "$TESTDIR/listener.state" "$TESTDIR/listener.log"
	wait_for_file "$sock"
	update_config --arg s "$sock" '.linux.seccomp = {
		"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $s, "listenerMetadata": "oc-test-meta",
		"syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY" } ] }'
	# the listener fakes success: mkdir says yes, no directory appears
	in_ctr 'mkdir /tmp/n && echo MKDIR-OK; [ -d /tmp/n ] || echo NOT-MADE; touch /tmp/f && echo TOUCHED'
	assert_success
	assert_output_contains MKDIR-OK NOT-MADE TOUCHED
	wait_for_file "$TESTDIR/listener.log"
	grep -Eq "^nr=(83|258)$" "$TESTDIR/listener.log"
	# the process state of the runtime-spec: fds, pid, metadata, state
	jq -e --arg id "$id" '.fds == ["seccompFd"] and (.pid > 0)
		and .metadata == "oc-test-meta" and .state.id == $id
		and (.state.bundle | length > 0)' "$TESTDIR/listener.state"
}

# ---- rlimits, oom_score_adj, umask ------------------------------------------------

@test "rlimits: several limits, soft and hard, unlimited, in /proc/self/limits" {
	# jq 1.6 rounds 2^64-1 to a double: the text goes in with sed
	update_config '.process.rlimits = [
		{ "type": "RLIMIT_NOFILE", "hard": 200, "soft": 100 },
		{ "type": "RLIMIT_NPROC", "hard": 600, "soft": 500 },
		{ "type": "RLIMIT_CORE", "hard": "UNLIMITED", "soft": 0 },
		{ "type": "RLIMIT_MSGQUEUE", "hard": 4096, "soft": 2048 } ]'
	set_args sh -c 'echo "n=$(ulimit -n) Hn=$(ulimit -Hn) u=$(ulimit -u) Hu=$(ulimit -Hu)"; cat /proc/self/limits'
	sed -i 's/"UNLIMITED"/18446744073709551615/' "$BUNDLE/config.json"
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_output_contains "n=100 Hn=200 u=500 Hu=600"
	grep -Eq '^Max open files +100 +200 +files' <<<"$output"
	grep -Eq '^Max processes +500 +600 +processes' <<<"$output"
	grep -Eq '^Max core file size +0 +unlimited +bytes' <<<"$output"
	grep -Eq '^Max msgqueue size +2048 +4096 +bytes' <<<"$output"
}

@test "rlimits: a NOFILE hard limit above the runtime's own: refused without CAP_SYS_RESOURCE, naming the limit" {
	local cur want
	cur=$(ulimit -Hn)
	[ "$cur" != unlimited ] || skip "no hard RLIMIT_NOFILE here"
	want=$((cur + 1000))
	[ "$want" -le "$(cat /proc/sys/fs/nr_open)" ] || skip "hard RLIMIT_NOFILE already at fs.nr_open"
	update_config --argjson h "$want" '.process.rlimits = [{ "type": "RLIMIT_NOFILE", "hard": $h, "soft": 1024 }]'
	set_args sh -c 'ulimit -Hn'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	if have_sys_resource; then
		assert_success
		assert_eq "$output" "$want"
	else
		assert_failure
		# runc 1.1 names the limit by number ("type 7")
		if is_ocichroot; then
			assert_output_contains RLIMIT_NOFILE "$want"
		else
			grep -qi "operation not permitted" <<<"$output"
		fi
	fi
	assert_nothing_left
}

@test "rlimits: a NOFILE hard limit above fs.nr_open is refused at create, naming the limit" {
	local max
	max=$(cat /proc/sys/fs/nr_open)
	update_config --argjson h "$((max + 1))" '.process.rlimits = [{ "type": "RLIMIT_NOFILE", "hard": $h, "soft": 1024 }]'
	if is_ocichroot; then
		refused "process.rlimits[0]" '"hard"' RLIMIT_NOFILE "$((max + 1))" fs.nr_open
	else
		refused "" '"hard"' ""
	fi
}

@test "oomScoreAdj: the value in /proc/self/oom_score_adj, for run and exec" {
	local id
	id=$(ctr_id)
	update_config '.process.oomScoreAdj = 345'
	in_ctr 'cat /proc/self/oom_score_adj'
	assert_success
	assert_eq "$output" 345
	set_args sleep 100
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	run_oc exec "$id" cat /proc/self/oom_score_adj
	assert_success
	assert_eq "$output" 345
	run_oc delete --force "$id"
	assert_success
}

@test "umask: process.user.umask applies (files 0600), the default is 0022" {
	update_config '.process.user.umask = 63'
	in_ctr 'umask; touch /tmp/f; mkdir /tmp/d; stat -c "%a %n" /tmp/f /tmp/d'
	assert_success
	assert_output_contains "0077" "600 /tmp/f" "700 /tmp/d"
	update_config 'del(.process.user.umask)'
	in_ctr 'umask; touch /tmp/f; stat -c "%a" /tmp/f' default
	assert_success
	assert_eq "$output" "$(printf '0022\n644')"
}

# ---- personality, scheduler, io priority, affinity --------------------------------

@test "personality LINUX32: uname -m says i686 on x86_64, LINUX leaves x86_64" {
	is_ocichroot || skip "runc 1.1 has no linux.personality"
	[ "$(uname -m)" = x86_64 ] || skip "needs an x86_64 host"
	update_config '.linux.personality = {"domain": "LINUX32"}'
	in_ctr 'uname -m; grep -o "^[0-9a-f]*" /proc/self/personality 2>/dev/null || true'
	assert_success
	assert_eq "${lines[0]}" i686
	update_config '.linux.personality = {"domain": "LINUX"}'
	in_ctr 'uname -m' linux
	assert_success
	assert_eq "$output" x86_64
}

@test "scheduler SCHED_BATCH with nice 5: policy 3 and nice 5 in /proc/self/stat" {
	is_ocichroot || skip "runc 1.1 has no process.scheduler"
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 5}'
	in_ctr "echo policy=\$($(stat_field_cmd 41)) nice=\$($(stat_field_cmd 19))"
	assert_success
	assert_eq "$output" "policy=3 nice=5"
}

@test "scheduler SCHED_IDLE: policy 5" {
	is_ocichroot || skip "runc 1.1 has no process.scheduler"
	update_config '.process.scheduler = {"policy": "SCHED_IDLE"}'
	in_ctr "echo policy=\$($(stat_field_cmd 41))"
	assert_success
	assert_eq "$output" "policy=5"
}

@test "ioPriority: best-effort 6 and idle, as ionice reads them" {
	is_ocichroot || skip "runc 1.1 has no process.ioPriority"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	in_ctr 'ionice -p $$'
	assert_success
	assert_eq "$output" "best-effort: prio 6"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	in_ctr 'ionice -p $$' idle
	assert_success
	# busybox prints no level for the idle class
	assert_eq "$output" idle
}

@test "execCPUAffinity: final 1 in Cpus_allowed_list; initial only stays" {
	is_ocichroot || skip "runc 1.1 has no process.execCPUAffinity"
	[ "$(nproc)" -ge 2 ] || skip "needs 2 cpus"
	update_config '.process.execCPUAffinity = {"initial": "0", "final": "1"}'
	in_ctr 'grep ^Cpus_allowed_list: /proc/self/status'
	assert_success
	assert_field Cpus_allowed_list 1
	update_config '.process.execCPUAffinity = {"initial": "0"}'
	in_ctr 'grep ^Cpus_allowed_list: /proc/self/status' initial
	assert_success
	assert_field Cpus_allowed_list 0
}

# ---- session keyring --------------------------------------------------------------

@test "keyring: a new session keyring _ses.<id>; none with --no-new-keyring" {
	local id
	id=$(ctr_id)
	[ -r /proc/keys ] || skip "no /proc/keys"
	update_config '.linux.maskedPaths -= ["/proc/keys"]'
	set_args sh -c 'cat /proc/keys'
	run_oc run --bundle "$BUNDLE" "$id"
	assert_success
	[[ "$output" == *" keyring "*" _ses.$id: "* ]]
	run_oc run --no-new-keyring --bundle "$BUNDLE" "$(ctr_id nokr)"
	assert_success
	# (the first container's keyring lingers until the kernel's gc)
	[[ "$output" != *"_ses.$(ctr_id nokr)"* ]]
}

# ---- bad inputs -------------------------------------------------------------------

@test "bad: an unknown capability name in the ambient set" {
	is_ocichroot || skip "runc 1.1 ignores unknown capabilities"
	update_config '.process.capabilities.ambient = ["CAP_KILL", "CAP_NOPE"]'
	refused 'process.capabilities.ambient[1]' '"CAP_NOPE"' CAP_NOPE "unknown capability"
}

@test "bad: a capability name without CAP_ (lower case) is refused" {
	is_ocichroot || skip "runc 1.1 ignores unknown capabilities"
	update_config '.process.capabilities.effective += ["kill"]'
	refused 'process.capabilities.effective[3]' '"kill"' '"kill"' "unknown capability"
}

@test "bad: rlimit soft above hard" {
	update_config '.process.rlimits = [{ "type": "RLIMIT_NOFILE", "hard": 100, "soft": 200 }]'
	if is_ocichroot; then
		refused 'process.rlimits[0]' '"soft"' "soft limit 200 is greater than hard limit 100"
	else
		refused '' '"soft"' ""
	fi
}

@test "bad: an unknown rlimit type" {
	update_config '.process.rlimits = [{ "type": "RLIMIT_NOPE", "hard": 1, "soft": 1 }]'
	refused 'process.rlimits[0].type' '"RLIMIT_NOPE"' RLIMIT_NOPE
}

@test "bad: the same rlimit twice" {
	update_config '.process.rlimits = [{ "type": "RLIMIT_NOFILE", "hard": 10, "soft": 10 },
		{ "type": "RLIMIT_NOFILE", "hard": 20, "soft": 20 }]'
	if is_ocichroot; then
		# the second "type" is the line before its "hard"
		refused 'process.rlimits[1].type' "=$(($(grep -n '"hard": 20' "$BUNDLE/config.json" | cut -d: -f1) - 1))" \
			"duplicate rlimit" RLIMIT_NOFILE
	else
		# runc 1.1 sets both in turn: the second raises the hard limit
		refused '' '"hard": 20' ""
	fi
}

@test "bad: oomScoreAdj 1001 and -1001" {
	update_config '.process.oomScoreAdj = 1001'
	if is_ocichroot; then
		refused 'process.oomScoreAdj' '"oomScoreAdj"' "1001 is out of range (-1000..1000)"
	else
		refused '' '"oomScoreAdj"' ""
	fi
	update_config '.process.oomScoreAdj = -1001'
	if is_ocichroot; then
		refused 'process.oomScoreAdj' '"oomScoreAdj"' "-1001 is out of range"
	else
		refused '' '"oomScoreAdj"' ""
	fi
}

@test "bad: an unknown seccomp action (default and rule)" {
	set_seccomp SCMP_ACT_NOPE '[]'
	refused 'linux.seccomp.defaultAction' '"defaultAction"' SCMP_ACT_NOPE
	set_seccomp SCMP_ACT_ALLOW '[{"names": ["mkdir"], "action": "SCMP_ACT_MAYBE"}]'
	refused 'linux.seccomp.syscalls[0].action' '"SCMP_ACT_MAYBE"' SCMP_ACT_MAYBE
}

@test "bad: an unknown seccomp architecture" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"]}'
	refused 'linux.seccomp.architectures[1]' '"SCMP_ARCH_Z80"' SCMP_ARCH_Z80
}

@test "bad: an unknown seccomp operator, an argument index of 6" {
	set_seccomp SCMP_ACT_ALLOW '[{"names": ["setpriority"], "action": "SCMP_ACT_ERRNO",
		"args": [{"index": 2, "value": 7, "op": "SCMP_CMP_ALMOST"}]}]'
	refused 'linux.seccomp.syscalls[0].args[0].op' '"SCMP_CMP_ALMOST"' SCMP_CMP_ALMOST
	set_seccomp SCMP_ACT_ALLOW '[{"names": ["setpriority"], "action": "SCMP_ACT_ERRNO",
		"args": [{"index": 6, "value": 7, "op": "SCMP_CMP_EQ"}]}]'
	if is_ocichroot; then
		refused 'linux.seccomp.syscalls[0].args[0].index' '"index"' "6 is out of range (0..5)"
	else
		refused '' '"index"' ""
	fi
}

@test "bad: errnoRet and defaultErrnoRet above 65535" {
	set_seccomp SCMP_ACT_ALLOW '[{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 70000}]'
	if is_ocichroot; then
		refused 'linux.seccomp.syscalls[0].errnoRet' '"errnoRet"' "70000 is out of range (0..65535)"
	else
		# runc 1.1 refuses it too, with an odd libseccomp message
		refused '' '"errnoRet"' ""
	fi
	is_ocichroot || return 0
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 65536}'
	refused 'linux.seccomp.defaultErrnoRet' '"defaultErrnoRet"' "65536 is out of range (0..65535)"
}

@test "bad: SCMP_ACT_NOTIFY without listenerPath, and as the default action" {
	set_seccomp SCMP_ACT_ALLOW '[{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]'
	if is_ocichroot; then
		refused 'linux.seccomp.listenerPath' '"seccomp"' "listenerPath: required by SCMP_ACT_NOTIFY"
	else
		refused '' '"seccomp"' listenerPath
	fi
	set_seccomp SCMP_ACT_NOTIFY '[]'
	if is_ocichroot; then
		refused 'linux.seccomp.defaultAction' '"defaultAction"' "cannot be the default action"
	else
		refused '' '"defaultAction"' ""
	fi
}

@test "bad: personality domain LINUX64" {
	is_ocichroot || skip "runc 1.1 has no linux.personality"
	update_config '.linux.personality = {"domain": "LINUX64"}'
	refused 'linux.personality.domain' '"LINUX64"' LINUX64
}

@test "bad: an unknown scheduler policy, nice 20" {
	is_ocichroot || skip "runc 1.1 has no process.scheduler"
	update_config '.process.scheduler = {"policy": "SCHED_FAST"}'
	refused 'process.scheduler.policy' '"SCHED_FAST"' '"SCHED_FAST"' "unknown policy"
	update_config '.process.scheduler = {"policy": "SCHED_OTHER", "nice": 20}'
	refused 'process.scheduler.nice' '"nice"' "20 is out of range (-20..19)"
}

@test "bad: ioPriority unknown class, priority 8" {
	is_ocichroot || skip "runc 1.1 has no process.ioPriority"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_FAST", "priority": 0}'
	refused 'process.ioPriority.class' '"IOPRIO_CLASS_FAST"' IOPRIO_CLASS_FAST "unknown class"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 8}'
	refused 'process.ioPriority.priority' '"priority"' "8 is out of range (0..7)"
}

@test "bad: execCPUAffinity \"3-1\" and \"x\"" {
	is_ocichroot || skip "runc 1.1 has no process.execCPUAffinity"
	update_config '.process.execCPUAffinity = {"final": "3-1"}'
	refused 'process.execCPUAffinity.final' '"3-1"' '"3-1"' "invalid cpu list"
	update_config '.process.execCPUAffinity = {"initial": "x"}'
	refused 'process.execCPUAffinity.initial' '"x"' '"x"' "invalid cpu list"
}

@test "bad: apparmorProfile without AppArmor on the host; empty and unconfined run" {
	if [ -r /sys/module/apparmor/parameters/enabled ] &&
		[ "$(cat /sys/module/apparmor/parameters/enabled)" = Y ]; then
		skip "AppArmor is enabled here"
	fi
	update_config '.process.apparmorProfile = "oc-test-profile"'
	# runc 1.1 fails in init on the write to /proc/self/attr/exec,
	# without the profile's name
	if is_ocichroot; then
		refused 'process.apparmorProfile' '"apparmorProfile"' oc-test-profile apparmor
	else
		refused '' '"apparmorProfile"' apparmor
	fi
	# runc 1.1 writes "unconfined" into a missing AppArmor and fails
	for p in "" $(is_ocichroot && echo unconfined); do
		update_config --arg p "$p" '.process.apparmorProfile = $p'
		in_ctr 'echo RAN' "aa${p:-empty}"
		assert_success
		assert_eq "$output" RAN
	done
}

@test "bad: selinuxLabel without SELinux on the host" {
	if [ -e /sys/fs/selinux/enforce ]; then
		skip "SELinux is enabled here"
	fi
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
	refused 'process.selinuxLabel' '"selinuxLabel"' selinux
}

@test "bad: exec --process with bad settings fails, names the item, the container runs on" {
	local id
	id=$(ctr_id)
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	jq '.process | .args = ["true"] | .rlimits = [{"type": "RLIMIT_NOPE", "hard": 1, "soft": 1}]' \
		"$BUNDLE/config.json" >"$TESTDIR/p1.json"
	run_oc exec --process "$TESTDIR/p1.json" "$id"
	assert_failure
	assert_output_contains RLIMIT_NOPE
	# (runc 1.1 ignores oomScoreAdj, ioPriority of exec)
	if is_ocichroot; then
		jq '.process | .args = ["true"] | .oomScoreAdj = 1001' "$BUNDLE/config.json" >"$TESTDIR/p2.json"
		run_oc exec --process "$TESTDIR/p2.json" "$id"
		assert_failure
		assert_output_contains "p2.json:" "oomScoreAdj: 1001 is out of range"
		jq '.process | .args = ["true"] | .ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 8}' \
			"$BUNDLE/config.json" >"$TESTDIR/p3.json"
		run_oc exec --process "$TESTDIR/p3.json" "$id"
		assert_failure
		assert_output_contains "p3.json:" "ioPriority.priority: 8 is out of range (0..7)"
	fi
	# only the container's own process is left
	assert_eq "$(tagged_pids | wc -l)" 1 "processes of the test"
	assert_eq "$(state_field "$id" .status)" running
	run_oc delete --force "$id"
	assert_success
}
