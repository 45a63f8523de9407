# SPDX-License-Identifier: GPL-2.0-or-later
# Shared parts of the bench/*.sh hyperfine scripts.  Sourced, not run:
#
#   runs=200                  # the script's default, before bench_enter
#   . "$here/lib.sh"
#   bench_enter "$@"          # root, private mount ns, cgroup2, --runs, $work
#   bench_bundle DIR '["/bin/true"]' '[]'
#   bench_runtime crun && "$bench_bin" "${bench_extra[@]}" --root ...
#   bench_hyperfine 20 -n crun "crun ... run ..." -n runc "..."
#   bench_table
#
# shellcheck shell=bash disable=SC2034
# (SC2034: the variables set here are the callers' to use.)
#
# Environment read here:
#   OCICHROOT  the ocichroot binary (default: build/src/ocichroot; left out
#              when missing)
#   RUNTIMES   which runtimes to compare (default: "ocichroot crun runc")
#   STATE      where the state roots live: "tmpfs" (default: a tmpfs mounted
#              in the private mount namespace, like /run on a systemd host)
#              or "disk" (a directory under the temp dir, i.e. /tmp's file
#              system)
#
# Fairness: crun and ocichroot run with --cgroup-manager=disabled.  runc 1.1
# has no such switch and always creates (and removes) a cgroup, so its time
# includes that work.  crun 1.8 refuses a hybrid cgroup host (v1
# controllers + a v2 mount), so bench_enter re-executes the script in a
# private mount namespace and mounts a pure cgroup2 hierarchy on
# /sys/fs/cgroup there; the host's own mounts are untouched.  crun 1.8 also
# refuses ociVersion "1.2.0" ("unknown version specified"), hence "1.0.2".

bench_name="bench/${0##*/}"
bench_src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

bench_die() {
	echo "$bench_name: $*" >&2
	exit 1
}

# bench_enter "$@": must be called from the script's top level with the
# script's own arguments (it re-executes "$0" with them).  Sets runs (keeps
# the caller's default unless --runs is given), rounds (--rounds, default
# 1; see bench_hyperfine), json (the --export-json
# file; by default one in $work, so that bench_table can always read the
# results), hf_args (every other argument, passed on to hyperfine) and work
# (a temp dir removed on exit, after every container in a state root under
# it is deleted).
bench_enter() {
	[ "$(id -u)" -eq 0 ] || bench_die "needs root"
	if [ -z "${OC_BENCH_INNER:-}" ]; then
		export OC_BENCH_INNER=1
		exec unshare -m --propagation private "$0" "$@"
	fi
	# Inside the private mount namespace: a pure cgroup v2 view.
	if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
		mount -t cgroup2 none /sys/fs/cgroup
	fi

	runs=${runs:-200}
	rounds=1
	json=
	hf_args=()
	while [ $# -gt 0 ]; do
		case "$1" in
		--runs) runs=$2; shift 2 ;;
		--runs=*) runs=${1#--runs=}; shift ;;
		--rounds) rounds=$2; shift 2 ;;
		--rounds=*) rounds=${1#--rounds=}; shift ;;
		--export-json) json=$(realpath -m "$2"); shift 2 ;;
		--export-json=*) json=$(realpath -m "${1#--export-json=}"); shift ;;
		*) hf_args+=("$1"); shift ;;
		esac
	done

	: "${OCICHROOT:=$bench_src/build/src/ocichroot}"
	: "${RUNTIMES:=ocichroot crun runc}"
	command -v hyperfine >/dev/null || bench_die "needs hyperfine"
	command -v jq >/dev/null || bench_die "needs jq"
	[ -x /bin/busybox ] || bench_die "needs busybox-static"

	work=$(mktemp -d /tmp/ocichroot-bench.XXXXXX)
	chmod 755 "$work"
	trap bench_cleanup EXIT
	# An interrupted run must still delete its containers (an exec
	# benchmark's `sleep 1000` would outlive the script): exit through
	# the EXIT trap on these signals too.
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
	# The runtimes create, rename and remove a handful of files per
	# container in their state root; on a disk file system that
	# metadata work (journal, discard) can cost more than the runtime
	# itself, and it is not what a host with /run on tmpfs pays.
	mkdir "$work/state"
	case "${STATE:-tmpfs}" in
	tmpfs) mount -t tmpfs -o mode=0700,size=64m bench-state "$work/state" ;;
	disk) ;;
	*) bench_die "STATE must be tmpfs or disk" ;;
	esac
	: "${json:=$work/result.json}"
}

# Every state root is $work/state/root-<runtime>, with the binary that owns
# it in $work/state/root-<runtime>.bin: a container left by a failed or
# interrupted run (or a long-running one an exec benchmark started) is
# deleted with the runtime that made it, so runc also removes its cgroup.
bench_cleanup() {
	local r d
	if [ -n "${bench_hf_pid:-}" ]; then
		kill "$bench_hf_pid" 2>/dev/null || true
		wait "$bench_hf_pid" 2>/dev/null || true
	fi
	for r in "$work"/state/root-*/; do
		r=${r%/}
		for d in "$r"/*/; do
			[ -d "$d" ] || continue
			d=${d%/}
			"$(cat "$r.bin")" --root "$r" delete --force "${d##*/}" >/dev/null 2>&1 || true
		done
	done
	if mountpoint -q "$work/state"; then
		umount "$work/state"
	fi
	rm -rf "$work"
}

# bench_bundle DIR ARGS_JSON [MOUNTS_JSON]: a busybox bundle (relative
# applet links) whose config is shaped like `runc spec`: pid, net, ipc, uts
# and mount namespaces, a read-only root, the usual /proc, /dev, /sys
# mounts, masked and read-only paths.  ARGS_JSON is process.args;
# MOUNTS_JSON (a JSON array) is appended to the mounts, and the destination
# of each is created in the rootfs beforehand, so that no runtime spends
# time on mkdir and only the mounting is compared.
bench_bundle() {
	local b=$1 args=$2 extra=${3:-[]} a d
	mkdir -p "$b/rootfs"/{bin,proc,sys,dev,tmp,etc}
	cp /bin/busybox "$b/rootfs/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$b/rootfs/bin/$a"
	done
	for d in $(jq -r '.[].destination' <<<"$extra"); do
		mkdir -p "$b/rootfs$d"
	done
	# Through a file: a thousand mounts are more than one argument may
	# hold.
	printf '%s\n' "$extra" >"$b/extra-mounts.json"
	jq --argjson args "$args" --slurpfile extra "$b/extra-mounts.json" \
		'.process.args = $args | .mounts += $extra[0]' \
		>"$b/config.json" <<-'JSON'
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
}

# bench_runtime RT: sets bench_bin (the binary), bench_extra (global options
# for a fair comparison) and bench_root (its state root under $work, with
# the .bin note bench_cleanup needs).  Fails, with a message, when the
# runtime is not installed or built.
bench_runtime() {
	local rt=$1
	case "$rt" in
	ocichroot) bench_bin=$OCICHROOT; bench_extra=(--cgroup-manager=disabled) ;;
	crun) bench_bin=$(command -v crun || true); bench_extra=(--cgroup-manager=disabled) ;;
	runc) bench_bin=$(command -v runc || true); bench_extra=() ;;
	*) bench_bin=$(command -v "$rt" || true); bench_extra=() ;;
	esac
	if [ -z "$bench_bin" ] || [ ! -x "$bench_bin" ]; then
		echo "$bench_name: $rt not found, left out" >&2
		return 1
	fi
	bench_root="$work/state/root-$rt"
	echo "$bench_bin" >"$bench_root.bin"
}

# bench_try NAME CMD...: one run outside the measurement, so that a runtime
# that cannot run here is reported and left out instead of spoiling the
# whole comparison.
bench_try() {
	local name=$1 out
	shift
	if ! out=$("$@" 2>&1 </dev/null); then
		echo "$bench_name: $name cannot run here, left out: $out" >&2
		return 1
	fi
}

bench_banner() {
	echo "kernel $(uname -r); $(nproc) cpus; load $(cut -d' ' -f1-3 /proc/loadavg);" \
		"cgroup: private cgroup2 mount; $runs runs each in $rounds round(s)" >&2
}

# bench_hyperfine WARMUP HYPERFINE-COMMAND-ARGS...: the runtimes side by
# side in one hyperfine run; with --rounds K, K such runs of runs/K runs
# each, merged into $json.  hyperfine measures one command after the other,
# so on a shared machine whose load drifts the last command can meet a
# different load than the first; rounds interleave the commands at a
# coarser grain so that the drift falls on all of them alike.
bench_hyperfine() {
	local warmup=$1 per r
	shift
	per=$(((runs + rounds - 1) / rounds))
	bench_banner
	for ((r = 1; r <= rounds; r++)); do
		[ "$rounds" -eq 1 ] || echo "round $r/$rounds; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
		# --shell=none: no shell start-up in the numbers (the paths
		# contain no spaces).
		# In the background: a shell defers a trapped signal until
		# its foreground child ends, which would let a TERM wait for
		# every remaining run; `wait` returns at once instead.
		hyperfine --shell=none --warmup "$warmup" --runs "$per" \
			--export-json "$work/round-$r.json" "$@" "${hf_args[@]}" &
		bench_hf_pid=$!
		wait "$bench_hf_pid"
		bench_hf_pid=
	done
	# The merge recomputes what hyperfine reports from all the times;
	# user and system stay means (hyperfine keeps no per-run figures).
	jq -s '
		def median: sort | length as $n
			| if $n % 2 == 1 then .[($n - 1) / 2] else (.[$n / 2 - 1] + .[$n / 2]) / 2 end;
		(.[0].results | map(.command)) as $order
		| [.[].results[]] as $all
		| {results: [$order[] as $c
			| [$all[] | select(.command == $c)] as $rs
			| ([$rs[].times[]]) as $t
			| ($t | length) as $n
			| ($t | add / $n) as $mean
			| {command: $c, mean: $mean,
			   stddev: (if $n > 1 then ([$t[] | (. - $mean) * (. - $mean)] | add / ($n - 1) | sqrt) else null end),
			   median: ($t | median),
			   user: ([$rs[] | .user * (.times | length)] | add / $n),
			   system: ([$rs[] | .system * (.times | length)] | add / $n),
			   min: ($t | min), max: ($t | max), times: $t,
			   exit_codes: [$rs[].exit_codes[]]}]}
	' "$work"/round-*.json >"$json"
}

# bench_table: the results in $json as a markdown table, medians first
# (the project's targets are stated on the median; the mean of a shared
# machine is dragged up by a few slow outliers).  "/ crun" is each
# median over crun's median of the same parameters (the part of the command
# name after the runtime, e.g. "crun 10" for "ocichroot 10").  CPU is the
# mean user + system time hyperfine reports (the runtime and the children
# it waits for): less sensitive to a busy machine's run-queue waits than
# the wall time.
bench_table() {
	jq -r '
		def f2: (. * 100 | round) as $c
			| "\($c / 100 | floor).\($c % 100 | tostring | if length < 2 then "0" + . else . end)";
		def ms: . * 1000 | f2;
		(.results | map({key: .command, value: .median}) | from_entries) as $med
		| "| Command | Median [ms] | Min [ms] | Mean ± σ [ms] | Max [ms] | CPU [ms] | Median / crun |",
		  "|:--------|------------:|---------:|--------------:|---------:|---------:|--------------:|",
		  (.results[]
		   | (.command | sub("^[^ ]+"; "crun")) as $ref
		   | "| \(.command) | \(.median | ms) | \(.min | ms) | \(.mean | ms) ± \(.stddev | ms) | \(.max | ms) | \(.user + .system | ms) | \(if $med[$ref] then (.median / $med[$ref] | f2) else "-" end) |")
	' "$json"
}
