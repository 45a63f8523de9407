#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# `run` and the options of create/run: exit codes, signal forwarding,
# --detach, --pid-file, --console-socket, --preserve-fds, stdio.

load helpers

setup() {
	setup_common
}

teardown() {
	teardown_common
}

# Start `run` in the foreground mode, in the background of the test.
# bash starts background jobs with SIGINT/SIGQUIT ignored; `env
# --default-signal` gives the runtime the dispositions a shell user has.
start_run() {
	env --default-signal=INT,QUIT "$OCICHROOT" --root "$ROOT" run --bundle "$BUNDLE" "$@" \
		>"$TESTDIR/run.out" 2>&1 </dev/null 3>&- &
	RUN_PID=$!
	BG_PIDS+=("$RUN_PID")
}

# wait_run — exit status of the background `run` into $rc.
wait_run() {
	rc=0
	wait "$RUN_PID" || rc=$?
	echo "run exited $rc; output:"
	cat "$TESTDIR/run.out"
}

@test "run: exit 0, stdout of the container reaches the caller" {
	set_args sh -c 'echo hello from the container'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_eq "$output" "hello from the container"
	# run deletes the container when it ends
	[ -z "$(oc list -q)" ]
}

@test "run: the exit status of the container is propagated" {
	set_args sh -c 'exit 3'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_eq "$status" 3
	set_args sh -c 'exit 255'
	run_oc run --bundle "$BUNDLE" "$(ctr_id b)"
	assert_eq "$status" 255
}

@test "run: stdin is passed through without a terminal" {
	set_args cat
	run bash -c 'echo piped-input | "$0" --root "$1" run --bundle "$2" "$3"' \
		"$OCICHROOT" "$ROOT" "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_eq "$output" piped-input
}

@test "run: stderr of the container reaches the caller's stderr" {
	set_args sh -c 'echo to-stderr >&2'
	run bash -c '"$0" --root "$1" run --bundle "$2" "$3" 2>&1 >/dev/null' \
		"$OCICHROOT" "$ROOT" "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_output_contains to-stderr
}

@test "run: a container killed by SIGKILL exits 137" {
	local id pid
	id=$(ctr_id)
	start_run "$id"
	wait_for_status "$id" running
	pid=$(state_field "$id" .pid)
	kill -KILL "$pid"
	wait_run
	assert_eq "$rc" 137
}

@test "run: a container killed by SIGTERM exits 143" {
	local id pid
	id=$(ctr_id)
	# Without a pid namespace the process is not an init, so SIGTERM's
	# default action applies.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	start_run "$id"
	wait_for_status "$id" running
	pid=$(state_field "$id" .pid)
	kill -TERM "$pid"
	wait_run
	assert_eq "$rc" 143
}

@test "run forwards SIGTERM to the container" {
	local id
	id=$(ctr_id)
	set_args sh -c 'trap "echo got-TERM; exit 42" TERM; echo ready; sleep 1000 & wait'
	start_run "$id"
	wait_for_status "$id" running
	# wait until the trap is set
	local i=0
	until grep -q ready "$TESTDIR/run.out" || [ $i -ge 300 ]; do sleep 0.01; i=$((i + 1)); done
	kill -TERM "$RUN_PID"
	wait_run
	assert_eq "$rc" 42
	grep -q got-TERM "$TESTDIR/run.out"
}

@test "run forwards SIGINT to the container" {
	local id
	id=$(ctr_id)
	set_args sh -c 'trap "echo got-INT; exit 43" INT; echo ready; sleep 1000 & wait'
	start_run "$id"
	wait_for_status "$id" running
	local i=0
	until grep -q ready "$TESTDIR/run.out" || [ $i -ge 300 ]; do sleep 0.01; i=$((i + 1)); done
	kill -INT "$RUN_PID"
	wait_run
	assert_eq "$rc" 43
	grep -q got-INT "$TESTDIR/run.out"
}

@test "run --detach returns at once and leaves the container running" {
	local id
	id=$(ctr_id)
	run_oc run --detach --bundle "$BUNDLE" "$id"
	assert_success
	assert_eq "$(state_field "$id" .status)" running
	pid_alive "$(state_field "$id" .pid)"
	run_oc delete --force "$id"
	assert_success
}

@test "run -d (short form) works" {
	local id
	id=$(ctr_id)
	run_oc run -d -b "$BUNDLE" "$id"
	assert_success
	assert_eq "$(state_field "$id" .status)" running
}

@test "create --pid-file with an absolute path" {
	local id
	id=$(ctr_id)
	run_oc create --bundle "$BUNDLE" --pid-file "$TESTDIR/abs.pid" "$id"
	assert_success
	[ -s "$TESTDIR/abs.pid" ]
	assert_eq "$(cat "$TESTDIR/abs.pid")" "$(state_field "$id" .pid)"
}

@test "create --pid-file with a path relative to the current directory" {
	local id
	id=$(ctr_id)
	mkdir "$TESTDIR/cwd"
	cd "$TESTDIR/cwd"
	run_oc create --bundle "$BUNDLE" --pid-file rel.pid "$id"
	assert_success
	[ -s "$TESTDIR/cwd/rel.pid" ]
	assert_eq "$(cat "$TESTDIR/cwd/rel.pid")" "$(state_field "$id" .pid)"
}

@test "run --detach --pid-file=PATH (= form) matches the running pid" {
	local id
	id=$(ctr_id)
	run_oc run --detach --bundle="$BUNDLE" --pid-file="$TESTDIR/run.pid" "$id"
	assert_success
	assert_eq "$(cat "$TESTDIR/run.pid")" "$(state_field "$id" .pid)"
	tr '\0' ' ' <"/proc/$(cat "$TESTDIR/run.pid")/cmdline" | grep -q '^sleep 1000'
}

@test "--console-socket: the container gets a terminal and its master reaches the socket" {
	local id rt rpid
	id=$(ctr_id)
	rt=$(recvtty_bin)
	"$rt" "$TESTDIR/tty.sock" "$TESTDIR/tty.out" 3>&- &
	rpid=$!
	BG_PIDS+=("$rpid")
	wait_for_file "$TESTDIR/tty.sock"
	update_config '.process.terminal = true'
	set_args sh -c 'test -t 0 && test -t 1 && test -t 2 && echo TTY-OK; tty'
	run_oc create --bundle "$BUNDLE" --console-socket "$TESTDIR/tty.sock" "$id"
	assert_success
	run_oc start "$id"
	assert_success
	# recvtty ends when the last slave fd closes, i.e. when the container exits.
	wait "$rpid"
	cat "$TESTDIR/tty.out"
	grep -q TTY-OK "$TESTDIR/tty.out"
	grep -q '^/dev/pts/[0-9]' "$TESTDIR/tty.out"
	wait_for_status "$id" stopped
}

@test "run -d --console-socket=PATH (= form) works" {
	local id rt rpid
	id=$(ctr_id)
	rt=$(recvtty_bin)
	"$rt" "$TESTDIR/tty.sock" "$TESTDIR/tty.out" 3>&- &
	rpid=$!
	BG_PIDS+=("$rpid")
	wait_for_file "$TESTDIR/tty.sock"
	update_config '.process.terminal = true'
	set_args sh -c 'test -t 0 && echo TTY-OK'
	run_oc run -d --bundle "$BUNDLE" --console-socket="$TESTDIR/tty.sock" "$id"
	assert_success
	wait "$rpid"
	grep -q TTY-OK "$TESTDIR/tty.out"
}

@test "terminal: true without --console-socket is refused by create and leaves nothing" {
	local id
	id=$(ctr_id)
	update_config '.process.terminal = true'
	run_oc create --bundle "$BUNDLE" "$id"
	assert_failure
	# runc: "cannot allocate tty if runc will detach without setting console socket"
	assert_output_contains "console socket"
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]
}

@test "without a terminal the container's stdio are not ttys" {
	set_args sh -c 'test -t 0 || test -t 1 || echo NO-TTY'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)"
	assert_success
	assert_eq "$output" NO-TTY
}

@test "--preserve-fds N passes fds 3..3+N-1 and nothing else" {
	local id
	id=$(ctr_id)
	echo from-fd3 >"$TESTDIR/in"
	set_args sh -c 'for n in 3 4 5 6 7 8 9; do [ -e /proc/$$/fd/$n ] && echo fd$n; done; read l <&3; echo "read:$l"; echo to-fd4 >&4'
	run_oc run --preserve-fds 2 --bundle "$BUNDLE" "$id" 3<"$TESTDIR/in" 4>"$TESTDIR/fd4" 5<"$TESTDIR/in"
	assert_success
	assert_eq "$output" "$(printf 'fd3\nfd4\nread:from-fd3')"
	assert_eq "$(cat "$TESTDIR/fd4")" to-fd4
}

@test "--preserve-fds=1 (= form) works" {
	set_args sh -c 'for n in 3 4 5; do [ -e /proc/$$/fd/$n ] && echo fd$n; done; true'
	run_oc run --preserve-fds=1 --bundle "$BUNDLE" "$(ctr_id)" 3<"$TESTDIR/../" 4</dev/null
	assert_success
	assert_eq "$output" fd3
}

@test "without --preserve-fds no fd above 2 reaches the container" {
	set_args sh -c 'for n in 3 4 5 6 7 8 9 10 11 12; do [ -e /proc/$$/fd/$n ] && echo fd$n; done; true'
	run_oc run --bundle "$BUNDLE" "$(ctr_id)" 3</dev/null 4</dev/null 7</dev/null
	assert_success
	assert_eq "$output" ""
}
