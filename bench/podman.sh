#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `podman run --rm IMG true` with ocichroot, runc and crun as the OCI
# runtime (hyperfine), and the smallest `--memory` limit at which
# `podman run --rm --memory X IMG true` still succeeds for each runtime.
#
#   bench/podman.sh [OCICHROOT]        (root; podman, conmon, hyperfine)
#
# Environment: RUNS (hyperfine runs, default 30), WARMUP (default 3),
# OUT (where the markdown/json results go, default a temp dir),
# V2=1 to run everything in a private mount namespace with a pure cgroup2
# hierarchy at /sys/fs/cgroup (crun refuses hybrid hosts: "cgroups in
# hybrid mode not supported").
#
# Nothing outside a temp dir is touched: podman gets its own
# containers.conf (CONTAINERS_CONF), storage root and runroot.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
OC=${1:-${OCICHROOT:-$here/build/src/ocichroot}}
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
IMG=localhost/busybox:bench

die() { echo "podman.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root"
for c in podman conmon hyperfine; do
	command -v "$c" >/dev/null || die "needs $c"
done
[ -x "$OC" ] || die "no ocichroot at $OC (build it first)"
OC=$(readlink -f "$OC")

if [ "${V2:-0}" = 1 ] && [ -z "${_BENCH_IN_NS:-}" ]; then
	# A private mount namespace whose /sys/fs/cgroup is the cgroup2
	# hierarchy alone: podman and the runtimes see a unified host.
	exec unshare -m --propagation private env _BENCH_IN_NS=1 bash -c '
		umount -l /sys/fs/cgroup
		mount -t cgroup2 cgroup2 /sys/fs/cgroup
		exec "$0" "$@"' "$0" "$@"
fi

TMP=$(mktemp -d /tmp/oc-bench-podman.XXXXXX)
OUT=${OUT:-$TMP/results}
mkdir -p "$OUT"
cleanup() {
	podman rm -af -t 0 >/dev/null 2>&1 || true
	podman system reset -f >/dev/null 2>&1 || true
	awk -v p="$TMP" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null || true; done
	[ "$OUT" = "$TMP/results" ] || rm -rf "$TMP"
}
trap cleanup EXIT

hn=$(ulimit -Hn); [ "$hn" = unlimited ] && hn=65536; [ "$hn" -gt 65536 ] && hn=65536
hu=$(ulimit -Hu); [ "$hu" = unlimited ] && hu=32768; [ "$hu" -gt 32768 ] && hu=32768
export CONTAINERS_CONF=$TMP/containers.conf
cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = ["nofile=$hn:$hn", "nproc=$hu:$hu"]
$( [ -e /sys/fs/cgroup/cgroup.controllers ] && ! grep -qw pids /sys/fs/cgroup/cgroup.controllers && echo 'pids_limit = 0' )
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$TMP/events.log"
tmp_dir = "$TMP/libpod-tmp"
EOF
export CONTAINERS_STORAGE_CONF=$TMP/storage.conf
cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "overlay"
graphroot = "$TMP/storage"
runroot = "$TMP/runroot"
EOF

# The image: a busybox-static rootfs.
rootfs=$TMP/rootfs
mkdir -p "$rootfs"/{bin,etc,tmp,proc,sys,dev}
cp "${BUSYBOX:-/bin/busybox}" "$rootfs/bin/busybox"
for a in $("$rootfs/bin/busybox" --list); do
	[ "$a" = busybox ] || ln -sf busybox "$rootfs/bin/$a"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$rootfs/etc/passwd"
tar -C "$rootfs" -c . | podman import -q - "$IMG" >/dev/null

# Which runtimes work here at all (crun fails on hybrid hosts, and where
# root lacks CAP_SYS_RESOURCE, on raising RLIMIT_MEMLOCK).
names=() cmds=()
for r in "ocichroot:$OC" "runc:$(command -v runc || true)" "crun:$(command -v crun || true)"; do
	name=${r%%:*} path=${r#*:}
	[ -n "$path" ] || { echo "# $name: not installed" >&2; continue; }
	if err=$(podman --runtime "$path" run --rm "$IMG" true 2>&1); then
		names+=("$name") cmds+=("$path")
	else
		echo "# $name: left out, podman run fails: $err" >&2
	fi
done
[ "${#names[@]}" -gt 0 ] || die "no runtime works"

{
	echo "# podman run --rm $IMG true"
	echo "# host: $(uname -r), $(nproc) CPUs, cgroup: $(stat -f -c %T /sys/fs/cgroup)$([ -d /sys/fs/cgroup/unified ] && echo ' (hybrid)')"
	echo "# podman $(podman --version | awk '{print $3}'), conmon $(conmon --version | awk 'NR==1{print $3}')"
	for i in "${!names[@]}"; do
		echo "# ${names[$i]}: $("${cmds[$i]}" --version | head -n1)"
	done
} | tee "$OUT/versions.txt"

hf=()
for i in "${!names[@]}"; do
	hf+=(-n "${names[$i]}" "podman --runtime ${cmds[$i]} run --rm $IMG true")
done
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" \
	--export-markdown "$OUT/podman-run.md" --export-json "$OUT/podman-run.json" "${hf[@]}"

# The smallest --memory (KiB granularity) at which `true` still runs:
# bisection between 4 KiB and 64 MiB, each probe run twice (both must pass).
probe() {
	local path=$1 kib=$2
	podman --runtime "$path" run --rm --memory "${kib}k" "$IMG" true >/dev/null 2>&1 &&
		podman --runtime "$path" run --rm --memory "${kib}k" "$IMG" true >/dev/null 2>&1
}
echo
echo "| runtime | smallest --memory for \`podman run --rm --memory X $IMG true\` |" | tee "$OUT/memory-min.md"
echo "|---|---|" | tee -a "$OUT/memory-min.md"
for i in "${!names[@]}"; do
	lo=4 hi=65536
	if ! probe "${cmds[$i]}" "$hi"; then
		echo "| ${names[$i]} | fails even at 64 MiB |" | tee -a "$OUT/memory-min.md"
		continue
	fi
	if probe "${cmds[$i]}" "$lo"; then
		echo "| ${names[$i]} | ≤ ${lo} KiB |" | tee -a "$OUT/memory-min.md"
		continue
	fi
	while [ $((hi - lo)) -gt 4 ]; do
		mid=$(((lo + hi) / 2))
		if probe "${cmds[$i]}" "$mid"; then hi=$mid; else lo=$mid; fi
	done
	echo "| ${names[$i]} | ${hi} KiB |" | tee -a "$OUT/memory-min.md"
done
echo
echo "results in $OUT"
