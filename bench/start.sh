#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Start-up benchmark: `run` of a busybox bundle whose process is /bin/true
# (no terminal), with ocichroot and, when installed, crun and runc, side by
# side in ONE hyperfine run (or --rounds K of them, see bench/lib.sh).
# Run as root:
#
#   bench/start.sh [--runs N] [--rounds K] [--export-json FILE]
#                  [extra hyperfine args]
#
#   OCICHROOT  the ocichroot binary (default: build/src/ocichroot; skipped
#              when missing)
#   RUNTIMES   which runtimes to compare (default: "ocichroot crun runc")
#
# Fairness (crun and ocichroot without cgroups, runc with one; a private
# pure cgroup2 mount for crun 1.8): see bench/lib.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
runs=200
# shellcheck source=bench/lib.sh disable=SC2034
. "$here/lib.sh"
bench_enter "$@"

b="$work/bundle"
bench_bundle "$b" '["/bin/true"]'

cmds=()
for rt in $RUNTIMES; do
	bench_runtime "$rt" || continue
	cmd="$bench_bin ${bench_extra[*]} --root $bench_root run --bundle $b bench-$rt"
	# shellcheck disable=SC2086 # the command is split into words on purpose
	bench_try "$rt" $cmd || continue
	cmds+=(-n "$rt" "$cmd")
done
[ ${#cmds[@]} -gt 0 ] || bench_die "no runtime to measure"

bench_hyperfine 20 "${cmds[@]}"
echo
bench_table
