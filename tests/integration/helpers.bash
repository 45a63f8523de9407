# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers of the integration tests (bats).
#
# The runtime under test is $OCICHROOT (meson sets it to the built binary).
# Point it at runc (OCICHROOT=$(command -v runc)) to check that the tests
# describe runc's behaviour: ocichroot is meant to be a drop-in, so every test
# that runc passes must pass on ocichroot too.  Where ocichroot deliberately
# differs, the test says so behind `is_ocichroot`.
#
# Every test gets a private temp dir ($TESTDIR) holding the state root
# ($ROOT), a busybox bundle ($BUNDLE, rootfs in $BUNDLE/rootfs) and scratch
# files.  teardown_common force-deletes what is left in $ROOT, kills every
# process carrying the test's tag, and fails the test if anything (state dir,
# process, mount) had to be cleaned up.

SRCROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
: "${OCICHROOT:=$SRCROOT/build/src/ocichroot}"
BUSYBOX=${BUSYBOX:-/bin/busybox}

# Is the runtime under test ocichroot (and not runc/crun)?
is_ocichroot() {
	if [ -z "${_IS_OCICHROOT:-}" ]; then
		if "$OCICHROOT" --version 2>/dev/null | grep -qi ocichroot; then
			_IS_OCICHROOT=yes
		else
			_IS_OCICHROOT=no
		fi
	fi
	[ "$_IS_OCICHROOT" = yes ]
}

requires_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

requires_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "needs $c"
	done
}

requires_userns() {
	[ -e /proc/self/ns/user ] || skip "kernel without user namespaces"
	local max
	max=$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)
	[ "$max" -gt 0 ] || skip "user namespaces disabled (user.max_user_namespaces=0)"
	unshare -U true 2>/dev/null || skip "cannot create user namespaces here"
}

# The runtime under test with the per-test state root.
oc() {
	"$OCICHROOT" --root "$ROOT" "$@"
}

# run_oc ARGS... — like bats' `run oc ARGS...` (sets status, output, lines),
# but with the runtime's stdio on a file: a created container inherits the
# runtime's stdout, and a pipe it keeps open would hang `run` for ever.
run_oc() {
	local out
	out=$(mktemp "$TESTDIR/out.XXXXXX")
	status=0
	"$OCICHROOT" --root "$ROOT" "$@" >"$out" 2>&1 </dev/null || status=$?
	output=$(cat "$out")
	rm -f "$out"
	mapfile -t lines <<<"$output"
	# Shown by bats when the test fails.
	printf '$ oc %s  => %s\n%s\n' "$*" "$status" "$output" >&2
}

# A busybox root filesystem, built once per bats file and copied per test.
_rootfs_template() {
	local t="$BATS_FILE_TMPDIR/rootfs-template"
	if [ ! -x "$t/bin/busybox" ]; then
		[ -x "$BUSYBOX" ] || skip "needs busybox-static ($BUSYBOX)"
		# A dynamic busybox names its ELF interpreter; it would not run in
		# a rootfs without libc.
		LC_ALL=C grep -qa '/ld-linux' "$BUSYBOX" &&
			skip "$BUSYBOX is dynamically linked; install busybox-static"
		rm -rf "$t"
		mkdir -p "$t"/{bin,etc,proc,sys,dev,tmp,root,home/user,run}
		chmod 1777 "$t/tmp"
		cp "$BUSYBOX" "$t/bin/busybox"
		# Relative links so that they resolve inside the container.
		local a
		for a in $("$BUSYBOX" --list); do
			[ "$a" = busybox ] || ln -s busybox "$t/bin/$a"
		done
		ln -s bin "$t/sbin"
		mkdir -p "$t/usr"
		ln -s ../bin "$t/usr/bin"
		ln -s ../bin "$t/usr/sbin"
		cat >"$t/etc/passwd" <<-'EOF'
			root:x:0:0:root:/root:/bin/sh
			user:x:1000:1000:user:/home/user:/bin/sh
			nobody:x:65534:65534:nobody:/nonexistent:/bin/false
		EOF
		cat >"$t/etc/group" <<-'EOF'
			root:x:0:
			tty:x:5:
			user:x:1000:
			extra:x:1001:user
			nogroup:x:65534:
		EOF
		chown -R 1000:1000 "$t/home/user"
	fi
	echo "$t"
}

# runc-spec-shaped config.json, written here so that the tests do not depend
# on the `spec` verb of the runtime under test (spec.bats tests that verb).
_write_config() {
	cat >"$1" <<-'EOF'
		{
			"ociVersion": "1.0.2",
			"process": {
				"terminal": false,
				"user": { "uid": 0, "gid": 0 },
				"args": [ "sleep", "1000" ],
				"env": [
					"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
					"TERM=xterm"
				],
				"cwd": "/",
				"capabilities": {
					"bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
					"effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
					"permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
					"ambient": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
				},
				"rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ],
				"noNewPrivileges": true
			},
			"root": { "path": "rootfs", "readonly": true },
			"hostname": "ocitest",
			"mounts": [
				{ "destination": "/proc", "type": "proc", "source": "proc" },
				{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
				  "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
				{ "destination": "/dev/pts", "type": "devpts", "source": "devpts",
				  "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
				{ "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
				  "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
				{ "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
				  "options": [ "nosuid", "noexec", "nodev" ] },
				{ "destination": "/sys", "type": "sysfs", "source": "sysfs",
				  "options": [ "nosuid", "noexec", "nodev", "ro" ] },
				{ "destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
				  "options": [ "nosuid", "nodev", "mode=1777" ] }
			],
			"linux": {
				"namespaces": [
					{ "type": "pid" },
					{ "type": "network" },
					{ "type": "ipc" },
					{ "type": "uts" },
					{ "type": "mount" }
				],
				"maskedPaths": [
					"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
					"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
					"/proc/sched_debug", "/sys/firmware", "/proc/scsi"
				],
				"readonlyPaths": [
					"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"
				]
			}
		}
	EOF
}

# Apply a jq filter to $BUNDLE/config.json (or to the file given with -f FILE).
update_config() {
	local f="$BUNDLE/config.json"
	if [ "$1" = -f ]; then
		f=$2
		shift 2
	fi
	jq "$@" "$f" >"$f.new" && mv "$f.new" "$f"
}

# set_args ARG... — the container's process.args.
set_args() {
	local a='[]' x
	# One --arg per element: jq 1.6 would take a "-c" after --args as its own option.
	for x in "$@"; do
		a=$(jq -c --arg x "$x" '. + [$x]' <<<"$a")
	done
	update_config --argjson a "$a" '.process.args = $a'
}

# make_bundle DIR — a complete bundle (config.json + private rootfs copy).
make_bundle() {
	local dir=$1 t
	t=$(_rootfs_template)
	mkdir -p "$dir"
	cp -a "$t" "$dir/rootfs"
	_write_config "$dir/config.json"
	# The tag lets teardown find every process a test started, whatever
	# namespace it runs in.
	jq --arg tag "OCITEST_TAG=$TESTDIR" '.process.env += [$tag]' \
		"$dir/config.json" >"$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
}

setup_common() {
	requires_root
	command -v jq >/dev/null || skip "needs jq"
	[ -x "$OCICHROOT" ] || {
		echo "runtime under test not found: OCICHROOT=$OCICHROOT" >&2
		return 1
	}
	TESTDIR=$(mktemp -d "${TMPDIR:-/tmp}/ocichroot-it.XXXXXX")
	# Readable by the mapped ids of user namespace tests.
	chmod 755 "$TESTDIR"
	ROOT="$TESTDIR/state"
	BUNDLE="$TESTDIR/bundle"
	BG_PIDS=()
	NS_MOUNTS=()
	make_bundle "$BUNDLE"
	MOUNTS_BEFORE=$(wc -l </proc/self/mountinfo)
	cp /proc/self/mountinfo "$TESTDIR/mountinfo.before"
	export TESTDIR ROOT BUNDLE
}

# Unique container id: helps find leftovers across tests.
ctr_id() {
	echo "it${BATS_TEST_NUMBER}-${1:-c}-$$"
}

# Processes tagged with this test's TESTDIR in their environment.
tagged_pids() {
	[ -n "${TESTDIR:-}" ] || return 0
	grep -lzxF "OCITEST_TAG=$TESTDIR" /proc/[0-9]*/environ 2>/dev/null |
		sed -n 's|^/proc/\([0-9]*\)/environ$|\1|p' | grep -vx "$$" || true
}

# Lines of /proc/self/mountinfo that mention this test's temp dir.
testdir_mounts() {
	grep -F "$TESTDIR" /proc/self/mountinfo || true
}

# check_clean — nothing of this test's containers remains: no state dir in
# $ROOT, no tagged process, no new mount.  A new mount anywhere counts when
# CI=true (nothing else runs there); elsewhere other people's tests share
# the machine, so only mounts that mention $TESTDIR count.
check_clean() {
	local left
	if [ -d "$ROOT" ] && [ -n "$(ls -A "$ROOT")" ]; then
		echo "state root not empty: $(ls -A "$ROOT" | tr '\n' ' ')" >&2
		return 1
	fi
	left=$(tagged_pids)
	if [ -n "$left" ]; then
		echo "processes left: $left" >&2
		ps -o pid,args -p "$(echo $left | tr ' ' ,)" >&2 || true
		return 1
	fi
	left=$(testdir_mounts)
	if [ -n "$left" ]; then
		echo "mounts left: $left" >&2
		return 1
	fi
	if [ "${CI:-}" = true ] && [ "$(wc -l </proc/self/mountinfo)" -ne "$MOUNTS_BEFORE" ]; then
		echo "mount count changed: $MOUNTS_BEFORE -> $(wc -l </proc/self/mountinfo)" >&2
		diff "$TESTDIR/mountinfo.before" /proc/self/mountinfo >&2 || true
		return 1
	fi
}

# Start a command in the background and remember it for teardown.  A
# background process holding bats' fd 3 would hang bats: close it.
bg() {
	"$@" 3>&- &
	BG_PIDS+=("$!")
}

teardown_common() {
	local problems="" id p left
	[ -n "${TESTDIR:-}" ] && [ -d "$TESTDIR" ] || return 0

	# 1. containers the test left in the state root
	if [ -d "$ROOT" ]; then
		for id in $("$OCICHROOT" --root "$ROOT" list -q 2>/dev/null); do
			"$OCICHROOT" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 ||
				problems+="cannot force-delete $id; "
		done
	fi
	# 2. background helpers (run in foreground mode, recvtty, unshare ...)
	for p in "${BG_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	# 3. processes that escaped the runtime's bookkeeping: a leak
	left=$(tagged_pids)
	if [ -n "$left" ]; then
		problems+="leftover processes: $(echo $left); "
		for p in $left; do kill -KILL "$p" 2>/dev/null || true; done
		sleep 0.2
	fi
	# 4. state directories nothing lists any more: a leak
	if [ -d "$ROOT" ] && [ -n "$(ls -A "$ROOT" 2>/dev/null)" ]; then
		problems+="state root not empty after delete --force: $(ls -A "$ROOT" | tr '\n' ' '); "
	fi
	# 5. namespace files the test bind-mounted (expected), then anything else (a leak)
	for p in "${NS_MOUNTS[@]}"; do
		umount "$p" 2>/dev/null || umount -l "$p" 2>/dev/null || true
	done
	left=$(testdir_mounts)
	if [ -n "$left" ]; then
		problems+="leftover mounts: $left; "
		grep -F "$TESTDIR" /proc/self/mountinfo | awk '{print $5}' | sort -r |
			while read -r p; do umount -l "$p" 2>/dev/null || true; done
	fi
	rm -rf "$TESTDIR"
	if [ -n "$problems" ]; then
		echo "teardown: $problems" >&2
		return 1
	fi
}

# pid_alive PID — true for a live process (a zombie is dead: whether pid 1
# of this machine reaps quickly is not the runtime's business).
pid_alive() {
	local st
	st=$(sed -n 's/^[0-9]* (.*) \([A-Z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# wait_for_dead PID [TRIES]
wait_for_dead() {
	local tries=${2:-300}
	while pid_alive "$1" && [ "$tries" -gt 0 ]; do
		sleep 0.01
		tries=$((tries - 1))
	done
	! pid_alive "$1"
}

# wait_for_status ID STATUS [TRIES] — poll `state` (10 ms steps).
wait_for_status() {
	local id=$1 want=$2 tries=${3:-500} s
	while [ "$tries" -gt 0 ]; do
		s=$(oc state "$id" 2>/dev/null | jq -r .status 2>/dev/null || true)
		[ "$s" = "$want" ] && return 0
		sleep 0.01
		tries=$((tries - 1))
	done
	echo "container $id did not reach status $want (last: ${s:-none})" >&2
	return 1
}

# wait_for_file PATH [TRIES]
wait_for_file() {
	local f=$1 tries=${2:-500}
	while [ "$tries" -gt 0 ]; do
		[ -e "$f" ] && return 0
		sleep 0.01
		tries=$((tries - 1))
	done
	echo "$f did not appear" >&2
	return 1
}

# state_field ID FIELD — one field of `state` (jq syntax, e.g. .pid).
state_field() {
	oc state "$1" | jq -r "$2"
}

# The recvtty helper (console-socket receiver): meson passes RECVTTY; a
# direct bats run compiles it.
recvtty_bin() {
	if [ -n "${RECVTTY:-}" ] && [ -x "$RECVTTY" ]; then
		echo "$RECVTTY"
		return
	fi
	local b="$BATS_FILE_TMPDIR/recvtty"
	if [ ! -x "$b" ]; then
		command -v cc >/dev/null || skip "needs a C compiler or RECVTTY"
		cc -O2 -Wall -o "$b" "$BATS_TEST_DIRNAME/recvtty.c" || return 1
	fi
	echo "$b"
}

# Assertions that print what they compared when they fail.
assert_success() {
	if [ "$status" -ne 0 ]; then
		echo "expected success, got status $status; output: $output" >&2
		return 1
	fi
}

assert_failure() {
	if [ "$status" -eq 0 ]; then
		echo "expected failure, got status 0; output: $output" >&2
		return 1
	fi
}

assert_output_contains() {
	local s
	for s in "$@"; do
		if [[ "$output" != *"$s"* ]]; then
			echo "expected output to contain '$s'; output: $output" >&2
			return 1
		fi
	done
}

assert_eq() {
	if [ "$1" != "$2" ]; then
		echo "expected '$2', got '$1'${3:+ ($3)}" >&2
		return 1
	fi
}

# The probe helper (probe.c), statically linked so that it runs in the
# busybox rootfs: meson passes PROBE, a direct bats run compiles it.
probe_bin() {
	if [ -n "${PROBE:-}" ] && [ -x "$PROBE" ]; then
		echo "$PROBE"
		return
	fi
	local b="$BATS_FILE_TMPDIR/probe"
	if [ ! -x "$b" ]; then
		command -v cc >/dev/null || skip "needs a C compiler or PROBE"
		cc -static -O2 -Wall -o "$b" "$BATS_TEST_DIRNAME/probe.c" || return 1
	fi
	echo "$b"
}
