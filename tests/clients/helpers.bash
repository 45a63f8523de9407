# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers of the client tests: real engines (podman, buildah,
# containerd) driving the runtime under test through their `--runtime`
# options.
#
# The runtime under test is $OCICHROOT (meson sets it to the built binary).
# OCICHROOT=$(command -v runc) runs the same tests against runc, which is how
# a test is checked to describe what engines expect rather than what
# ocichroot happens to do.
#
# The engines never see $OCICHROOT itself but a wrapper script that appends
# every argv it is called with to $CLI_ARGV_LOG, then execs the runtime: the
# log is printed when a test fails, so a failure report carries the engine's
# exact command line.  The wrapper leaves stdio alone: under conmon and the
# containerd shim the runtime's stdio is the container's.
#
# Each bats file gets a private temp dir ($CLI_TMP): podman and buildah use
# a containers.conf of their own (CONTAINERS_CONF) and a private storage
# root and runroot (CONTAINERS_STORAGE_CONF), so nothing under
# /var/lib/containers, /run/containers or /etc is touched.

SRCROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
: "${OCICHROOT:=$SRCROOT/build/src/ocichroot}"
BUSYBOX=${BUSYBOX:-/bin/busybox}
IMG=localhost/busybox:test

requires_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "needs $c"
	done
}

requires_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

# make_rootfs DIR — a busybox root filesystem with root and nobody.
make_rootfs() {
	local d=$1 a
	mkdir -p "$d"/{bin,etc,proc,sys,dev,tmp,root,run,var}
	cp "$BUSYBOX" "$d/bin/busybox"
	for a in $("$d/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$d/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$d/etc/passwd"
	printf 'root:x:0:\nnobody:x:65534:\n' >"$d/etc/group"
	chmod 1777 "$d/tmp"
}

# The per-file temp dir, the wrapper and the engines' configuration.
clients_setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	[ -x "$OCICHROOT" ] || return 0
	export CLI_TMP
	CLI_TMP=$(mktemp -d /tmp/oc-cli.XXXXXX)
	export CLI_ARGV_LOG=$CLI_TMP/runtime-argv.log
	export WRAP=$CLI_TMP/ocichroot
	: >"$CLI_ARGV_LOG"
	cat >"$WRAP" <<-EOF
	#!/bin/sh
	printf '%s\n' "\$*" >>'$CLI_ARGV_LOG'
	exec '$OCICHROOT' "\$@"
	EOF
	chmod 755 "$WRAP"

	# Root lacks CAP_SYS_RESOURCE in its bounding set on some CI hosts:
	# podman's default ulimits (1048576) would fail there with any runtime.
	# conmon runs with RLIMIT_NPROC 32768 whatever podman's own is, so the
	# container's nproc must stay within that.
	local hn hu
	hn=$(ulimit -Hn)
	[ "$hn" = unlimited ] && hn=1048576
	[ "$hn" -gt 65536 ] && hn=65536
	hu=$(ulimit -Hu)
	[ "$hu" = unlimited ] && hu=1048576
	[ "$hu" -gt 32768 ] && hu=32768
	export CONTAINERS_CONF=$CLI_TMP/containers.conf
	cat >"$CONTAINERS_CONF" <<-EOF
	[containers]
	default_ulimits = ["nofile=$hn:$hn", "nproc=$hu:$hu"]
	[engine]
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	events_logfile_path = "$CLI_TMP/events.log"
	tmp_dir = "$CLI_TMP/libpod-tmp"
	volume_path = "$CLI_TMP/volumes"
	EOF
	export CONTAINERS_STORAGE_CONF=$CLI_TMP/storage.conf
	cat >"$CONTAINERS_STORAGE_CONF" <<-EOF
	[storage]
	driver = "overlay"
	graphroot = "$CLI_TMP/storage"
	runroot = "$CLI_TMP/runroot"
	EOF
	# buildah keeps its own per-user state under XDG_* and HOME when it
	# can; keep that private too.
	export REGISTRIES_CONFIG_PATH=$CLI_TMP/registries.conf
	printf 'unqualified-search-registries = []\n' >"$REGISTRIES_CONFIG_PATH"
	make_rootfs "$CLI_TMP/rootfs"
}

clients_teardown_file() {
	[ -n "${CLI_TMP:-}" ] && [ -d "$CLI_TMP" ] || return 0
	if command -v podman >/dev/null 2>&1 && [ -e "$CLI_TMP/storage" ]; then
		podman rm -af -t 0 >/dev/null 2>&1 || true
		podman system reset -f >/dev/null 2>&1 || true
	fi
	# Whatever the engines left mounted under the temp dir.
	local m
	for m in $(awk -v p="$CLI_TMP" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$CLI_TMP"
}

# Skip unless root, the runtime is built, and CMDS are installed.
requires_env() {
	requires_root
	[ -x "$OCICHROOT" ] || skip "no runtime at $OCICHROOT"
	requires_cmd "$@"
}

# podman with the runtime under test and the private configuration.
pod() {
	podman --runtime "$WRAP" "$@"
}

# The test image, imported once per file from the busybox rootfs.
ensure_image() {
	if ! podman image exists "$IMG" 2>/dev/null; then
		tar -C "$CLI_TMP/rootfs" -c . | podman import -q - "$IMG" >/dev/null
	fi
}

# run_pod ARGS... — like `run pod ARGS...` with stdin from /dev/null, echoing the
# command, status and output (bats shows them when the test fails).
run_pod() {
	# Not bats' `run`: it warns on status 127, which the tests expect.
	status=0
	output=$(pod "$@" 2>&1 </dev/null) || status=$?
	mapfile -t lines <<<"$output"
	printf '$ podman %s  => %s\n%s\n' "$*" "$status" "$output"
}

# in_tty CMD... — CMD with a pseudo-terminal on its stdio (podman -t and
# exec -t want one).  Output has CRs stripped.
in_tty() {
	local q
	q=$(printf '%q ' "$@")
	script -qec "$q" /dev/null </dev/null | tr -d '\r'
	return "${PIPESTATUS[0]}"
}

# What the test is about to leave behind: called at the start of a test to
# remember the baseline, and by check_no_leftovers at its end.
snapshot_host() {
	ls "$CLI_TMP" >/dev/null
	awk '{ print $2 }' /proc/self/mounts | grep -F "$CLI_TMP" | sort >"$CLI_TMP/mounts.before" || true
}

# Fails if podman still knows a container, or a mount under the temp dir,
# a conmon of ours, a container cgroup or a runtime state entry remains
# for a container the runtime was asked to create during the test.
check_no_leftovers() {
	local bad=0 id m
	run podman ps -aq
	if [ -n "$output" ]; then
		echo "podman still lists containers: $output"
		bad=1
	fi
	awk '{ print $2 }' /proc/self/mounts | grep -F "$CLI_TMP" | sort >"$CLI_TMP/mounts.after" || true
	m=$(comm -13 "$CLI_TMP/mounts.before" "$CLI_TMP/mounts.after")
	if [ -n "$m" ]; then
		echo "mounts left behind: $m"
		bad=1
	fi
	# Every container the engine created during the test.
	awk '{ for (i = 1; i < NF; i++) if ($i == "create") { print $NF; break } }' "$CLI_ARGV_LOG" | sort -u >"$CLI_TMP/ids"
	while read -r id; do
		[ -n "$id" ] || continue
		if pgrep -f "conmon.*$id" >/dev/null; then
			echo "conmon of $id still runs: $(pgrep -af "conmon.*$id")"
			bad=1
		fi
		# find fails when a cgroup of someone else vanishes under it.
		m=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "*$id*" 2>/dev/null || true)
		if [ -n "$m" ]; then
			echo "cgroups left behind: $m"
			bad=1
		fi
		if "$OCICHROOT" state "$id" >/dev/null 2>&1; then
			echo "runtime still has state for $id"
			bad=1
		fi
	done <"$CLI_TMP/ids"
	[ "$bad" = 0 ]
}

# Common per-test setup/teardown for podman tests.
pod_setup() {
	requires_env podman conmon
	ensure_image
	: >"$CLI_ARGV_LOG"
}

pod_teardown() {
	[ -n "${CLI_TMP:-}" ] || return 0
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -s "$CLI_ARGV_LOG" ]; then
		echo "# runtime argv log:"
		sed 's/^/#   /' "$CLI_ARGV_LOG"
	fi
	podman rm -af -t 0 >/dev/null 2>&1 || true
}
