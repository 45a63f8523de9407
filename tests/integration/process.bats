#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The container process: hostname, env, cwd, user and groups, args lookup,
# root filesystem, --no-pivot.

load helpers

setup() {
	setup_common
}

teardown() {
	teardown_common
}

@test "hostname from config.json" {
	update_config '.hostname = "box-1"'
	set_args hostname
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_eq "$output" box-1
}

@test "env: the variables of process.env, and only those" {
	update_config '.process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY="]'
	set_args env
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	[[ "$output" == *"FOO=bar baz"* ]]
	[[ "$output" == *"PATH=/bin"* ]]
	[[ "$output" == *"EMPTY="* ]]
	# nothing of the caller's environment leaks in
	[[ "$output" != *"BATS_"* ]]
	[[ "$output" != *"OCICHROOT"* ]]
}

@test "cwd from config.json" {
	update_config '.process.cwd = "/home/user"'
	set_args pwd
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_eq "$output" /home/user
}

@test "a cwd that does not exist in the rootfs is created" {
	# runc creates a missing cwd (mkdir -p inside the rootfs)
	update_config '.root.readonly = false | .process.cwd = "/new/dir"'
	set_args pwd
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_eq "$output" /new/dir
}

@test "user: uid and gid" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args sh -c 'id -u; id -g'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_eq "$output" "$(printf '1000\n1000')"
}

@test "user: additionalGids" {
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [1001, 5]}'
	set_args sh -c 'id -G | tr " " "\n" | sort -n | tr "\n" " "'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_eq "$output" "5 1000 1001 "
}

@test "user: no additionalGids means no supplementary groups" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args sh -c 'cat /proc/self/status | grep ^Groups:'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	[[ "$output" =~ ^Groups:[[:space:]]*$ ]]
}

@test "args[0] is looked up in the container's PATH" {
	update_config '.process.env = ["PATH=/usr/bin"]'
	set_args echo found-in-path
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_eq "$output" found-in-path
}

@test "a missing executable is an error, and nothing is left behind" {
	local id
	id=$(ctr_id)
	set_args no-such-program
	run_oc run --bundle "$BUNDLE" "$id"
	assert_failure
	[[ "$output" == *"executable file not found in \$PATH"* ||
		"$output" == *"no such file or directory"* ||
		"$output" == *"No such file or directory"* ]]
	[[ "$output" == *no-such-program* ]]
	[ -z "$(oc list -q)" ]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "a missing absolute path is an error" {
	set_args /bin/no-such-program
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_failure
	[[ "$output" == *"no such file or directory"* || "$output" == *"No such file or directory"* ]]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "a file that is not executable is an error (permission denied)" {
	printf '#!/bin/sh\necho should-not-run\n' >"$BUNDLE/rootfs/bin/not-exec"
	chmod 644 "$BUNDLE/rootfs/bin/not-exec"
	set_args /bin/not-exec
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_failure
	[[ "$output" == *"permission denied"* || "$output" == *"Permission denied"* ]]
	[[ "$output" != *should-not-run* ]]
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "a missing executable fails at create time for create+start too" {
	local id
	id=$(ctr_id)
	set_args no-such-program
	run_oc create --bundle "$BUNDLE" "$id"
	# runc checks the executable in create (so that start cannot fail on it)
	assert_failure
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "root.readonly: the rootfs is read-only" {
	set_args sh -c 'touch /x && echo writable || echo read-only'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_output_contains read-only
	[ ! -e "$BUNDLE/rootfs/x" ]
}

@test "root.readonly false: the rootfs is writable" {
	update_config '.root.readonly = false'
	set_args sh -c 'touch /x && echo writable'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_eq "$output" writable
	[ -e "$BUNDLE/rootfs/x" ]
}

@test "the root is switched: the host is not visible" {
	touch "$TESTDIR/host-marker"
	set_args sh -c 'ls / ; test -e '"$TESTDIR"'/host-marker && echo HOST-VISIBLE; true'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	[[ "$output" != *HOST-VISIBLE* ]]
	assert_output_contains bin etc proc
}

@test "--no-pivot runs the container with chroot-like root switch" {
	set_args sh -c 'echo no-pivot-ok; test -e /bin/busybox && cat /proc/self/mountinfo | wc -l'
	run_oc run --no-pivot --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_output_contains no-pivot-ok
	[[ "${lines[1]}" =~ ^[0-9]+$ ]]
}

@test "mounts: proc, dev, tmpfs from config.json are mounted" {
	set_args sh -c 'grep -E " /(proc|dev|tmp|dev/shm|sys) " /proc/self/mounts | cut -d" " -f2,3 | sort'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_output_contains "/proc proc" "/dev tmpfs" "/tmp tmpfs" "/dev/shm tmpfs" "/sys sysfs"
}

@test "maskedPaths and readonlyPaths apply" {
	set_args sh -c 'cat /proc/kcore 2>/dev/null | head -c 1 | wc -c; echo x > /proc/sysrq-trigger 2>/dev/null && echo WRITABLE; true'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_eq "${lines[0]}" 0
	[[ "$output" != *WRITABLE* ]]
}

@test "the container's pid 1 is the process in a new pid namespace" {
	set_args sh -c 'echo $$'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_eq "$output" 1
}

@test "rlimits from config.json apply" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 512, "soft": 256}]'
	set_args sh -c 'ulimit -n; ulimit -Hn'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_eq "$output" "$(printf '256\n512')"
}

@test "noNewPrivileges applies" {
	set_args sh -c 'grep ^NoNewPrivs: /proc/self/status'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	[[ "$output" =~ NoNewPrivs:[[:space:]]*1 ]]
}

@test "capabilities: the bounding set of config.json, no more" {
	set_args sh -c 'grep ^CapBnd: /proc/self/status'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	# CAP_KILL(5) | CAP_NET_BIND_SERVICE(10) | CAP_AUDIT_WRITE(29)
	[[ "$output" =~ CapBnd:[[:space:]]*0000000020000420 ]]
}
