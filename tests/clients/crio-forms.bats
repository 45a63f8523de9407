#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# CRI-O is not packaged for Debian 12, so these tests call the runtime the
# way CRI-O (internal/oci/runtime_oci.go) does:
#   - global flags in the `--root=X` form, before the command;
#   - create with --bundle/--pid-file through conmon, then start/state;
#   - `exec` in the foreground with process.terminal and no console socket
#     (CRI-O hands the runtime a pty as its stdio);
#   - `exec --process FILE` whose exit status is the process's;
#   - `update --resources -` with LinuxResources JSON on stdin;
#   - `kill --all ID KILL` and signal names without SIG;
#   - `pause`/`resume`, `delete --force`.

load helpers

setup_file() {
	clients_setup_file
}

teardown_file() {
	clients_teardown_file
}

setup() {
	requires_env jq
	ROOT=$CLI_TMP/crio-root
	mkdir -p "$ROOT"
	ID=crio-forms-$BATS_TEST_NUMBER-$$
	CGPATH=/oc-crio-forms/$ID
	BUNDLE=$CLI_TMP/bundle-$BATS_TEST_NUMBER
	rm -rf "$BUNDLE"
	mkdir -p "$BUNDLE"
	cp -a "$CLI_TMP/rootfs" "$BUNDLE/rootfs"
	(cd "$BUNDLE" && "$OCICHROOT" spec)
	jq --arg cg "$CGPATH" '
		.process.terminal = false
		| .process.args = ["sh", "-c", "while :; do sleep 0.1; done"]
		| .root.readonly = false
		| .linux.cgroupsPath = $cg' "$BUNDLE/config.json" >"$BUNDLE/c.json"
	mv "$BUNDLE/c.json" "$BUNDLE/config.json"
}

teardown() {
	[ -n "${ROOT:-}" ] || return 0
	"$OCICHROOT" --root="$ROOT" delete --force "$ID" >/dev/null 2>&1 || true
	# What a failed test left: thaw and kill what still runs in the
	# container's cgroups, so one failure does not leave frozen tasks.
	local d p
	for d in /sys/fs/cgroup/*/oc-crio-forms/"$ID" /sys/fs/cgroup/oc-crio-forms/"$ID"; do
		[ -d "$d" ] || continue
		[ -e "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
		[ -e "$d/cgroup.freeze" ] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null || true
		done
	done
	sleep 0.1
	for d in /sys/fs/cgroup/*/oc-crio-forms/"$ID" /sys/fs/cgroup/oc-crio-forms/"$ID" \
		/sys/fs/cgroup/*/oc-crio-forms /sys/fs/cgroup/oc-crio-forms; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null || true
	done
}

# rt ARGS... — the runtime in CRI-O's form, output to $output/$status.  Its
# stdio is a file: a created container inherits the runtime's stdout.
rt() {
	local out
	out=$(mktemp "$CLI_TMP/out.XXXXXX")
	status=0
	"$OCICHROOT" --root="$ROOT" "$@" >"$out" 2>&1 </dev/null || status=$?
	output=$(cat "$out")
	rm -f "$out"
	mapfile -t lines <<<"$output"
	printf '$ ocichroot --root=%s %s  => %s\n%s\n' "$ROOT" "$*" "$status" "$output"
}

# A process.json as CRI-O writes for exec: the container's process with
# new args (and terminal as asked).
process_json() {
	local terminal=$1
	shift
	local a='[]' x
	# One by one: jq takes an argument like "-c" for its own option.
	for x in "$@"; do
		a=$(jq -c --arg s "$x" '. + [$s]' <<<"$a")
	done
	jq --argjson t "$terminal" --argjson a "$a" '.process | .terminal = $t | .args = $a' \
		"$BUNDLE/config.json" >"$CLI_TMP/process.json"
}

create_and_start() {
	rt create --bundle "$BUNDLE" --pid-file "$BUNDLE/pid" "$ID"
	[ "$status" -eq 0 ]
	rt start "$ID"
	[ "$status" -eq 0 ]
	PID=$(cat "$BUNDLE/pid")
}

# The host path of the container's cgroup for CONTROLLER (v1), or of the
# unified cgroup.
cg_dir() {
	local ctl=$1 p
	p=$(awk -F: -v c="$ctl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$PID/cgroup")
	if [ -n "$p" ]; then
		echo "/sys/fs/cgroup/$ctl$p"
	else
		p=$(awk -F: '$1 == "0" { print $3 }' "/proc/$PID/cgroup")
		if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
			echo "/sys/fs/cgroup$p"
		else
			echo "/sys/fs/cgroup/unified$p"
		fi
	fi
}

@test "crio: --root=X create, start, state" {
	create_and_start
	rt state "$ID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = running ]
	[ "$(jq -r .pid <<<"$output")" = "$PID" ]
	[ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
	# The space form names the same root.
	run "$OCICHROOT" --root "$ROOT" state "$ID"
	[ "$status" -eq 0 ]
	rt list --format json
	[ "$(jq -r '.[0].id' <<<"$output")" = "$ID" ]
	rt delete --force "$ID"
	[ "$status" -eq 0 ]
	! [ -d "/proc/$PID" ] || [ "$(awk '{print $3}' "/proc/$PID/stat")" = Z ]
	! [ -e "$ROOT/$ID" ]
}

@test "crio: exec --process, status is the process's" {
	create_and_start
	process_json false sh -c 'echo in-exec; exit 9'
	rt exec --process "$CLI_TMP/process.json" "$ID"
	[ "$status" -eq 9 ]
	[ "$output" = in-exec ]
	# ExecSync: a pid file and the process's own output.
	process_json false cat /proc/1/cmdline
	rt exec --pid-file "$CLI_TMP/exec.pid" --process "$CLI_TMP/process.json" "$ID"
	[ "$status" -eq 0 ]
	[[ "$output" == sh* ]]
	[ -s "$CLI_TMP/exec.pid" ]
}

@test "crio: exec in the foreground with a pty and no console socket" {
	requires_cmd script
	create_and_start
	process_json true sh -c 'tty; exit 5'
	run in_tty "$OCICHROOT" --root="$ROOT" exec --tty --process "$CLI_TMP/process.json" "$ID"
	echo "$output"
	[ "$status" -eq 5 ]
	[[ "$output" == *"/dev/pts/"* ]]
	# Input typed on the terminal reaches the process.
	process_json true sh -c 'read -r l; echo "got:$l"'
	run bash -c 'printf "typed\n" | script -qec "$0 --root=$1 exec --tty --process $2 $3" /dev/null' \
		"$OCICHROOT" "$ROOT" "$CLI_TMP/process.json" "$ID"
	echo "$output"
	[[ "$output" == *got:typed* ]]
}

@test "crio: update --resources - (JSON on stdin)" {
	create_and_start
	cat >"$CLI_TMP/res.json" <<-EOF
	{"memory": {"limit": 67108864}, "pids": {"limit": 77}, "cpu": {"shares": 512}}
	EOF
	status=0
	"$OCICHROOT" --root="$ROOT" update --resources - "$ID" <"$CLI_TMP/res.json" || status=$?
	[ "$status" -eq 0 ]
	m=$(cg_dir memory)
	if [ -e "$m/memory.limit_in_bytes" ]; then
		[ "$(cat "$m/memory.limit_in_bytes")" = 67108864 ]
	else
		[ "$(cat "$m/memory.max")" = 67108864 ]
	fi
	p=$(cg_dir pids)
	[ "$(cat "$p/pids.max")" = 77 ]
	c=$(cg_dir cpu)
	if [ -e "$c/cpu.shares" ]; then
		[ "$(cat "$c/cpu.shares")" = 512 ]
	fi
	# A second update changes one value and keeps the others.
	echo '{"pids": {"limit": 88}}' | "$OCICHROOT" --root="$ROOT" update --resources - "$ID"
	[ "$(cat "$p/pids.max")" = 88 ]
	if [ -e "$m/memory.limit_in_bytes" ]; then
		[ "$(cat "$m/memory.limit_in_bytes")" = 67108864 ]
	fi
	rt delete --force "$ID"
	! [ -d "$m" ]
	! [ -d "$p" ]
}

@test "crio: kill --all ID KILL, signal names without SIG" {
	jq '.process.args = ["sh", "-c", "trap \"echo usr1 >/tmp/got\" USR1; sleep 1000 & sleep 1000 & while :; do sleep 0.1; done"]' \
		"$BUNDLE/config.json" >"$BUNDLE/c.json"
	mv "$BUNDLE/c.json" "$BUNDLE/config.json"
	create_and_start
	sleep 0.3
	rt kill "$ID" USR1
	[ "$status" -eq 0 ]
	sleep 0.5
	[ "$(cat "/proc/$PID/root/tmp/got")" = usr1 ]
	pids=$(cat "$(cg_dir pids)/cgroup.procs")
	[ "$(wc -w <<<"$pids")" -ge 3 ]
	rt kill --all "$ID" KILL
	[ "$status" -eq 0 ]
	for _ in $(seq 50); do
		rt state "$ID"
		[ "$(jq -r .status <<<"$output")" = stopped ] && break
		sleep 0.1
	done
	[ "$(jq -r .status <<<"$output")" = stopped ]
	for p in $pids; do
		! [ -d "/proc/$p" ] || [ "$(awk '{print $3}' "/proc/$p/stat")" = Z ]
	done
	rt delete "$ID"
	[ "$status" -eq 0 ]
	# Killing what is gone is the error CRI-O matches on.
	rt kill "$ID" KILL
	[ "$status" -ne 0 ]
	[[ "$output" == *"does not exist"* ]] || [[ "$output" == *"not found"* ]]
}

@test "crio: pause, resume, delete --force of a paused container" {
	create_and_start
	rt pause "$ID"
	[ "$status" -eq 0 ]
	rt state "$ID"
	[ "$(jq -r .status <<<"$output")" = paused ]
	rt resume "$ID"
	[ "$status" -eq 0 ]
	rt state "$ID"
	[ "$(jq -r .status <<<"$output")" = running ]
	rt pause "$ID"
	rt delete --force "$ID"
	[ "$status" -eq 0 ]
	! [ -e "$ROOT/$ID" ]
	for _ in $(seq 20); do
		[ -d "/proc/$PID" ] || break
		sleep 0.1
	done
	! [ -d "/proc/$PID" ]
}

@test "crio: kill KILL of a paused container stops it" {
	create_and_start
	rt pause "$ID"
	[ "$status" -eq 0 ]
	# A v1-frozen task acts on SIGKILL only once thawed: the runtime
	# thaws after a KILL, as runc does.
	rt kill "$ID" KILL
	[ "$status" -eq 0 ]
	for _ in $(seq 50); do
		rt state "$ID"
		[ "$(jq -r .status <<<"$output")" = stopped ] && break
		sleep 0.1
	done
	[ "$(jq -r .status <<<"$output")" = stopped ]
	rt delete "$ID"
	[ "$status" -eq 0 ]
}
