#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# containerd driving the runtime through the runc v2 shim
# (`ctr run --runc-binary`): the shim calls create/start/state/kill/delete/
# exec/ps/pause/resume with --root, --log and --log-format json.
#
# Each file starts a containerd of its own (config, root, state, sockets,
# IO fifos and the runtime's state root under the temp dir, CRI disabled)
# and stops it when done.  containerd 1.6 still puts its shims' sockets
# under /run/containerd/s whatever the config says.

load helpers

setup_file() {
	clients_setup_file
	[ -n "${CLI_TMP:-}" ] || return 0
	command -v containerd >/dev/null 2>&1 || return 0
	command -v ctr >/dev/null 2>&1 || return 0
	local d=$CLI_TMP/containerd
	mkdir -p "$d"
	cat >"$d/config.toml" <<-EOF
	version = 2
	root = "$d/root"
	state = "$d/state"
	disabled_plugins = ["io.containerd.grpc.v1.cri"]
	[grpc]
	  address = "$d/c.sock"
	[ttrpc]
	  address = "$d/c.sock.ttrpc"
	[plugins."io.containerd.internal.v1.opt"]
	  path = "$d/opt"
	EOF
	containerd --config "$d/config.toml" >"$d/containerd.log" 2>&1 &
	echo $! >"$d/containerd.pid"
	local i
	for i in $(seq 100); do
		ctr -a "$d/c.sock" version >/dev/null 2>&1 && break
		sleep 0.1
	done
	# The bundle's rootfs for `ctr run --rootfs`.
	mkdir -p "$CLI_TMP/rootfs"/{proc,sys,dev}
}

teardown_file() {
	local d=${CLI_TMP:-}/containerd pid
	if [ -n "${CLI_TMP:-}" ] && [ -f "$d/containerd.pid" ]; then
		pid=$(cat "$d/containerd.pid")
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
		# Shims of this containerd outlive it; they are ours to end.
		for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $d/c.sock" || true); do
			kill -9 "$pid" 2>/dev/null || true
		done
	fi
	clients_teardown_file
}

setup() {
	requires_env containerd ctr containerd-shim-runc-v2
	CTD=$CLI_TMP/containerd
	ctr -a "$CTD/c.sock" version >/dev/null 2>&1 || {
		cat "$CTD/containerd.log" >&2
		false
	}
	NS=oct
	RROOT=$CTD/runc-root
	: >"$CLI_ARGV_LOG"
}

teardown() {
	[ -n "${CLI_TMP:-}" ] || return 0
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		[ -s "$CLI_ARGV_LOG" ] && { echo "# runtime argv log:"; sed 's/^/#   /' "$CLI_ARGV_LOG"; }
		# The runtime's JSON log of the last task, as the shim reads it.
		find "$CTD/state" -name log.json -exec sh -c 'echo "# $1:"; sed "s/^/#   /" "$1"' _ {} \; 2>/dev/null || true
	fi
	local t
	for t in $(c task ls -q 2>/dev/null); do
		c task kill -s KILL "$t" >/dev/null 2>&1 || true
		c task delete -f "$t" >/dev/null 2>&1 || true
	done
	for t in $(c container ls -q 2>/dev/null); do
		c container rm "$t" >/dev/null 2>&1 || true
	done
}

c() {
	ctr -a "$CTD/c.sock" -n "$NS" "$@"
}

# The runtime options every run takes.  With --rootfs there is no image
# config, so no PATH unless given (runc then finds no bare command).
# ctr's IO fifos go to /run/containerd/fifo unless told otherwise.
RUNC_OPTS() {
	echo --runc-binary "$WRAP" --runc-root "$RROOT" --env PATH=/bin --fifo-dir "$CTD/fifo"
}

run_c() {
	status=0
	output=$(c "$@" 2>&1 </dev/null) || status=$?
	mapfile -t lines <<<"$output"
	printf '$ ctr %s  => %s\n%s\n' "$*" "$status" "$output"
}

# Nothing left of container ID: no task, no container, no state in the
# runtime's root, no shim, no cgroup, no mount under the temp dir.
check_ctd_leftovers() {
	local id=$1 bad=0 m
	if c task ls -q | grep -qx "$id"; then echo "task $id remains"; bad=1; fi
	if c container ls -q | grep -qx "$id"; then echo "container $id remains"; bad=1; fi
	if [ -e "$RROOT/$NS/$id" ]; then echo "runtime state $RROOT/$NS/$id remains"; bad=1; fi
	if pgrep -f "containerd-shim-runc-v2 -namespace $NS -id $id " >/dev/null; then
		echo "shim of $id still runs"
		bad=1
	fi
	m=$(find /sys/fs/cgroup -maxdepth 4 -type d -path "*/$NS/$id" 2>/dev/null || true)
	if [ -n "$m" ]; then echo "cgroups left: $m"; bad=1; fi
	m=$(awk '{ print $2 }' /proc/self/mounts | grep -F "$CTD/state" || true)
	if [ -n "$m" ]; then echo "mounts left: $m"; bad=1; fi
	[ "$bad" = 0 ]
}

@test "ctr run --rm: output, exit status, the shim's flags" {
	run_c run --rm $(RUNC_OPTS) --rootfs "$CLI_TMP/rootfs" t-rm echo hello from ctr
	[ "$status" -eq 0 ]
	[ "$output" = "hello from ctr" ]
	run_c run --rm $(RUNC_OPTS) --rootfs "$CLI_TMP/rootfs" t-rm2 sh -c 'exit 7'
	[ "$status" -eq 7 ]
	grep -q -- "^--root $RROOT/$NS --log .*log.json --log-format json create " "$CLI_ARGV_LOG"
	grep -q -- ' start t-rm$' "$CLI_ARGV_LOG"
	grep -q -- ' delete .*t-rm$' "$CLI_ARGV_LOG"
	check_ctd_leftovers t-rm
	check_ctd_leftovers t-rm2
}

@test "ctr run -t: a terminal through the shim's console socket" {
	requires_cmd script
	run in_tty ctr -a "$CTD/c.sock" -n "$NS" run --rm -t $(RUNC_OPTS) --rootfs "$CLI_TMP/rootfs" t-tty sh -c 'tty; exit 2'
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"/dev/pts/"* ]]
	grep -q -- '--console-socket' "$CLI_ARGV_LOG"
	check_ctd_leftovers t-tty
}

@test "ctr run -d, task exec, ps, pause, resume, kill, delete" {
	run_c run -d $(RUNC_OPTS) --rootfs "$CLI_TMP/rootfs" t-bg sh -c 'trap "exit 4" TERM; while :; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	run_c task ls
	[[ "$output" == *"t-bg "*RUNNING* ]]
	pid=$(c task ls | awk '$1 == "t-bg" { print $2 }')
	[ "$("$OCICHROOT" --root "$RROOT/$NS" state t-bg | jq -r .pid)" = "$pid" ]

	run_c task exec --fifo-dir "$CTD/fifo" --exec-id e1 t-bg sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "; exit 6'
	[ "$status" -eq 6 ]
	[ "${lines[0]}" = in-exec ]
	[[ "${lines[1]}" == "sh -c "* ]]
	run bash -c 'echo piped | "$0" -a "$1" -n "$2" task exec --fifo-dir "$CTD/fifo" --exec-id e2 t-bg cat' ctr "$CTD/c.sock" "$NS"
	[ "$output" = piped ]
	if command -v script >/dev/null; then
		run in_tty ctr -a "$CTD/c.sock" -n "$NS" task exec --fifo-dir "$CTD/fifo" -t --exec-id e3 t-bg tty
		echo "$output"
		[[ "$output" == *"/dev/pts/"* ]]
	fi

	run_c task ps t-bg
	[ "$status" -eq 0 ]
	[[ "$output" == *"$pid"* ]]
	run_c task pause t-bg
	[ "$status" -eq 0 ]
	[[ "$(c task ls)" == *"t-bg "*PAUSED* ]]
	[ "$("$OCICHROOT" --root "$RROOT/$NS" state t-bg | jq -r .status)" = paused ]
	run_c task resume t-bg
	[ "$status" -eq 0 ]
	[[ "$(c task ls)" == *"t-bg "*RUNNING* ]]

	run_c task kill -s TERM t-bg
	[ "$status" -eq 0 ]
	for _ in $(seq 50); do
		[[ "$(c task ls)" == *"t-bg "*STOPPED* ]] && break
		sleep 0.1
	done
	[[ "$(c task ls)" == *"t-bg "*STOPPED* ]]
	run_c task delete t-bg
	[ "$status" -eq 0 ]
	run_c container rm t-bg
	[ "$status" -eq 0 ]
	grep -q -- ' exec .*--process ' "$CLI_ARGV_LOG"
	grep -Eq -- ' kill t-bg (15|SIGTERM|TERM)$' "$CLI_ARGV_LOG"
	check_ctd_leftovers t-bg
}

@test "ctr task kill --all and delete -f of a running task" {
	run_c run -d $(RUNC_OPTS) --rootfs "$CLI_TMP/rootfs" t-all sh -c 'sleep 1000 & sleep 1000 & wait'
	[ "$status" -eq 0 ]
	run_c task kill -a -s KILL t-all
	[ "$status" -eq 0 ]
	for _ in $(seq 50); do
		[[ "$(c task ls)" == *"t-all "*STOPPED* ]] && break
		sleep 0.1
	done
	[[ "$(c task ls)" == *"t-all "*STOPPED* ]]
	run_c task delete t-all
	[ "$status" -eq 0 ]
	c container rm t-all

	run_c run -d $(RUNC_OPTS) --rootfs "$CLI_TMP/rootfs" t-force sleep 1000
	[ "$status" -eq 0 ]
	run_c task delete -f t-force
	[ "$status" -eq 0 ]
	c container rm t-force
	check_ctd_leftovers t-all
	check_ctd_leftovers t-force
}

@test "ctr: a create failure reaches ctr through the JSON log" {
	run_c run --rm $(RUNC_OPTS) --rootfs "$CLI_TMP/rootfs" t-nocmd no-such-command
	[ "$status" -ne 0 ]
	[[ "$output" == *'OCI runtime create failed'*'no-such-command'*'executable file not found'* ]]
	c container rm t-nocmd >/dev/null 2>&1 || true
	run_c run --rm $(RUNC_OPTS) --rootfs "$CLI_TMP/rootfs" t-noexec /etc/passwd
	[ "$status" -ne 0 ]
	[[ "$output" == *'OCI runtime create failed'*'/etc/passwd'*[Pp]'ermission denied'* ]]
	c container rm t-noexec >/dev/null 2>&1 || true
	check_ctd_leftovers t-nocmd
	check_ctd_leftovers t-noexec
}

@test "ctr run of an imported image (overlayfs snapshot)" {
	requires_cmd podman
	ensure_image
	podman save -q --format docker-archive -o "$CLI_TMP/img.tar" "$IMG"
	run_c images import "$CLI_TMP/img.tar"
	[ "$status" -eq 0 ]
	run_c run --rm $(RUNC_OPTS) "$IMG" t-img sh -c 'echo from-image; ls /bin/busybox'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-image ]
	check_ctd_leftovers t-img
}
