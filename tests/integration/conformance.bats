#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# What the OCI runtime-tools validation suite checks (issue 6, see
# docs/conformance.md), re-tested with our own busybox bundles: hook order
# and the state on each hook's stdin, failing hooks, signals, rlimits,
# names, seccomp, rootfs propagation, the mount label, unknown config
# values, cgroup v1 memory and device rules.  Where the suite itself is
# wrong, the test checks what runtime-spec says; where runc 1.1 differs,
# the test says so and skips on runc.

load helpers

# ---- helpers of this file ---------------------------------------------------

# Is the runtime under test runc (the tests skip where runc 1.1 is known to
# differ from runtime-spec)?
conf_is_runc() {
	"$OCICHROOT" --version 2>/dev/null | head -n1 | grep -q '^runc '
}

# in_ctr SCRIPT [NAME] — run SCRIPT with sh in a new container (run_oc).
in_ctr() {
	set_args sh -c "$1"
	run_oc run --bundle "$BUNDLE" "$(ctr_id "${2:-c}")"
}

# add_caps CAP... — into bounding, effective and permitted.
add_caps() {
	local c
	for c in "$@"; do
		update_config --arg c "$c" '.process.capabilities.bounding += [$c]
			| .process.capabilities.effective += [$c]
			| .process.capabilities.permitted += [$c]'
	done
}

# add_hook KIND PATH ARG... — append one hook of KIND (prestart, poststop...).
add_hook() {
	local kind=$1 path=$2 a='[]' x
	shift 2
	for x in "$@"; do
		a=$(jq -c --arg x "$x" '. + [$x]' <<<"$a")
	done
	update_config --arg k "$kind" --arg p "$path" --argjson a "$a" \
		'.hooks[$k] += [{ "path": $p, "args": $a }]'
}

# A log directory shared by the host-side hooks ($LOG) and, bound at /log,
# by the container and its in-container hooks.  hook.sh NAME DIR saves its
# stdin as DIR/NAME.json and appends NAME to DIR/order.
setup_hook_log() {
	LOG="$TESTDIR/log"
	mkdir -p "$LOG"
	chmod 777 "$LOG"
	cat >"$TESTDIR/hook.sh" <<-'EOF'
		#!/bin/sh
		cat >"$2/$1.json"
		echo "$1" >>"$2/order"
	EOF
	chmod 755 "$TESTDIR/hook.sh"
	cp "$TESTDIR/hook.sh" "$BUNDLE/rootfs/hook.sh"
	update_config --arg s "$LOG" \
		'.mounts += [{ "destination": "/log", "type": "bind", "source": $s, "options": ["rbind", "rw"] }]'
}

# Host-side hook (prestart, createRuntime, createContainer, poststart,
# poststop): the path is resolved in the runtime's namespace.
add_log_hook() {
	add_hook "$1" /bin/sh sh "$TESTDIR/hook.sh" "$2" "$LOG"
}

order() {
	tr '\n' ' ' <"$LOG/order" | sed 's/ $//'
}

# hook_field NAME FILTER — a field of the state a hook read on its stdin.
hook_field() {
	jq -r "$2" "$LOG/$1.json"
}

# v1_controller NAME — skip unless a cgroup v1 hierarchy of NAME is mounted
# at /sys/fs/cgroup/NAME (a v1 or hybrid host).
v1_controller() {
	grep -q " /sys/fs/cgroup/$1 .* - cgroup " /proc/self/mountinfo ||
		skip "no cgroup v1 $1 hierarchy on this host"
}

setup() {
	setup_common
}

teardown() {
	teardown_common
}

# ---- hooks -------------------------------------------------------------------

@test "hooks: every kind runs in the listed order at its step of the lifecycle" {
	conf_is_runc && skip "runc 1.1 runs poststart hooks in create"
	local id
	id=$(ctr_id)
	setup_hook_log
	add_log_hook prestart prestart1
	add_log_hook prestart prestart2
	add_log_hook createRuntime createRuntime
	add_log_hook createContainer createContainer
	# startContainer runs in the container, after the root switch
	add_hook startContainer /bin/sh sh /hook.sh startContainer /log
	add_log_hook poststart poststart1
	add_log_hook poststart poststart2
	add_log_hook poststop poststop1
	add_log_hook poststop poststop2

	run_oc create --bundle "$BUNDLE" "$id"
	assert_success
	assert_eq "$(order)" "prestart1 prestart2 createRuntime createContainer" "after create"

	run_oc start "$id"
	assert_success
	# poststart hooks run before `start` returns
	assert_eq "$(order)" "prestart1 prestart2 createRuntime createContainer startContainer poststart1 poststart2" \
		"after start"

	run_oc kill "$id" KILL
	assert_success
	wait_for_status "$id" stopped
	run_oc delete "$id"
	assert_success
	assert_eq "$(order)" \
		"prestart1 prestart2 createRuntime createContainer startContainer poststart1 poststart2 poststop1 poststop2" \
		"after delete"
}

@test "hooks: the container's state on stdin (id, pid, bundle, annotations, status)" {
	local id pid
	id=$(ctr_id)
	setup_hook_log
	update_config '.annotations = { "org.example.conformance": "hook stdin" }'
	add_log_hook prestart prestart
	add_log_hook createRuntime createRuntime
	add_log_hook poststart poststart
	add_log_hook poststop poststop

	run_oc create --bundle "$BUNDLE" "$id"
	assert_success
	pid=$(state_field "$id" .pid)
	run_oc start "$id"
	assert_success
	run_oc kill "$id" KILL
	wait_for_status "$id" stopped
	run_oc delete "$id"
	assert_success

	local h
	for h in prestart createRuntime poststart poststop; do
		assert_eq "$(hook_field $h .id)" "$id" "$h id"
		assert_eq "$(hook_field $h .bundle)" "$BUNDLE" "$h bundle"
		assert_eq "$(hook_field $h '.annotations["org.example.conformance"]')" "hook stdin" "$h annotations"
		[ -n "$(hook_field $h .ociVersion)" ]
	done
	for h in prestart createRuntime poststart; do
		assert_eq "$(hook_field $h .pid)" "$pid" "$h pid"
	done
	# runtime-spec: "created" once the environment exists (after lifecycle
	# step 2), which is when prestart and createRuntime run.  runc 1.1
	# says "creating" there.
	for h in prestart createRuntime; do
		if is_ocichroot; then
			assert_eq "$(hook_field $h .status)" created "$h status"
		else
			[[ "$(hook_field $h .status)" == creat* ]]
		fi
	done
	if ! conf_is_runc; then
		# runc 1.1 runs poststart hooks inside `create`: "created"
		assert_eq "$(hook_field poststart .status)" running "poststart status"
	fi
	assert_eq "$(hook_field poststop .status)" stopped "poststop status"
}

@test "hooks that exit without reading their stdin never kill create (SIGPIPE)" {
	local i id big
	# State bigger than a pipe's buffer: the write to the hook's stdin
	# cannot complete before the hook exits, so it always meets EPIPE.
	big=$(head -c 100000 /dev/zero | tr '\0' x)
	update_config --arg v "$big" '.annotations["org.example.big"] = $v'
	add_hook prestart /bin/true true
	add_hook prestart /bin/true true
	add_hook createRuntime /bin/true true
	for i in 1 2 3; do
		id=$(ctr_id "p$i")
		run_oc create --bundle "$BUNDLE" "$id"
		# 141: killed by SIGPIPE, the container left behind as "created"
		assert_success
		assert_eq "$(state_field "$id" .status)" created "create #$i"
		run_oc delete --force "$id"
		assert_success
	done
}

@test "a failing prestart hook fails create, never runs the process, and leaves nothing" {
	local id
	id=$(ctr_id)
	setup_hook_log
	add_hook prestart /bin/false false
	add_log_hook prestart prestart2
	set_args sh -c 'echo ran >/log/process'
	run_oc create --bundle "$BUNDLE" "$id"
	assert_failure
	[ ! -e "$LOG/process" ]
	# the hooks after the failing one do not run
	[ ! -e "$LOG/order" ]
	run_oc state "$id"
	assert_failure
	[ -z "$(oc list -q)" ]
}

@test "a failing poststart hook is a warning: start succeeds and the next hooks run" {
	conf_is_runc && skip "runc 1.1 runs poststart hooks in create and fails it"
	local id
	id=$(ctr_id)
	setup_hook_log
	add_hook poststart /bin/false false
	add_log_hook poststart poststart2
	run_oc create --bundle "$BUNDLE" "$id"
	assert_success
	run_oc start "$id"
	assert_success
	assert_eq "$(order)" poststart2
	assert_eq "$(state_field "$id" .status)" running
}

@test "a failing poststop hook is a warning: delete succeeds and the next hooks run" {
	conf_is_runc && skip "runc 1.1 stops at the failing poststop hook"
	local id
	id=$(ctr_id)
	setup_hook_log
	add_hook poststop /bin/false false
	add_log_hook poststop poststop2
	set_args true
	run_oc run --bundle "$BUNDLE" "$id"
	assert_success
	assert_eq "$(order)" poststop2
	run_oc state "$id"
	assert_failure
}

# ---- signals -------------------------------------------------------------------

@test "kill delivers the named signal to the container's process" {
	local id
	id=$(ctr_id)
	setup_hook_log
	set_args sh -c 'trap "echo USR1 >/log/sig; exit 0" USR1; echo up >/log/up; while :; do sleep 0.1; done'
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	wait_for_file "$LOG/up"
	run_oc kill "$id" USR1
	assert_success
	wait_for_file "$LOG/sig"
	assert_eq "$(cat "$LOG/sig")" USR1
	wait_for_status "$id" stopped
}

# ---- process -------------------------------------------------------------------

@test "rlimits: soft and hard limits are set apart" {
	# (the suite's runtimetest cannot see this: a Go >= 1.19 program raises
	# its own soft NOFILE limit to the hard one)
	update_config '.process.rlimits = [
		{ "type": "RLIMIT_NOFILE", "hard": 4000, "soft": 3000 },
		{ "type": "RLIMIT_CPU", "hard": 120, "soft": 60 } ]'
	in_ctr 'echo "nofile $(ulimit -n) $(ulimit -Hn) cpu $(ulimit -t) $(ulimit -Ht)"'
	assert_success
	assert_output_contains "nofile 3000 4000 cpu 60 120"
}

@test "an unknown rlimit type is refused by create and leaves nothing" {
	local id
	id=$(ctr_id)
	update_config '.process.rlimits += [{ "type": "RLIMIT_TEST", "hard": 1024, "soft": 1024 }]'
	run_oc create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains RLIMIT_TEST
	[ -z "$(oc list -q)" ]
}

@test "an unknown capability is refused by create and leaves nothing" {
	is_ocichroot || skip "runc 1.1 ignores unknown capabilities"
	local id
	id=$(ctr_id)
	update_config '.process.capabilities.bounding += ["CAP_TEST"]'
	run_oc create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains CAP_TEST
	[ -z "$(oc list -q)" ]
}

@test "hostname and domainname of the container's UTS namespace" {
	update_config '.hostname = "mrsdalloway" | .domainname = "example.org"'
	in_ctr 'echo "h=$(hostname) d=$(cat /proc/sys/kernel/domainname)"'
	assert_success
	assert_output_contains "h=mrsdalloway"
	# runc 1.1 does not know linux.domainname
	conf_is_runc || assert_output_contains "d=example.org"
	[ "$(hostname)" != mrsdalloway ]
}

# ---- config.json ---------------------------------------------------------------

@test "unknown properties and unknown annotation keys are accepted" {
	update_config --arg k "org.example.$RANDOM" '.unknown = "value"
		| .process.unknownToo = 1
		| .annotations[$k] = ""'
	in_ctr 'echo OK'
	assert_success
	assert_output_contains OK
}

@test "an invalid ociVersion is refused" {
	# (the suite's misc_props believes runc refuses it: its bundle lacks
	# the program it names, which fails every runtime)
	conf_is_runc && skip "runc 1.1 does not check ociVersion"
	local id
	id=$(ctr_id)
	update_config '.ociVersion = "invalid"'
	run_oc create --bundle "$BUNDLE" "$id"
	assert_failure
	[ -z "$(oc list -q)" ]
}

# ---- seccomp -------------------------------------------------------------------

@test "seccomp: a syscall given SCMP_ACT_ERRNO fails with EPERM, the rest work" {
	update_config '.linux.seccomp = {
		"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ] }'
	in_ctr 'mkdir /tmp/x 2>&1; [ -d /tmp/x ] && echo MADE; touch /tmp/f && echo TOUCHED'
	assert_success
	assert_output_contains "Operation not permitted" TOUCHED
	[[ "$output" != *MADE* ]]
}

@test "seccomp: the runtime needs no denied syscall after loading the filter (getcwd)" {
	conf_is_runc && skip "runc 1.1 calls getcwd after loading the filter"
	update_config '.linux.seccomp = {
		"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [ { "names": ["getcwd"], "action": "SCMP_ACT_ERRNO" } ] }'
	in_ctr 'echo STARTED'
	assert_success
	assert_output_contains STARTED
}

# ---- filesystem ----------------------------------------------------------------

# prop_probe — inside: bind / elsewhere, mount a tmpfs on /mnt, and say
# whether the bind copy shows it.  Needs CAP_SYS_ADMIN.
prop_probe() {
	mkdir -p "$BUNDLE/rootfs/mnt" "$BUNDLE/rootfs/target"
	add_caps CAP_SYS_ADMIN
	in_ctr 'if ! mount --bind / /target 2>/tmp/err; then echo "BIND-FAILED: $(cat /tmp/err)"; exit 0; fi
		mount -t tmpfs none /mnt && touch /mnt/file
		if [ -e /target/mnt/file ]; then echo EXPOSED; else echo NOT-EXPOSED; fi' "$1"
}

@test "rootfsPropagation shared: a later mount shows in a bind of /, with pivot_root" {
	conf_is_runc && skip "runc 1.1 does not share the container's /"
	update_config '.linux.rootfsPropagation = "shared"'
	prop_probe shared
	assert_success
	[[ "$output" != *chroot* ]]
	assert_output_contains EXPOSED
	[[ "$output" != *NOT-EXPOSED* ]]
}

@test "rootfsPropagation private and slave: a later mount does not show in a bind of /" {
	local p
	for p in private slave; do
		update_config --arg p "$p" '.linux.rootfsPropagation = $p'
		prop_probe "$p"
		assert_success
		assert_output_contains NOT-EXPOSED
	done
}

@test "rootfsPropagation unbindable: create succeeds and / cannot be bound" {
	conf_is_runc && skip "runc 1.1 cannot bind an unbindable rootfs (EINVAL at create)"
	update_config '.linux.rootfsPropagation = "unbindable"'
	prop_probe unbindable
	assert_success
	assert_output_contains "BIND-FAILED"
	assert_output_contains "Invalid argument"
}

@test "linux.mountLabel: MCS categories with a comma are accepted; without SELinux the label is dropped" {
	local enabled=no
	[ -e /sys/fs/selinux/enforce ] && enabled=yes
	[ "$enabled" = yes ] || ! conf_is_runc || skip "runc 1.1 passes context= to mount without SELinux"
	update_config '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c715,c811"'
	in_ctr 'grep -E " /(dev|tmp|dev/shm) " /proc/self/mountinfo'
	assert_success
	if [ "$enabled" = yes ]; then
		assert_output_contains "c715,c811"
	else
		[[ "$output" != *context=* ]]
	fi
}

@test "linux.mountLabel with a double quote is refused (it would end the context= option)" {
	is_ocichroot || skip "ocichroot's own check"
	local id
	id=$(ctr_id)
	update_config '.linux.mountLabel = "system_u:object_r:x_t:s0\",nosuid"'
	run_oc create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "invalid selinux label"
	[ -z "$(oc list -q)" ]
}

@test "no mount namespace in config.json: ocichroot still gives the container its own" {
	# runtime-spec wants the runtime's mount namespace inherited; runc does
	# so and mounts the container's /proc, /dev... on the host.  A private
	# mount namespace is ocichroot's isolation floor (docs/conformance.md).
	is_ocichroot || skip "ocichroot's deliberate difference"
	local id pid
	id=$(ctr_id)
	update_config '.linux.namespaces |= map(select(.type != "mount"))'
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	pid=$(state_field "$id" .pid)
	[ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]
	[ -z "$(testdir_mounts)" ]
}

# ---- cgroups (v1 hierarchies) -----------------------------------------------------

@test "cgroup v1 memory: limit, reservation, swap, kernelTCP, swappiness, OOM killer" {
	v1_controller memory
	[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] || skip "no swap accounting"
	local id cg d
	id=$(ctr_id)
	cg="/ocichroot-conformance-$$-$BATS_TEST_NUMBER"
	d="/sys/fs/cgroup/memory$cg"
	update_config --arg p "$cg" '.linux.cgroupsPath = $p
		| .linux.resources.memory = { "limit": 50593792, "reservation": 50593792,
			"swap": 50593792, "kernelTCP": 50593792, "swappiness": 10,
			"disableOOMKiller": true }'
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	assert_eq "$(cat "$d/memory.limit_in_bytes")" 50593792 limit
	assert_eq "$(cat "$d/memory.soft_limit_in_bytes")" 50593792 reservation
	assert_eq "$(cat "$d/memory.memsw.limit_in_bytes")" 50593792 swap
	assert_eq "$(cat "$d/memory.swappiness")" 10 swappiness
	grep -qx "oom_kill_disable 1" "$d/memory.oom_control"
	# runc 1.1 leaves kernelTCP alone
	conf_is_runc || assert_eq "$(cat "$d/memory.kmem.tcp.limit_in_bytes")" 50593792 kernelTCP
	run_oc delete --force "$id"
	assert_success
	[ ! -d "$d" ]
}

@test "cgroup v1 devices: the rules are applied in the listed order" {
	v1_controller devices
	conf_is_runc && skip "runc 1.1 rewrites the rule list through its devices emulator"
	local id cg d
	id=$(ctr_id)
	cg="/ocichroot-conformance-$$-$BATS_TEST_NUMBER"
	d="/sys/fs/cgroup/devices$cg"
	update_config --arg p "$cg" '.linux.cgroupsPath = $p
		| .linux.resources.devices = [
			{ "allow": false, "access": "rwm" },
			{ "allow": true, "type": "c", "major": 10, "minor": 229, "access": "rwm" } ]'
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	grep -qx "c 10:229 rwm" "$d/devices.list"
	run_oc delete --force "$id"
	assert_success
	[ ! -d "$d" ]
}
