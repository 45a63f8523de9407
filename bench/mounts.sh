#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Mount set-up benchmark: `run` of the start-up bundle (busybox, /bin/true)
# with 0, 10 and 100 extra bind mounts, for ocichroot and, when installed,
# crun and runc: all the commands in ONE hyperfine run (or --rounds K of
# them, see bench/lib.sh).  Each extra mount binds its own small host
# directory onto its own destination (/mnt/vN, created in the rootfs
# beforehand) with the options "rbind", "nosuid", "nodev" (a recursive bind
# plus a flags remount, as for a volume).  Run as root:
#
#   bench/mounts.sh [--runs N] [--rounds K] [--export-json FILE]
#                  [extra hyperfine args]
#
#   COUNTS     the extra mount counts (default: "0 10 100"; the per-mount
#              figures need 0 among them)
#   OCICHROOT, RUNTIMES and the fairness rules: see bench/lib.sh.
#
# After the hyperfine output come the table of medians and, per runtime
# and count N, the cost of one mount, (median(N) - median(0)) / N, also
# from the minima and the CPU time: when the set-up is linear in the
# number of mounts, the figures of all the counts agree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
runs=100
# shellcheck source=bench/lib.sh disable=SC2034
. "$here/lib.sh"
bench_enter "$@"
: "${COUNTS:=0 10 100}"

for n in $COUNTS; do
	for ((i = 0; i < n; i++)); do
		mkdir -p "$work/vol/$i"
		echo "$i" >"$work/vol/$i/file"
	done
	mounts=$(jq -n --arg vol "$work/vol" --argjson n "$n" '
		[range($n) | {destination: "/mnt/v\(.)", type: "bind",
			      source: "\($vol)/\(.)",
			      options: ["rbind", "nosuid", "nodev"]}]')
	bench_bundle "$work/bundle-$n" '["/bin/true"]' "$mounts"
done

cmds=()
for rt in $RUNTIMES; do
	bench_runtime "$rt" || continue
	ok=1
	rt_cmds=()
	for n in $COUNTS; do
		cmd="$bench_bin ${bench_extra[*]} --root $bench_root run --bundle $work/bundle-$n bench-$rt-$n"
		# shellcheck disable=SC2086 # split into words on purpose
		bench_try "$rt $n" $cmd || { ok=0; break; }
		rt_cmds+=(-n "$rt $n" "$cmd")
	done
	[ $ok = 1 ] && cmds+=("${rt_cmds[@]}")
done
[ ${#cmds[@]} -gt 0 ] || bench_die "no runtime to measure"

bench_hyperfine 10 "${cmds[@]}"
echo
bench_table
echo
# Per-mount cost from the medians, the minima and the CPU time (user +
# system, the least noisy on a busy machine): (t(N) - t(0)) / N.  Linear
# set-up: the per-mount figures of all the counts agree.
jq -r --arg counts "$COUNTS" '
	def us: . * 1e6 | round;
	def cpu: .user + .system;
	($counts | split(" ") | map(select(. != ""))) as $ns
	| (.results | map({key: .command, value: .}) | from_entries) as $r
	| "| Runtime | Extra mounts | per mount, median [µs] | per mount, min [µs] | per mount, CPU [µs] |",
	  "|:--------|-------------:|-----------------------:|--------------------:|--------------------:|",
	  ((reduce (.results[].command | split(" ")[0]) as $x ([]; if index([$x]) then . else . + [$x] end))[] as $rt
	   | $r["\($rt) 0"] as $z
	   | select($z)
	   | $ns[] | select(. != "0") as $n
	   | $r["\($rt) \($n)"] as $t
	   | select($t)
	   | ($n | tonumber) as $k
	   | "| \($rt) | \($n) | \(($t.median - $z.median) / $k | us) | \(($t.min - $z.min) / $k | us) | \((($t | cpu) - ($z | cpu)) / $k | us) |")
' "$json"
