#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad inputs: each must fail with a non-zero status and a useful message,
# and leave no state directory, mount or process behind.

load helpers

setup() {
	setup_common
}

teardown() {
	teardown_common
}

# expect_create_error SUBSTRING... — create and run both fail, say so, leave
# nothing.  The error of `run` is left in $output.
expect_create_error() {
	local verb id err
	for verb in create run; do
		id=$(ctr_id "$verb")
		run_oc "$verb" --bundle "$BUNDLE" "$id"
		assert_failure
		[ -n "$output" ] || { echo "no error message" >&2; return 1; }
		assert_output_contains "$@"
		err=$output
		run_oc state "$id"
		assert_failure
		check_clean
	done
	output=$err
}

@test "malformed config.json" {
	echo 'nonsense' >"$BUNDLE/config.json"
	expect_create_error ""
	if is_ocichroot; then
		# STYLE rule 5: file and line:col in every config.json error
		assert_output_contains "config.json:1:"
	fi
}

@test "truncated config.json" {
	head -c 200 "$BUNDLE/config.json" >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
	expect_create_error ""
	if is_ocichroot; then
		assert_output_contains "config.json"
	fi
}

@test "empty config.json" {
	: >"$BUNDLE/config.json"
	expect_create_error ""
}

@test "wrong type: process.user.uid is a string" {
	update_config '.process.user.uid = "zero"'
	# runc: "... process.user.uid of type uint32"
	expect_create_error "uid"
	if is_ocichroot; then
		assert_output_contains "process.user.uid"
	fi
}

@test "wrong type: process.args is a string" {
	update_config '.process.args = "sh"'
	expect_create_error "args"
}

@test "wrong type: ociVersion is a number" {
	update_config '.ociVersion = 5'
	expect_create_error "ociVersion"
}

@test "empty process.args" {
	update_config '.process.args = []'
	# runc: "args must not be empty"
	expect_create_error "args"
}

@test "no process" {
	update_config 'del(.process)'
	# runc: "process property must not be empty"
	expect_create_error "process"
}

@test "unknown namespace type" {
	update_config '.linux.namespaces += [{"type": "bogus"}]'
	expect_create_error "bogus"
}

@test "missing config.json" {
	rm "$BUNDLE/config.json"
	# runc: "JSON specification file config.json not found"
	expect_create_error "config.json"
}

@test "missing bundle directory" {
	BUNDLE="$TESTDIR/no-such-bundle"
	expect_create_error ""
	BUNDLE="$TESTDIR/bundle"
}

@test "missing rootfs" {
	rm -rf "$BUNDLE/rootfs"
	# runc: "invalid rootfs: stat ...rootfs: no such file or directory"
	expect_create_error "rootfs"
}

@test "rootfs path that does not exist (absolute)" {
	update_config '.root.path = "/no/such/rootfs"'
	expect_create_error "/no/such/rootfs"
}

@test "bad container ids are refused and leave nothing" {
	local id long
	long=$(head -c 1025 /dev/zero | tr '\0' a)
	for id in "" "../x" "a/b" ".." "." "a b" "$long"; do
		run_oc create --bundle "$BUNDLE" "$id"
		[ "$status" -ne 0 ] || { echo "id '${id:0:20}' accepted" >&2; return 1; }
		[ -n "$output" ]
		check_clean
		# nothing was created outside the root either
		[ ! -e "$TESTDIR/x" ]
		[ ! -e "$TESTDIR/state/a" ]
	done
}

@test "the empty id is refused with a message" {
	run_oc create --bundle "$BUNDLE" ""
	assert_failure
	# runc: "container id cannot be empty"; "invalid container ID format"
	# says as much
	[[ "$output" == *empty* || "$output" == *invalid* ]]
}

@test "an invalid id is refused with a message" {
	run_oc create --bundle "$BUNDLE" "../x"
	assert_failure
	# runc: "invalid container ID format"
	[[ "$output" == *"invalid"* || "$output" == *"Invalid"* ]]
}

@test "a missing id argument is an error for every verb that needs one" {
	local v
	for v in create start run state kill delete; do
		run_oc "$v"
		[ "$status" -ne 0 ] || { echo "$v without id succeeded" >&2; return 1; }
	done
	check_clean
}

@test "a duplicate id leaves the first container intact and nothing more" {
	local id pid
	id=$(ctr_id)
	run_oc create --bundle "$BUNDLE" "$id"
	assert_success
	pid=$(state_field "$id" .pid)
	run_oc run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "already exists"
	assert_eq "$(state_field "$id" .pid)" "$pid"
	assert_eq "$(ls "$ROOT")" "$id"
	run_oc delete --force "$id"
	assert_success
	check_clean
}

@test "an unknown id is an error for every verb" {
	local v
	mkdir -p "$ROOT"
	for v in start state kill delete pause resume ps events update; do
		run_oc "$v" no-such-id
		[ "$status" -ne 0 ] || { echo "$v no-such-id succeeded" >&2; return 1; }
		[[ "$output" == *"does not exist"* ]] || {
			echo "$v: no 'does not exist' in: $output" >&2
			return 1
		}
	done
	run_oc exec no-such-id true
	assert_failure
	assert_output_contains "does not exist"
	check_clean
}

@test "delete --force of an unknown id succeeds (runc, podman rely on it)" {
	run_oc delete --force no-such-id
	assert_success
}

@test "start twice: the second fails, the container keeps running" {
	local id
	id=$(ctr_id)
	run_oc create --bundle "$BUNDLE" "$id"
	assert_success
	run_oc start "$id"
	assert_success
	run_oc start "$id"
	assert_failure
	assert_eq "$(state_field "$id" .status)" running
}

@test "delete of a running container without --force fails and changes nothing" {
	local id pid
	id=$(ctr_id)
	run_oc run -d --bundle "$BUNDLE" "$id"
	assert_success
	pid=$(state_field "$id" .pid)
	run_oc delete "$id"
	assert_failure
	assert_output_contains "not stopped"
	pid_alive "$pid"
	assert_eq "$(state_field "$id" .status)" running
	run_oc delete --force "$id"
	assert_success
	check_clean
}

@test "a failing container process (missing executable) leaves nothing" {
	set_args /no/such/binary
	expect_create_error "/no/such/binary"
}
