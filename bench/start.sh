#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Start-up benchmark: `run` of a busybox bundle whose process is /bin/true
# (no terminal), with ocichroot and, when installed, crun and runc, side by
# side in ONE hyperfine run.  Run as root:
#
#   bench/start.sh [--runs N] [--export-markdown FILE] [extra hyperfine args]
#
#   OCICHROOT  the ocichroot binary (default: build/src/ocichroot; skipped
#              when missing)
#   RUNTIMES   which runtimes to compare (default: "ocichroot crun runc")
#
# Fairness: crun and ocichroot run with --cgroup-manager=disabled.  runc 1.1
# has no such switch and always creates (and removes) a cgroup, so its time
# includes that work.  crun 1.8 refuses a hybrid cgroup host (v1
# controllers + a v2 mount), so the script re-executes itself in a private
# mount namespace and mounts a pure cgroup2 hierarchy on /sys/fs/cgroup there;
# the host's own mounts are untouched.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/start.sh: needs root" >&2
	exit 1
fi

if [ -z "${OC_BENCH_INNER:-}" ]; then
	export OC_BENCH_INNER=1
	exec unshare -m --propagation private "$0" "$@"
fi

# Inside the private mount namespace: a pure cgroup v2 view.
if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
	mount -t cgroup2 none /sys/fs/cgroup
fi

runs=200
hf_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) runs=$2; shift 2 ;;
	--runs=*) runs=${1#--runs=}; shift ;;
	*) hf_args+=("$1"); shift ;;
	esac
done

: "${OCICHROOT:=$src/build/src/ocichroot}"
: "${RUNTIMES:=ocichroot crun runc}"
command -v hyperfine >/dev/null || { echo "bench/start.sh: needs hyperfine" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "bench/start.sh: needs busybox-static" >&2; exit 1; }

work=$(mktemp -d /tmp/ocichroot-bench.XXXXXX)
chmod 755 "$work"
cleanup() {
	local r
	for r in "$work"/root-*; do
		[ -d "$r" ] || continue
		for id in $(ls "$r" 2>/dev/null); do
			"$(cat "$r.bin")" --root "$r" delete --force "$id" >/dev/null 2>&1 || true
		done
	done
	rm -rf "$work"
}
trap cleanup EXIT

# The bundle: busybox + relative applet links, config shaped like `runc spec`.
b="$work/bundle"
mkdir -p "$b/rootfs"/{bin,proc,sys,dev,tmp,etc}
cp /bin/busybox "$b/rootfs/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$b/rootfs/bin/$a"
done
cat >"$b/config.json" <<-'JSON'
	{
		"ociVersion": "1.0.2",
		"process": {
			"terminal": false,
			"user": { "uid": 0, "gid": 0 },
			"args": [ "/bin/true" ],
			"env": [ "PATH=/usr/sbin:/usr/bin:/sbin:/bin" ],
			"cwd": "/",
			"capabilities": {
				"bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
				"effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
				"permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
			},
			"rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ],
			"noNewPrivileges": true
		},
		"root": { "path": "rootfs", "readonly": true },
		"hostname": "bench",
		"mounts": [
			{ "destination": "/proc", "type": "proc", "source": "proc" },
			{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
			  "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
			{ "destination": "/dev/pts", "type": "devpts", "source": "devpts",
			  "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620" ] },
			{ "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
			  "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
			{ "destination": "/sys", "type": "sysfs", "source": "sysfs",
			  "options": [ "nosuid", "noexec", "nodev", "ro" ] }
		],
		"linux": {
			"namespaces": [
				{ "type": "pid" }, { "type": "network" }, { "type": "ipc" },
				{ "type": "uts" }, { "type": "mount" }
			],
			"maskedPaths": [ "/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware" ],
			"readonlyPaths": [ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" ]
		}
	}
JSON

cmds=()
for rt in $RUNTIMES; do
	case "$rt" in
	ocichroot) bin=$OCICHROOT; extra=(--cgroup-manager=disabled) ;;
	crun) bin=$(command -v crun || true); extra=(--cgroup-manager=disabled) ;;
	runc) bin=$(command -v runc || true); extra=() ;;
	*) bin=$(command -v "$rt" || true); extra=() ;;
	esac
	if [ -z "$bin" ] || [ ! -x "$bin" ]; then
		echo "bench/start.sh: $rt not found, left out" >&2
		continue
	fi
	root="$work/root-$rt"
	echo "$bin" >"$root.bin"
	cmd="$bin ${extra[*]} --root $root run --bundle $b bench-$rt"
	# One run outside the measurement: a runtime that cannot run here is
	# reported and left out instead of spoiling the whole comparison.
	if ! out=$($cmd 2>&1 </dev/null); then
		echo "bench/start.sh: $rt cannot run here, left out: $out" >&2
		continue
	fi
	cmds+=(-n "$rt" "$cmd")
done
[ ${#cmds[@]} -gt 0 ] || { echo "bench/start.sh: no runtime to measure" >&2; exit 1; }

echo "kernel $(uname -r); $(nproc) cpus; cgroup: private cgroup2 mount; $runs runs each" >&2
# --shell=none: no shell start-up in the numbers (the paths contain no spaces).
hyperfine --shell=none --warmup 20 --runs "$runs" \
	"${cmds[@]}" "${hf_args[@]}"
