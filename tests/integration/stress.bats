#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Repetition finds what one run hides: leaked mounts, fds, state dirs,
# processes.

load helpers

setup() {
	setup_common
}

teardown() {
	teardown_common
}

@test "200 create/delete cycles leave no mount, directory or process" {
	local i id fds_before fds_after
	for i in $(seq 1 200); do
		id=$(ctr_id "c$i")
		"$OCICHROOT" --root "$ROOT" create --bundle "$BUNDLE" "$id" >"$TESTDIR/out" 2>&1 </dev/null || {
			echo "create #$i failed: $(cat "$TESTDIR/out")" >&2
			return 1
		}
		# alternate the two ways a created container goes away
		if [ $((i % 2)) -eq 0 ]; then
			"$OCICHROOT" --root "$ROOT" delete "$id" >"$TESTDIR/out" 2>&1
		else
			"$OCICHROOT" --root "$ROOT" delete --force "$id" >"$TESTDIR/out" 2>&1
		fi || {
			echo "delete #$i failed: $(cat "$TESTDIR/out")" >&2
			return 1
		}
	done
	[ -z "$(oc list -q)" ]
	# processes may take a moment to be gone after SIGKILL
	i=0
	while [ -n "$(tagged_pids)" ] && [ $i -lt 200 ]; do
		sleep 0.01
		i=$((i + 1))
	done
	check_clean
	[ "$(wc -l </proc/self/mountinfo)" -le "$MOUNTS_BEFORE" ] || [ "${CI:-}" != true ]
}

@test "50 run cycles of a short container leave nothing" {
	local i
	set_args true
	for i in $(seq 1 50); do
		"$OCICHROOT" --root "$ROOT" run --bundle "$BUNDLE" "$(ctr_id "r$i")" >"$TESTDIR/out" 2>&1 </dev/null || {
			echo "run #$i failed: $(cat "$TESTDIR/out")" >&2
			return 1
		}
	done
	check_clean
}
