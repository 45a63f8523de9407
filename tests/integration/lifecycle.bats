#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Every lifecycle verb in every state: what is allowed, what is an error, and
# what `state` reports.  The reference is runc 1.1; error substrings are the
# ones podman/containerd match on.

load helpers

setup() {
	setup_common
}

teardown() {
	teardown_common
}

# make_created ID / make_running ID / make_stopped ID
make_created() {
	run_oc create --bundle "$BUNDLE" "$1"
	assert_success
	wait_for_status "$1" created
}

make_running() {
	make_created "$1"
	run_oc start "$1"
	assert_success
	wait_for_status "$1" running
}

make_stopped() {
	make_running "$1"
	run_oc kill "$1" KILL
	assert_success
	wait_for_status "$1" stopped
}

@test "create twice with the same id fails and keeps the first container" {
	local id
	id=$(ctr_id)
	make_created "$id"
	local pid
	pid=$(state_field "$id" .pid)

	run_oc create --bundle "$BUNDLE" "$id"
	assert_failure
	# runc: "container with given ID already exists"
	assert_output_contains "already exists"

	assert_eq "$(state_field "$id" .status)" created
	assert_eq "$(state_field "$id" .pid)" "$pid"
	pid_alive "$pid"
}

@test "create then start: created => running" {
	local id
	id=$(ctr_id)
	make_created "$id"
	run_oc start "$id"
	assert_success
	assert_eq "$(state_field "$id" .status)" running
}

@test "start a running container is an error" {
	local id
	id=$(ctr_id)
	make_running "$id"
	run_oc start "$id"
	assert_failure
	# runc: "cannot start an already running container"
	assert_output_contains "running"
	assert_eq "$(state_field "$id" .status)" running
}

@test "start a stopped container is an error" {
	local id
	id=$(ctr_id)
	make_stopped "$id"
	run_oc start "$id"
	assert_failure
	# runc: "cannot start a container that has stopped"
	assert_output_contains "stopped"
	assert_eq "$(state_field "$id" .status)" stopped
}

@test "kill a created container works" {
	local id pid
	id=$(ctr_id)
	make_created "$id"
	pid=$(state_field "$id" .pid)
	run_oc kill "$id" KILL
	assert_success
	wait_for_status "$id" stopped
	wait_for_dead "$pid"
}

@test "kill a running container works (default signal is SIGTERM)" {
	local id
	id=$(ctr_id)
	# pid 1 of a pid namespace ignores SIGTERM unless it handles it.
	set_args sh -c 'trap "exit 0" TERM; sleep 1000 & wait'
	make_running "$id"
	run_oc kill "$id"
	assert_success
	wait_for_status "$id" stopped
}

@test "kill a stopped container is an error" {
	local id
	id=$(ctr_id)
	make_stopped "$id"
	run_oc kill "$id" KILL
	assert_failure
	# runc: "container not running"
	assert_output_contains "not running"
}

@test "delete a created container works and ends its process" {
	local id pid
	id=$(ctr_id)
	make_created "$id"
	pid=$(state_field "$id" .pid)
	run_oc delete "$id"
	assert_success
	run_oc state "$id"
	assert_failure
	[ ! -e "$ROOT/$id" ]
	wait_for_dead "$pid"
}

@test "delete a running container without --force is an error" {
	local id
	id=$(ctr_id)
	make_running "$id"
	run_oc delete "$id"
	assert_failure
	# runc: "cannot delete container ID that is not stopped: running"
	assert_output_contains "cannot delete container" "not stopped"
	assert_eq "$(state_field "$id" .status)" running
}

@test "delete --force a running container works" {
	local id pid
	id=$(ctr_id)
	make_running "$id"
	pid=$(state_field "$id" .pid)
	run_oc delete --force "$id"
	assert_success
	run_oc state "$id"
	assert_failure
	wait_for_dead "$pid"
	[ ! -e "$ROOT/$id" ]
}

@test "delete -f (short form) a running container works" {
	local id
	id=$(ctr_id)
	make_running "$id"
	run_oc delete -f "$id"
	assert_success
	[ -z "$(oc list -q)" ]
}

@test "delete a stopped container works" {
	local id
	id=$(ctr_id)
	make_stopped "$id"
	run_oc delete "$id"
	assert_success
	run_oc state "$id"
	assert_failure
	assert_output_contains "does not exist"
	[ ! -e "$ROOT/$id" ]
}

@test "a container whose process exits becomes stopped" {
	local id
	id=$(ctr_id)
	set_args true
	run_oc create --bundle "$BUNDLE" "$id"
	assert_success
	run_oc start "$id"
	assert_success
	wait_for_status "$id" stopped
	run_oc delete "$id"
	assert_success
}

@test "state of a created container" {
	local id out pid
	id=$(ctr_id)
	make_created "$id"
	out=$(oc state "$id")
	echo "$out"
	assert_eq "$(jq -r .id <<<"$out")" "$id"
	assert_eq "$(jq -r .status <<<"$out")" created
	assert_eq "$(jq -r .bundle <<<"$out")" "$BUNDLE"
	pid=$(jq -r .pid <<<"$out")
	[ "$pid" -gt 0 ]
	pid_alive "$pid"
	# The process waits for `start`: it must not run the user's program yet.
	[ "$(readlink "/proc/$pid/exe")" != "$(readlink -f "$BUNDLE/rootfs/bin/busybox")" ] ||
		! grep -q sleep "/proc/$pid/cmdline"
}

@test "state of a running container" {
	local id out pid
	id=$(ctr_id)
	make_running "$id"
	out=$(oc state "$id")
	echo "$out"
	assert_eq "$(jq -r .status <<<"$out")" running
	pid=$(jq -r .pid <<<"$out")
	[ "$pid" -gt 0 ]
	# The pid is the container's process itself, seen from the host.
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q '^sleep 1000'
}

@test "state of a stopped container: pid 0" {
	local id out
	id=$(ctr_id)
	make_stopped "$id"
	out=$(oc state "$id")
	echo "$out"
	assert_eq "$(jq -r .status <<<"$out")" stopped
	# runc prints "pid": 0 once the process is gone.
	assert_eq "$(jq -r '.pid // 0' <<<"$out")" 0
	assert_eq "$(jq -r .id <<<"$out")" "$id"
	assert_eq "$(jq -r .bundle <<<"$out")" "$BUNDLE"
}

@test "state JSON fields: ociVersion, id, pid, status, bundle, rootfs, created, owner, annotations" {
	local id out
	id=$(ctr_id)
	update_config '.annotations = {"org.example.key": "value", "other": "x y"}'
	make_created "$id"
	out=$(oc state "$id")
	echo "$out"
	jq -e . <<<"$out" >/dev/null
	[ -n "$(jq -r .ociVersion <<<"$out")" ]
	[ "$(jq -r .ociVersion <<<"$out")" != null ]
	assert_eq "$(jq -r .id <<<"$out")" "$id"
	assert_eq "$(jq -r '.pid | type' <<<"$out")" number
	assert_eq "$(jq -r .status <<<"$out")" created
	assert_eq "$(jq -r .bundle <<<"$out")" "$BUNDLE"
	assert_eq "$(jq -r .rootfs <<<"$out")" "$BUNDLE/rootfs"
	# RFC 3339 with optional fraction, UTC
	[[ "$(jq -r .created <<<"$out")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$ ]]
	# owner is a string (runc's state prints "", list prints the user name)
	assert_eq "$(jq -r '.owner | type' <<<"$out")" string
	assert_eq "$(jq -r '.annotations["org.example.key"]' <<<"$out")" value
	assert_eq "$(jq -r '.annotations.other' <<<"$out")" "x y"
}

@test "state and list agree, with a relative --bundle" {
	local id
	id=$(ctr_id)
	cd "$TESTDIR"
	run_oc create --bundle bundle "$id"
	assert_success
	# The bundle is recorded as an absolute path.
	assert_eq "$(state_field "$id" .bundle)" "$BUNDLE"
	run_oc list -f json
	assert_success
	assert_eq "$(jq -r --arg id "$id" '.[] | select(.id == $id) | .bundle' <<<"$output")" "$BUNDLE"
	assert_eq "$(jq -r --arg id "$id" '.[] | select(.id == $id) | .status' <<<"$output")" created
}

@test "create uses the current directory as the bundle by default" {
	local id
	id=$(ctr_id)
	cd "$BUNDLE"
	run_oc create "$id"
	assert_success
	assert_eq "$(state_field "$id" .bundle)" "$BUNDLE"
}

@test "the state root is created on demand" {
	local id
	id=$(ctr_id)
	ROOT="$TESTDIR/new/nested/root"
	run_oc create --bundle "$BUNDLE" "$id"
	assert_success
	[ -d "$ROOT/$id" ]
	run_oc delete --force "$id"
	assert_success
	ROOT="$TESTDIR/state"
}
